"""The model tools' files as Blender's own importers (FBX, OBJ, glTF in the bpy wheel) read them."""

import io
import zipfile

import numpy as np
import pytest
from emu_helpers import SAMPLES, data_url, fetch, submit
from model_helpers import (
    BAKE,
    CONVERT,
    TEXTURE_EDIT,
    TOPOLOGY,
    ball_and_block,
    hosted,
    is_blue,
    is_red,
    model_at,
    post_json,
    result,
    two_colour_ball,
    upload,
)

from bridge.pngcodec import decode_png

bpy = pytest.importorskip("bpy")

pytestmark = pytest.mark.blender


def _meshes():
    return [o for o in bpy.context.scene.objects if o.type == "MESH"]


def _import(path):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    suffix = str(path).rsplit(".", 1)[-1]
    {"fbx": bpy.ops.import_scene.fbx, "glb": bpy.ops.import_scene.gltf,
     "obj": bpy.ops.wm.obj_import}[suffix](filepath=str(path))
    meshes = _meshes()
    assert len(meshes) == 1, [o.name for o in meshes]
    return meshes[0]


def _world_gltf(obj) -> np.ndarray:
    """World-space vertex positions in glTF axes (Blender (x, y, z) → glTF (x, z, -y))."""
    co = np.array([obj.matrix_world @ v.co for v in obj.data.vertices])
    return np.stack([co[:, 0], co[:, 2], -co[:, 1]], axis=1)


def _world_gltf_point(obj, index):
    x, y, z = obj.matrix_world @ obj.data.vertices[index].co
    return x, z, -y


def _rows(a, decimals=4):
    a = np.round(np.asarray(a, dtype=np.float64), decimals) + 0.0
    return a[np.lexsort(a.T[::-1])]


