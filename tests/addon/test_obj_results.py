"""OBJ results arrive with their material and texture: the MTL the OBJ names, the pictures beside it.

The panel's "OBJ" asks the service for the zip (OBJ + MTL + textures): a bare
OBJ names an MTL it does not bring. Zips are imported by the helper Blender and
by the in-process fallback alike.
"""

import bpy
import numpy as np
import pytest
from addon_helpers import ai_objects, last_job, pump_until, wait_imported

from bench.addon_bench import write_textured_glb

pytestmark = pytest.mark.blender


def _textures(top):
    """Image datablocks the result's materials use, with how many pixels each really has."""
    found = {}
    for ob in [top, *top.children_recursive]:
        if ob.type != "MESH":
            continue
        for material in ob.data.materials:
            for node in (material.node_tree.nodes if material and material.node_tree else ()):
                if node.type == "TEX_IMAGE" and node.image is not None:
                    pixels = np.empty(len(node.image.pixels), np.float32)
                    node.image.pixels.foreach_get(pixels)
                    found[node.image.name] = (tuple(node.image.size), float(pixels.std()))
    return found


def _textured_source(tmp_path):
    path = tmp_path / "textured.glb"
    write_textured_glb(path, triangles=2_000, texture_px=32)
    bpy.ops.import_scene.gltf(filepath=str(path))
    source = next(o for o in bpy.context.selected_objects if o.type == "MESH")
    bpy.context.view_layer.objects.active = source
    return source


def test_converting_to_obj_in_the_panel_brings_the_material_and_texture(studio, tmp_path):
    _textured_source(tmp_path)
    tools = bpy.context.scene.aistudio.tools
    tools.tool, tools.output_format = "CONVERT", "obj"
    assert bpy.ops.aistudio.mesh_tool() == {"FINISHED"}
    view = wait_imported()
    (submit,) = [a for a in studio.accepted if "/tools/convert/" in a["endpoint"]]
    assert submit["body"]["output_format"] == "obj_zip"
    assert any(f.endswith(".mtl") for f in view.files)
    (result,) = [o for o in ai_objects() if o.name.endswith("converted")]
    textures = _textures(result)
    assert textures, "the OBJ arrived without its material's texture"
    ((size, spread),) = textures.values()
    assert size == (32, 32) and spread > 0.01          # real pixels, not a missing-file pink


@pytest.mark.parametrize("helper", [True, False], ids=["helper", "in-process"])
def test_an_obj_zip_result_imports_with_its_mtl_and_texture(studio, tmp_path, helper):
    from ai_studio_bridge.addon.helper import runtime
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.bridge.api import tools
    source = tmp_path / "in.glb"
    write_textured_glb(source, triangles=2_000, texture_px=32)
    engine = session.engine()
    job_id = engine.submit(tools.ConvertRequest(model_file=str(source), output_format="obj_zip"),
                           output_dir=str(tmp_path / "results"))
    pump_until(lambda: engine.job(job_id).state == "DONE")
    runtime.OPTIONS["enabled"] = helper
    try:
        assert bpy.ops.aistudio.import_result(job_id=job_id) == {"FINISHED"}
    finally:
        runtime.OPTIONS.pop("enabled", None)
    (top,) = ai_objects()
    assert [m.name for o in [top, *top.children_recursive] if o.type == "MESH"
            for m in o.data.materials if m]
    ((size, spread),) = _textures(top).values()
    assert size == (32, 32) and spread > 0.01
    assert last_job().job_id == job_id
