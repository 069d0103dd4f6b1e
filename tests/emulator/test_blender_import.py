"""Every kind of GLB the emulator makes imports into real Blender (the bpy wheel)."""

import pytest
from emu_helpers import SAMPLES, asset, data_url, fetch, finish, submit

bpy = pytest.importorskip("bpy")

pytestmark = pytest.mark.blender


def _import(path):
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.ops.import_scene.gltf(filepath=str(path))
    return [o for o in bpy.context.scene.objects if o.type == "MESH"]


def _textures(obj):
    return [n.image for slot in obj.material_slots if slot.material and slot.material.node_tree
            for n in slot.material.node_tree.nodes if n.type == "TEX_IMAGE" and n.image]


def test_produced_glbs_import_with_mesh_material_and_texture(emulator, tmp_path):
    jobs = {
        "prompt": (submit(emulator, "/v1/3d-models/tripo/text-to-3d/", {"prompt": "a friendly robot"}),
                   "3D_MODEL", False),
        "picture": (submit(emulator, "/v1/3d-models/trellis2/generate/",
                           {"image": data_url(SAMPLES / "horse.png")}), "3D_MODEL", True),
        "miniature": (submit(emulator, "/v1/flow/miniature/", {"image": data_url(SAMPLES / "flamingo.png"),
                                                               "preset": "miniature_animal", "scale": "o"}),
                      "SCALED_3D_MODEL", True),
    }
    for name, (task, asset_type, textured) in jobs.items():
        path = tmp_path / f"{name}.glb"
        path.write_bytes(fetch(asset(finish(emulator, task), asset_type)["asset"]))
        meshes = _import(path)
        assert len(meshes) == 1, name
        obj = meshes[0]
        assert len(obj.data.polygons) > 10, name
        assert obj.material_slots and obj.material_slots[0].material is not None, name
        images = _textures(obj)
        assert bool(images) == textured, name
        if textured:
            assert images[0].size[0] > 0
    # The scaled miniature keeps its printed height through the import (1:48 → 175/48 cm).
    assert max(obj.dimensions) == pytest.approx(1.75 / 48, rel=1e-3)
