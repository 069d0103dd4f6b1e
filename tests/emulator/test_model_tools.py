"""Topology, texture edit and bake return results that show their effect, chained by URL."""

import json

import numpy as np
import pytest
from emu_helpers import data_url, fetch, get
from model_helpers import (
    BAKE,
    CONVERT,
    STATUS,
    TEXTURE_EDIT,
    TOPOLOGY,
    ball_and_block,
    colour_at_faces,
    hosted,
    is_blue,
    is_red,
    model_at,
    post_json,
    result,
    texture_pixels,
    two_colour_ball,
)

from bridge.emulator.gltf_read import parse_glb
from bridge.emulator.model_read import read_model
from bridge.pngcodec import decode_png, encode_png


@pytest.fixture
def dense_url(emulator):
    return hosted(emulator, ball_and_block())


def _failed(emulator, task):
    emulator.advance(3600)
    body = get(emulator, STATUS.format(task)).json()
    assert body["status"] == "FAILED", body
    return body["failure_reason"]


# -- topology -------------------------------------------------------------------------------

def test_face_levels_give_coarser_meshes_of_the_same_shape(emulator, dense_url):
    source = model_at(dense_url)
    faces = {}
    for level, share in (("high", 0.5), ("medium", 0.25), ("low", 0.1)):
        item = result(emulator, post_json(emulator, TOPOLOGY, {"file_url": dense_url, "file_type": "GLB",
                                                               "face_level": level}))
        mesh = model_at(item["asset"])
        faces[level] = len(mesh.triangles)
        assert faces[level] <= share * len(source.triangles) and faces[level] > 0.6 * share * len(source.triangles)
        assert item["metadata"]["faces"] == faces[level] and item["asset"].endswith(".glb")
        extent = np.ptp(source.positions, axis=0).max()
        np.testing.assert_allclose(mesh.bounds(), source.bounds(), atol=0.02 * extent)
        assert mesh.texture_png is None                    # geometry only: bake gives it colours
    assert faces["high"] > faces["medium"] > faces["low"]


def test_quadrilateral_topology_keeps_quads_in_obj_and_fbx(emulator, dense_url):
    for fmt in ("obj", "fbx"):
        item = result(emulator, post_json(emulator, TOPOLOGY, {
            "file_url": dense_url, "polygon_type": "quadrilateral", "face_level": "medium",
            "output_format": fmt}))
        mesh = read_model(fetch(item["asset"]))
        assert item["asset"].endswith("." + fmt)
        assert (mesh.face_sizes == 4).mean() > 0.6, fmt           # mostly quads
        assert item["metadata"]["quads"] == int((mesh.face_sizes == 4).sum())
    glb = result(emulator, post_json(emulator, TOPOLOGY, {"file_url": dense_url,
                                                          "polygon_type": "quadrilateral"}))
    assert "output_format obj or fbx keeps quads" in glb["metadata"]["note"]


def test_topology_refuses_a_file_of_another_type(emulator, dense_url):
    fbx_url = result(emulator, post_json(emulator, CONVERT, {"model_url": dense_url, "output_format": "fbx"}))
    reason = _failed(emulator, post_json(emulator, TOPOLOGY, {"file_url": fbx_url["asset"], "file_type": "GLB"}))
    assert "takes GLB models; the file at file_url is FBX" in reason
    task = post_json(emulator, TOPOLOGY, {"file_url": dense_url, "file_type": "OBJ"})
    assert "takes OBJ models" in _failed(emulator, task)


def test_a_small_model_is_not_cut_below_the_floor(emulator):
    url = hosted(emulator, two_colour_ball(8, 16))             # 224 triangles
    item = result(emulator, post_json(emulator, TOPOLOGY, {"file_url": url, "face_level": "low"}))
    assert item["metadata"]["target_triangles"] == 100 and 50 < item["metadata"]["faces"] <= 100


# -- texture edit ---------------------------------------------------------------------------

def _fbx_of(emulator, url):
    return result(emulator, post_json(emulator, CONVERT, {"model_url": url, "output_format": "fbx"}))["asset"]


@pytest.mark.parametrize("prompt, check", [("weathered red paint", is_red), ("a glossy blue vase", is_blue)])
def test_texture_edit_paints_the_prompts_colour_on_the_same_geometry(emulator, dense_url, prompt, check):
    fbx_url = _fbx_of(emulator, dense_url)
    item = result(emulator, post_json(emulator, TEXTURE_EDIT, {"file_url": fbx_url, "prompt": prompt}))
    assert item["asset"].endswith(".glb") and item["asset_type"] == "3D_MODEL"
    source, painted = model_at(fbx_url), model_at(item["asset"])
    assert len(painted.triangles) == len(source.triangles)
    np.testing.assert_allclose(painted.bounds(), source.bounds(), atol=1e-5)
    colours = colour_at_faces(painted)
    assert check(colours).mean() > 0.6                     # the prompt's colour covers most of the surface
    assert check(np.median(colours, axis=0))


def test_texture_edit_is_deterministic_and_follows_the_prompt(emulator, dense_url):
    fbx_url = _fbx_of(emulator, dense_url)
    files = [fetch(result(emulator, post_json(emulator, TEXTURE_EDIT, {"file_url": fbx_url, "prompt": p}))["asset"])
             for p in ("mossy stone", "mossy stone", "bright candy")]
    assert files[0] == files[1] and files[0] != files[2]


