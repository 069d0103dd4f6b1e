"""The files the emulator returns are real and follow the input."""

import io
import json
import struct
import zipfile

import numpy as np
import pytest
from emu_helpers import SAMPLES, asset, data_url, fetch, finish, glb_extent, submit

from bridge.api.miniature import target_height_cm
from bridge.emulator.gltf_read import read_glb
from bridge.pngcodec import decode_png, encode_png

RAPID = "/v1/3d-models/tencent/generate/rapid/"
MINI = "/v1/flow/miniature/"


def _picture(width, height, canvas=(300, 300)):
    """A transparent canvas with one opaque red rectangle of the given size."""
    img = np.zeros((canvas[1], canvas[0], 4), dtype=np.uint8)
    top, left = (canvas[1] - height) // 2, (canvas[0] - width) // 2
    img[top:top + height, left:left + width] = (220, 30, 30, 255)
    return encode_png(img)


@pytest.mark.parametrize("width, height", [(200, 100), (60, 240), (150, 150)])
def test_picture_model_follows_the_silhouette_aspect(emulator, width, height):
    task = submit(emulator, "/v1/3d-models/trellis2/generate/", {"image": data_url(_picture(width, height))})
    glb = fetch(asset(finish(emulator, task), "3D_MODEL")["asset"])
    extent = glb_extent(glb)
    assert extent[0] / extent[1] == pytest.approx(width / height, rel=0.05)
    assert extent[2] < min(extent[0], extent[1])           # extruded, not a block
    assert read_glb(glb).texture_png is not None            # textured with the picture


def test_opaque_picture_uses_difference_from_border(emulator):
    img = np.full((200, 200, 3), 255, dtype=np.uint8)
    img[20:180, 80:120] = (0, 0, 200)                      # a tall blue bar on white
    task = submit(emulator, RAPID, {"image": data_url(encode_png(img))})
    extent = glb_extent(fetch(asset(finish(emulator, task), "3D_MODEL")["asset"]))
    assert extent[0] / extent[1] == pytest.approx(40 / 160, rel=0.1)


def test_jpeg_input_gives_a_labelled_generic_shape(emulator):
    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 64
    task = submit(emulator, RAPID, {"image": data_url(jpeg, "image/jpeg")})
    meta = asset(finish(emulator, task), "3D_MODEL")["metadata"]
    assert meta["source"] == "generic" and "jpeg" in meta["note"]


def test_prompts_give_distinct_deterministic_shapes(emulator):
    files = {}
    for prompt in ("a wooden chair", "a tall tree", "a wooden chair", "zork"):
        task = submit(emulator, RAPID, {"prompt": prompt})
        result = asset(finish(emulator, task), "3D_MODEL")
        files.setdefault(prompt, []).append(fetch(result["asset"]))
    chair, tree = files["a wooden chair"], files["a tall tree"]
    assert chair[0] == chair[1]
    assert chair[0] != tree[0] != files["zork"][0]


def _miniature(emulator, **fields):
    task = submit(emulator, MINI, {"image": data_url(SAMPLES / "chair.png"), **fields})
    return finish(emulator, task)


@pytest.mark.parametrize("preset, has_base", [("miniature_object", True), ("v4_miniature_general", True),
                                              ("v2_miniature_object", False),
                                              ("v3_miniature_human_full_body_waving", False)])
def test_miniature_base_present_or_absent_by_preset(emulator, preset, has_base):
    body = _miniature(emulator, preset=preset)
    mesh = read_glb(fetch(asset(body, "3D_MODEL")["asset"]))
    assert ("base" in mesh.primitive_materials) == has_base
    bottom = mesh.triangles.reshape(-1, 3)
    low = bottom[:, 1] <= bottom[:, 1].min() + 1e-4
    footprint = np.ptp(bottom[low][:, [0, 2]], axis=0)
    # A round base is as deep as it is wide; the bare figure's bottom is a thin slab.
    assert (footprint[1] > 0.5 * footprint[0]) == has_base


@pytest.mark.parametrize("scale, height_cm", [("h0", None), ("1:10", None), ("custom", 7.5)])
def test_scaled_model_height_is_the_printed_height(emulator, scale, height_cm):
    fields = {"preset": "miniature_object", "scale": scale}
    if height_cm:
        fields["scale_height_cm"] = height_cm
    body = _miniature(emulator, **fields)
    extent = glb_extent(fetch(asset(body, "SCALED_3D_MODEL")["asset"]))
    assert extent[1] == pytest.approx(target_height_cm(scale, height_cm) / 100, rel=1e-3)


