"""Cloud print results come back at their true size, beside the object they were made from.

"Run in Cloud" sends an STL in millimetres and says so in the job's meta
(``unit``); the result, an STL in mm too, must land at its real size in scene
units (``unit_settings.scale_length``), not 1000 times too large, and beside
its source: touching its +X side, centred on it, on the same ground.
"""

import bpy
import pytest
from addon_helpers import ai_objects, wait_imported
from mathutils import Vector

pytestmark = pytest.mark.blender


def _bounds(objects):
    bpy.context.view_layer.update()
    corners = [o.matrix_world @ Vector(c) for o in objects if o.type == "MESH" for c in o.bound_box]
    return (Vector([min(c[i] for c in corners) for i in range(3)]),
            Vector([max(c[i] for c in corners) for i in range(3)]))


def _tree(top):
    return [top, *top.children_recursive]


def _assert_origin_at_mesh(result):
    """The result's origin is at its mesh (within its bounds), not where the source stood."""
    lo, hi = _bounds(_tree(result))
    origin = result.matrix_world.translation
    slack = 1e-4 * max((hi - lo).length, 1e-9)
    assert all(lo[i] - slack <= origin[i] <= hi[i] + slack for i in range(3)), (origin, lo, hi)


def _assert_beside(result, source, unit):
    _assert_origin_at_mesh(result)
    (lo, hi), (s_lo, s_hi) = _bounds(_tree(result)), _bounds([source])
    assert lo.x == pytest.approx(s_hi.x, abs=1e-4 * unit)                 # touching its +X side
    assert (lo.y + hi.y) / 2 == pytest.approx((s_lo.y + s_hi.y) / 2, abs=1e-4 * unit)
    assert lo.z == pytest.approx(s_lo.z, abs=1e-4 * unit)                 # on the same ground


@pytest.fixture(params=[True, False], ids=["helper", "in-process"])
def helper(request):
    """The helper Blender's import, and the in-process fallback's."""
    from ai_studio_bridge.addon.helper import runtime
    runtime.OPTIONS["enabled"] = request.param
    yield request.param
    runtime.OPTIONS.pop("enabled", None)


@pytest.mark.parametrize("scale_length", [1.0, 0.001], ids=["metres", "millimetres"])
def test_cloud_repair_of_a_10_cm_object_arrives_10_cm_tall_beside_it(studio, scale_length, helper):
    scene = bpy.context.scene
    scene.unit_settings.scale_length = scale_length
    unit = 1.0 / scale_length                                      # scene units in a metre
    bpy.ops.mesh.primitive_cube_add(size=0.1 * unit, location=(1.0 * unit, 2.0 * unit, 0.3 * unit))
    source = bpy.context.active_object
    source.name = "Figure"
    assert bpy.ops.aistudio.print_cloud(step="repair") == {"FINISHED"}
    view = wait_imported()
    assert view.meta["unit"] == "mm" and any(f.endswith(".stl") for f in view.files)
    (result,) = ai_objects()
    assert result.name == "Figure repaired"
    lo, hi = _bounds(_tree(result))
    assert (hi.z - lo.z) * scale_length == pytest.approx(0.10, rel=1e-3)   # 10 cm, not 100 m
    assert (hi.x - lo.x) * scale_length == pytest.approx(0.10, rel=1e-3)
    assert tuple(result.scale) == pytest.approx((1, 1, 1))                 # true size in the mesh
    _assert_beside(result, source, unit)


def test_cloud_optimize_of_a_moved_rotated_object_lands_beside_it(studio):
    bpy.ops.mesh.primitive_monkey_add(location=(-3.0, 1.5, 2.0), rotation=(0.0, 0.0, 0.6))
    source = bpy.context.active_object
    assert bpy.ops.aistudio.print_cloud(step="decimate") == {"FINISHED"}
    wait_imported()
    (result,) = ai_objects()
    _assert_beside(result, source, 1.0)
    (lo, hi), (s_lo, s_hi) = _bounds(_tree(result)), _bounds([source])
    assert (hi - lo).length == pytest.approx((s_hi - s_lo).length, rel=1e-3)   # its size, as sent


def test_a_model_tools_stl_is_read_in_its_unit(studio):
    """An STL result of convert (the CLI's ``--unit``, or the service's mm) is sized by its unit."""
    bpy.ops.mesh.primitive_cube_add(size=0.2, location=(0, 0, 0.1))
    tools = bpy.context.scene.aistudio.tools
    tools.tool, tools.output_format = "CONVERT", "stl"
    assert bpy.ops.aistudio.mesh_tool() == {"FINISHED"}
    wait_imported()
    (result,) = ai_objects()
    lo, hi = _bounds(_tree(result))
    assert hi.z - lo.z == pytest.approx(0.2, rel=1e-3)