def test_texture_edit_from_a_picture_takes_its_colours(emulator, dense_url):
    picture = np.zeros((64, 64, 4), np.uint8)                # green subject with a yellow band, transparent around
    picture[8:56, 8:56] = (30, 170, 40, 255)
    picture[8:18, 8:56] = (240, 220, 20, 255)
    item = result(emulator, post_json(emulator, TEXTURE_EDIT, {"file_url": _fbx_of(emulator, dense_url),
                                                               "image": data_url(encode_png(picture))}))
    colours = colour_at_faces(model_at(item["asset"]))
    green = (colours[:, 1] > 1.5 * colours[:, 0]) & (colours[:, 1] > 1.5 * colours[:, 2])
    assert green.mean() > 0.6 and item["metadata"]["colour_source"] == "picture"


def test_enable_pbr_adds_metallic_roughness_and_normal_maps(emulator, dense_url):
    item = result(emulator, post_json(emulator, TEXTURE_EDIT, {"file_url": _fbx_of(emulator, dense_url),
                                                               "prompt": "polished gold", "enable_pbr": True}))
    doc, _ = parse_glb(fetch(item["asset"]))
    material = doc["materials"][0]
    assert {"baseColorTexture", "metallicRoughnessTexture"} <= set(material["pbrMetallicRoughness"])
    assert "normalTexture" in material and len(doc["images"]) == 3 and item["metadata"]["pbr"] is True


def test_texture_edit_keeps_good_uvs_and_the_old_textures_shading(emulator, dense_url):
    textured = result(emulator, post_json(emulator, TEXTURE_EDIT, {"file_url": _fbx_of(emulator, dense_url),
                                                                   "prompt": "white marble"}))
    again = result(emulator, post_json(emulator, TEXTURE_EDIT, {
        "file_url": _fbx_of(emulator, textured["asset"]), "prompt": "red"}))
    assert textured["metadata"]["uvs"] == "generated atlas" and again["metadata"]["uvs"] == "kept"
    np.testing.assert_allclose(model_at(again["asset"]).uvs, model_at(textured["asset"]).uvs, atol=1e-6)
    assert is_red(np.median(texture_pixels(model_at(again["asset"])).reshape(-1, 3), axis=0))


def test_texture_edit_refuses_a_model_that_is_not_fbx(emulator, dense_url):
    balance = emulator.balance
    task = post_json(emulator, TEXTURE_EDIT, {"file_url": dense_url, "prompt": "red"})
    assert "Texture edit takes FBX models; the file at file_url is GLB." in _failed(emulator, task)
    assert emulator.balance == balance


# -- bake and chains ------------------------------------------------------------------------

def test_bake_puts_the_high_polys_colours_on_the_low_poly(emulator):
    high_url = hosted(emulator, two_colour_ball())
    low_url = result(emulator, post_json(emulator, TOPOLOGY, {"file_url": high_url, "face_level": "low"}))["asset"]
    item = result(emulator, post_json(emulator, BAKE, {"original_url": high_url, "retopo_url": low_url,
                                                       "texture_resolution": 256}))
    baked, low = model_at(item["asset"]), model_at(low_url)
    assert len(baked.triangles) == len(low.triangles)
    np.testing.assert_allclose(baked.bounds(), low.bounds(), atol=1e-5)
    assert decode_png(baked.texture_png).shape[:2] == (256, 256)
    colours = colour_at_faces(baked)
    height = baked.triangles[:, :, 1].mean(axis=1)
    top, bottom = height > 0.6, height < 0.4                   # clear of the equator
    assert is_red(colours[top]).mean() > 0.9 and is_blue(colours[bottom]).mean() > 0.9


def test_bake_caps_the_resolution_and_writes_the_requested_format(emulator):
    high_url = hosted(emulator, two_colour_ball(12, 24))
    item = result(emulator, post_json(emulator, BAKE, {"original_url": high_url, "retopo_url": high_url,
                                                       "texture_resolution": 8192, "output_format": "fbx"}))
    assert item["asset"].endswith(".fbx") and "capped at 512" in item["metadata"]["note"]
    assert decode_png(read_model(fetch(item["asset"])).texture_png).shape[:2] == (512, 512)


def test_one_jobs_result_url_is_the_next_jobs_input(emulator):
    """The chain an artist's retexture-then-retopo-then-bake runs: every input is a previous result URL."""
    copy = hosted(emulator, ball_and_block(), fmt="fbx")              # convert with model_file → FBX
    painted = result(emulator, post_json(emulator, TEXTURE_EDIT, {"file_url": copy, "prompt": "red"}))["asset"]
    retopo = result(emulator, post_json(emulator, TOPOLOGY, {"file_url": painted, "face_level": "medium"}))
    baked = result(emulator, post_json(emulator, BAKE, {"original_url": painted, "retopo_url": retopo["asset"],
                                                        "texture_resolution": 256}))
    assert [e["endpoint"] for e in emulator.accepted] == [CONVERT, TEXTURE_EDIT, TOPOLOGY, BAKE]
    assert is_red(colour_at_faces(model_at(baked["asset"]))).mean() > 0.8
    assert json.dumps(baked["metadata"])                       # metadata stays plain JSON