def test_miniature_returns_grey_edited_image_and_obj_archive(emulator):
    body = _miniature(emulator, preset="miniature_object")
    assert not [r for r in body["results"] if r["asset_type"] == "SCALED_3D_MODEL"]
    edited = decode_png(fetch(asset(body, "EDITED_IMAGE")["asset"]))
    assert edited.shape[2] == 3 and tuple(edited[0, 0]) == (0xBE, 0xBE, 0xBE)
    names = zipfile.ZipFile(io.BytesIO(fetch(asset(body, "ARCHIVE")["asset"]))).namelist()
    assert {n.rsplit(".", 1)[-1] for n in names} >= {"obj", "mtl"}


def test_image_generation_and_edits_return_pngs(emulator):
    gen = finish(emulator, submit(emulator, "/v1/images/gemini/2.5/flash/generate/",
                                  {"prompt": "a red fox", "num_images": 2, "aspect_ratio": "16:9"}))
    pics = [decode_png(fetch(r["asset"])) for r in gen["results"]]
    assert len(pics) == 2 and pics[0].shape[:2] == (288, 512)
    grey = finish(emulator, submit(emulator, "/v1/images/seedream/v5/lite/edit/",
                                   {"prompt": "put it on a grey background",
                                    "image_urls": [data_url(SAMPLES / "robot.png")]}))
    out = decode_png(fetch(grey["results"][0]["asset"]))
    assert tuple(out[0, 0]) == (0xBE, 0xBE, 0xBE)
    tint = finish(emulator, submit(emulator, "/v1/images/gemini/3/pro/edit/",
                                   {"prompt": "make it golden", "images": [data_url(SAMPLES / "robot.png")]}))
    original = decode_png((SAMPLES / "robot.png").read_bytes())
    assert np.abs(decode_png(fetch(tint["results"][0]["asset"])).astype(int) - original).max() > 30


def _model_url(emulator, prompt="a table"):
    return asset(finish(emulator, submit(emulator, RAPID, {"prompt": prompt})), "3D_MODEL")["asset"]


def test_convert_to_stl_in_millimetres(emulator):
    url = _model_url(emulator)
    source = read_glb(fetch(url)).triangles
    body = finish(emulator, submit(emulator, "/v1/tools/convert/",
                                   {"model_url": url, "output_format": "stl"}))
    stl = fetch(body["results"][0]["asset"])
    count = struct.unpack("<I", stl[80:84])[0]
    assert count == len(source) and len(stl) == 84 + 50 * count
    verts = np.frombuffer(stl[84:], dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])["v"]
    assert np.ptp(verts[..., 1]) == pytest.approx(np.ptp(source[..., 1]) * 1000, rel=1e-4)


def test_volume_is_computed_from_the_mesh(emulator, tmp_path):
    from bridge.emulator.glb import write_glb
    from bridge.emulator.mesh import Material, box, part_from_triangles
    cube = write_glb([part_from_triangles(box((0, 0.05, 0), (0.1, 0.1, 0.1)), Material())])
    import requests
    resp = requests.post(emulator.url + "/v1/tools/calculate-volume/", timeout=30,
                         headers={"Authorization": "Bearer test-key"},
                         data={"target_heights": "5,20", "unit": "cm"},
                         files={"model_file": ("cube.glb", cube)})
    body = finish(emulator, resp.json()["task_id"])
    meta = body["results"][0]["metadata"]
    assert meta["volume"] == pytest.approx(1000.0, rel=1e-6)          # 10 cm cube
    assert [v["volume"] for v in meta["volumes"]] == pytest.approx([125.0, 8000.0])
    assert json.loads(fetch(body["results"][0]["asset"]))["volume"] == pytest.approx(1000.0)


def test_render_and_pass_through_tools(emulator):
    url = _model_url(emulator, "a sword")
    render = finish(emulator, submit(emulator, "/v1/tools/render/", {"model_url": url, "angle": "front"}))
    pixels = decode_png(fetch(render["results"][0]["asset"]))
    covered = pixels[..., 3] > 0
    assert 0.02 < covered.mean() < 0.9                      # a silhouette, not a blank or a block
    repair = finish(emulator, submit(emulator, "/v1/tools/repair/", {"model_url": url}))
    assert repair["results"][0]["metadata"] == {"emulated": "pass-through"}
    assert fetch(repair["results"][0]["asset"]) == fetch(url)