def _image_of(obj, socket="Base Color"):
    principled = next(n for n in obj.active_material.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
    links = principled.inputs[socket].links
    assert links, f"nothing drives {socket}"
    return links[0].from_node


def _pixels(image) -> np.ndarray:
    """(H, W, 3) sRGB 0–255, top row first (Blender stores rows bottom-up)."""
    width, height = image.size
    flat = np.empty(width * height * 4, dtype=np.float32)
    image.pixels.foreach_get(flat)
    return np.flipud(flat.reshape(height, width, 4))[..., :3] * 255.0


def _face_colours(obj) -> tuple[np.ndarray, np.ndarray]:
    """(per polygon sRGB colour at its UV centre, polygon centre height in Blender Z)."""
    pixels = _pixels(_image_of(obj).image)
    uv_layer = obj.data.uv_layers.active.data
    colours, heights = [], []
    for poly in obj.data.polygons:
        uv = np.mean([uv_layer[i].uv[:] for i in poly.loop_indices], axis=0)
        row = int((1.0 - uv[1]) * pixels.shape[0]) % pixels.shape[0]
        colours.append(pixels[row, int(uv[0] * pixels.shape[1]) % pixels.shape[1]])
        heights.append((obj.matrix_world @ poly.center).z)
    return np.array(colours), np.array(heights)


def test_convert_fbx_imports_with_its_geometry_uvs_and_texture(emulator, tmp_path):
    source_url = result(emulator, submit(emulator, "/v1/3d-models/trellis2/generate/",
                                         {"image": data_url(SAMPLES / "horse.png")}))["asset"]
    source = model_at(source_url)
    path = tmp_path / "model.fbx"
    path.write_bytes(fetch(result(emulator, post_json(emulator, CONVERT, {"model_url": source_url,
                                                                          "output_format": "fbx"}))["asset"]))
    obj = _import(path)
    assert len(obj.data.vertices) == len(source.positions) and len(obj.data.polygons) == source.face_count
    assert np.allclose(obj.matrix_world, np.eye(4), atol=1e-6)     # no stray rotation or 100× scale
    np.testing.assert_allclose(_rows(_world_gltf(obj)), _rows(source.positions), atol=2e-4)
    uv_layer = obj.data.uv_layers.active.data
    blender = [(*_world_gltf_point(obj, obj.data.loops[i].vertex_index), uv_layer[i].uv[0], 1 - uv_layer[i].uv[1])
               for i in range(len(obj.data.loops))]
    ours = np.concatenate([source.positions[source.corner_verts], source.corner_uvs], axis=1)
    np.testing.assert_allclose(_rows(blender, 3), _rows(ours, 3), atol=2e-3)
    image = _image_of(obj).image
    height, width = decode_png(source.texture_png).shape[:2]
    assert image.packed_file is not None and tuple(image.size) == (width, height)   # embedded in the FBX


def test_fbx_zip_texture_loads_from_beside_the_file(emulator, tmp_path):
    painted = result(emulator, post_json(emulator, TEXTURE_EDIT, {
        "file_url": hosted(emulator, ball_and_block(), fmt="fbx"), "prompt": "red"}))["asset"]
    archive = fetch(result(emulator, post_json(emulator, CONVERT, {"model_url": painted,
                                                                   "output_format": "fbx_zip"}))["asset"])
    zipfile.ZipFile(io.BytesIO(archive)).extractall(tmp_path)
    obj = _import(tmp_path / "model.fbx")
    image = _image_of(obj).image
    assert image.filepath.endswith("model_texture.png") and not image.packed_file
    assert is_red(np.median(_pixels(image).reshape(-1, 3), axis=0))


def test_a_blender_fbx_export_converts_to_the_same_world_geometry(emulator, tmp_path):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.object.empty_add(location=(0.5, -1.0, 2.0))
    parent = bpy.context.object
    parent.rotation_euler, parent.scale = (0.3, 0.2, 1.0), (2.0, 2.0, 2.0)
    bpy.ops.mesh.primitive_monkey_add()
    monkey = bpy.context.object
    monkey.location, monkey.rotation_mode = (1.0, 2.0, 3.0), "ZXY"
    monkey.rotation_euler, monkey.scale, monkey.parent = (0.5, 0.7, 1.1), (1.0, 0.5, 1.5), parent
    bpy.context.view_layer.update()
    expected = _world_gltf(monkey)
    faces = len(monkey.data.polygons)
    bpy.ops.export_scene.fbx(filepath=str(tmp_path / "scene.fbx"))
    item = result(emulator, upload(emulator, CONVERT, (tmp_path / "scene.fbx").read_bytes(), "scene.fbx",
                                   output_format="glb"))
    path = tmp_path / "converted.glb"
    path.write_bytes(fetch(item["asset"]))
    obj = _import(path)
    assert item["metadata"]["faces"] == faces                      # Suzanne's quads and triangles
    np.testing.assert_allclose(_world_gltf(obj).min(axis=0), expected.min(axis=0), atol=1e-4)
    np.testing.assert_allclose(_world_gltf(obj).max(axis=0), expected.max(axis=0), atol=1e-4)


def test_quad_retopology_imports_as_quads(emulator, tmp_path):
    url = hosted(emulator, ball_and_block())
    source = model_at(url)
    item = result(emulator, post_json(emulator, TOPOLOGY, {"file_url": url, "polygon_type": "quadrilateral",
                                                           "face_level": "medium", "output_format": "obj"}))
    path = tmp_path / "model.obj"
    path.write_bytes(fetch(item["asset"]))
    obj = _import(path)
    sizes = np.array([len(p.vertices) for p in obj.data.polygons])
    assert (sizes == 4).sum() == item["metadata"]["quads"] and (sizes == 4).mean() > 0.6
    np.testing.assert_allclose(_world_gltf(obj).min(axis=0), source.bounds()[0], atol=0.02)
    np.testing.assert_allclose(_world_gltf(obj).max(axis=0), source.bounds()[1], atol=0.02)


def test_texture_edit_glb_in_blender_is_the_prompts_colour_with_pbr_maps(emulator, tmp_path):
    fbx_url = hosted(emulator, ball_and_block(), fmt="fbx")
    item = result(emulator, post_json(emulator, TEXTURE_EDIT, {"file_url": fbx_url, "prompt": "red lacquer",
                                                               "enable_pbr": True}))
    path = tmp_path / "painted.glb"
    path.write_bytes(fetch(item["asset"]))
    obj = _import(path)
    assert len(obj.data.polygons) == model_at(fbx_url).face_count
    colours, _ = _face_colours(obj)
    assert is_red(colours).mean() > 0.6
    principled = next(n for n in obj.active_material.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
    assert principled.inputs["Metallic"].links and principled.inputs["Roughness"].links
    assert principled.inputs["Normal"].links[0].from_node.type == "NORMAL_MAP"


def test_baked_glb_in_blender_carries_the_high_polys_colours(emulator, tmp_path):
    high = hosted(emulator, two_colour_ball())
    low = result(emulator, post_json(emulator, TOPOLOGY, {"file_url": high, "face_level": "low"}))["asset"]
    item = result(emulator, post_json(emulator, BAKE, {"original_url": high, "retopo_url": low,
                                                       "texture_resolution": 256}))
    path = tmp_path / "baked.glb"
    path.write_bytes(fetch(item["asset"]))
    obj = _import(path)
    colours, heights = _face_colours(obj)
    assert is_red(colours[heights > 0.6]).mean() > 0.9 and is_blue(colours[heights < 0.4]).mean() > 0.9
