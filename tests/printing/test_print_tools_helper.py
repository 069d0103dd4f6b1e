"""Every print tool driven through its operator, so it runs in the helper Blender.

The same cases as the function tests next door (repairs, hollowing, drains,
scale + STL in mm, decimation, GLB, the check), checked on the object in
the user's scene after the pump applied the helper's result; plus what only
the helper path has: the operator returns at once, the result replaces the
mesh (materials kept), a mesh changed or deleted meanwhile gets the result
as a new object beside it, and Cancel stops the helper's work.
"""

import time

import bmesh
import bpy
import pytest
from print_helpers import BROKEN, BROKEN_IDS, cube, read_binary_stl, with_hole

from ai_studio_bridge.addon.printing import compat
from ai_studio_bridge.addon.printing.check import check_object

pytestmark = pytest.mark.blender


@pytest.fixture(scope="module")
def addon_once(tmp_path_factory):
    """The add-on registered once for the module: one helper Blender serves every test."""
    from ai_studio_bridge import addon
    from ai_studio_bridge.addon.helper import runtime
    from ai_studio_bridge.addon.jobs import session
    session.ENGINE_OPTIONS.update(home=tmp_path_factory.mktemp("home"))
    addon.register()
    try:
        yield runtime
    finally:
        addon.unregister()
        session.ENGINE_OPTIONS.clear()


@pytest.fixture
def tools(addon_once, scene):
    from ai_studio_bridge.addon.jobs import session
    session.STATE.messages.clear()
    yield scene.aistudio.printing
    # The helper did the work: it is running, and nothing fell back to the main thread.
    assert addon_once.current() is not None and addon_once.current().starts >= 1
    assert not [t for lvl, t, _ in session.STATE.messages if "main thread instead" in t]


def _run(operator, **kw):
    """Call the operator like a button does and pump until its local job is over."""
    from ai_studio_bridge.addon.jobs import pump, session
    assert operator(**kw) == {"FINISHED"}
    view = session.STATE.jobs[session.STATE.order[0]]
    assert view.kind == "local" and view.state == "RUNNING"
    assert pump.wait_all(120), view
    return view


def _done(operator, **kw):
    view = _run(operator, **kw)
    assert view.state == "DONE", view.error
    assert view.seconds > 0 and view.progress == 100
    return view



@pytest.mark.parametrize("build,volume", BROKEN, ids=BROKEN_IDS)
def test_make_manifold_repairs_in_the_helper(tools, make, build, volume):
    ob = make("broken", build)
    red = bpy.data.materials.new("Red")
    ob.data.materials.append(red)
    mesh_name = ob.data.name
    _done(bpy.ops.aistudio.make_manifold)
    after = check_object(ob)
    assert after.watertight and after.loose_parts == 1
    assert after.volume_bu3 == pytest.approx(volume, rel=0.005)
    # The same object and mesh name, the user's own material, no copies appended.
    assert ob.data.name == mesh_name and [m.name for m in ob.data.materials] == ["Red"]
    assert sorted(m.name for m in bpy.data.materials) == ["Red"]
    assert len(bpy.data.meshes) == 1 and len(bpy.data.objects) == 1


def test_make_manifold_keeps_a_hollow_cavity(tools, make):
    def build(bm):
        cube(bm)
        inner = cube(bm, size=1.0)["verts"]
        bmesh.ops.reverse_faces(bm, faces=list({f for v in inner for f in v.link_faces}))
    ob = make("shell", build)
    _done(bpy.ops.aistudio.make_manifold)
    assert check_object(ob).volume_bu3 == pytest.approx(7.0, rel=0.005)


def test_hollow_sphere_to_the_wall_in_mm(tools, make, scene):
    scene.unit_settings.scale_length = 0.01     # 1 BU = 1 cm: a 2 cm ball, 1 mm wall
    ob = make("s", lambda bm: bmesh.ops.create_uvsphere(bm, u_segments=64, v_segments=32,
                                                       radius=1.0))
    outer = check_object(ob).volume_bu3
    tools.wall_thickness_mm = 1.0
    view = _done(bpy.ops.aistudio.hollow)
    after = check_object(ob)
    assert after.watertight and after.self_intersections == 0
    inner = outer * 0.9 ** 3
    assert after.volume_bu3 == pytest.approx(outer - inner, rel=0.05)
    from ai_studio_bridge.addon.jobs import session
    method = "SDF" if compat.has_sdf_nodes() else "offset shell"
    assert any(method in text for _lvl, text, _t in session.STATE.messages), view


def test_hollow_cube_with_drain_holes(tools, make, scene):
    scene.unit_settings.scale_length = 0.001    # 1 BU = 1 mm: a 20 mm cube, 2 mm wall
    ob = make("c", lambda bm: cube(bm, size=20.0))
    tools.wall_thickness_mm, tools.drain_holes, tools.drain_diameter_mm = 2.0, 2, 3.0
    _done(bpy.ops.aistudio.hollow)
    after = check_object(ob)
    assert after.watertight and after.loose_parts == 1   # the holes join cavity and outside
    material = 20.0 ** 3 - 16.0 ** 3
    assert material * 0.97 < after.volume_bu3 < material


def test_hollow_refuses_a_wall_thicker_than_the_model_at_once(tools, make, scene):
    scene.unit_settings.scale_length = 0.001
    make("c", lambda bm: cube(bm, size=1.0))
    tools.wall_thickness_mm = 0.6
    with pytest.raises(RuntimeError, match="thickness"):
        bpy.ops.aistudio.hollow()



@pytest.mark.parametrize("unit_scale", [1.0, 0.01])
def test_h0_scale_then_stl_in_mm(tools, make, scene, tmp_path, unit_scale):
    scene.unit_settings.scale_length = unit_scale
    ob = make("fig", lambda bm: cube(bm, size=3.0))
    other = make("other", lambda bm: cube(bm, size=9.0, at=(20, 0, 0)))
    ob.select_set(True)
    bpy.context.view_layer.objects.active = ob
    tools.scale = "h0"
    _done(bpy.ops.aistudio.scale_miniature)
    tools.stl_path = str(tmp_path / "fig.stl")
    _done(bpy.ops.aistudio.export_stl)
    count, zmin, zmax = read_binary_stl(tmp_path / "fig.stl")
    assert count == 12                           # only the chosen object
    assert zmax - zmin == pytest.approx(1750.0 / 87.0, rel=1e-4)
    assert other.select_get() and ob.select_get()   # the user's selection is untouched


def test_decimate_replaces_the_mesh_and_keeps_uvs(tools, make):
    def build(bm):
        bm.loops.layers.uv.new("UVMap")
        bmesh.ops.create_uvsphere(bm, u_segments=128, v_segments=64, radius=1.0, calc_uvs=True)
    ob = make("hi", build)
    tools.target_faces = 2000
    _done(bpy.ops.aistudio.decimate)
    faces = sum(len(p.vertices) - 2 for p in ob.data.polygons)
    assert 1800 <= faces <= 2000 and all(len(p.vertices) == 3 for p in ob.data.polygons)
    assert len(ob.data.uv_layers) == 1
    uvs = [0.0] * (2 * len(ob.data.loops))
    ob.data.uv_layers[0].data.foreach_get("uv", uvs)
    assert max(uvs) > 0.9 and min(uvs) < 0.1


def test_glb_export_says_whether_draco_was_used(tools, make, tmp_path):
    make("c", lambda bm: bmesh.ops.create_uvsphere(bm, u_segments=32, v_segments=16, radius=1.0))
    tools.glb_path, tools.draco = str(tmp_path / "c.glb"), True
    _done(bpy.ops.aistudio.export_glb)
    data = (tmp_path / "c.glb").read_bytes()
    assert data[:4] == b"glTF"
    assert (b"KHR_draco_mesh_compression" in data) == compat.draco_available()


def test_print_check_fills_the_report_in_mm_and_ml(tools, make, scene):
    scene.unit_settings.scale_length = 0.001
    make("c", lambda bm: cube(bm, size=20.0))
    _done(bpy.ops.aistudio.print_check)
    report = tools.last_report
    assert "Watertight: yes" in report and "Volume: 8.00 ml" in report and "Height: 20.0 mm" in report


def test_a_mesh_changed_meanwhile_gets_the_result_beside_it(tools, make):
    from ai_studio_bridge.addon.jobs import pump
    ob = make("broken", with_hole)
    assert bpy.ops.aistudio.make_manifold() == {"FINISHED"}
    ob.data.vertices[0].co.z += 0.5       # the artist keeps working while the helper does
    edited = [tuple(v.co) for v in ob.data.vertices]
    assert pump.wait_all(120)
    assert [tuple(v.co) for v in ob.data.vertices] == edited   # nothing overwritten
    (result,) = [o for o in bpy.data.objects if o is not ob]
    assert result.name == "broken manifold" and check_object(result).watertight
    assert result.location.x == pytest.approx(ob.location.x + 2.0)   # one width to the right


def test_a_deleted_object_gets_the_result_as_a_new_object(tools, make):
    from ai_studio_bridge.addon.jobs import pump
    ob = make("gone", with_hole)
    assert bpy.ops.aistudio.make_manifold() == {"FINISHED"}
    bpy.data.objects.remove(ob)
    assert pump.wait_all(120)
    (result,) = bpy.data.objects
    assert result.name.startswith("gone") and check_object(result).watertight


def test_cancel_stops_the_helper_and_leaves_the_object(tools, make):
    from ai_studio_bridge.addon.jobs import pump, session
    ob = make("hi", lambda bm: bmesh.ops.create_uvsphere(bm, u_segments=256, v_segments=128,
                                                         radius=1.0))
    before = len(ob.data.polygons)
    tools.target_faces = 500
    assert bpy.ops.aistudio.decimate() == {"FINISHED"}
    job_id = session.STATE.order[0]
    assert bpy.ops.aistudio.cancel_job(job_id=job_id) == {"FINISHED"}
    assert pump.wait_all(30)
    assert session.STATE.jobs[job_id].state == "CANCELLED"
    assert len(ob.data.polygons) == before


def test_moving_the_object_meanwhile_still_gets_its_mesh_replaced(tools, make):
    from ai_studio_bridge.addon.jobs import pump
    ob = make("moved", with_hole)
    assert bpy.ops.aistudio.make_manifold() == {"FINISHED"}
    ob.location.x += 3.0                      # only the transform: the repair still fits
    assert pump.wait_all(120)
    assert list(bpy.data.objects) == [ob] and check_object(ob).watertight
    assert ob.location.x == pytest.approx(3.0)


def test_a_result_waits_while_its_object_is_in_edit_mode(tools, make):
    from ai_studio_bridge.addon.jobs import localjobs, pump, session
    ob = make("editing", with_hole)
    assert bpy.ops.aistudio.make_manifold() == {"FINISHED"}
    job_id = session.STATE.order[0]
    bpy.ops.object.mode_set(mode="EDIT")
    view = session.STATE.jobs[job_id]
    deadline = time.monotonic() + 120
    while view.stage != "Waiting for Object Mode":
        assert time.monotonic() < deadline, view
        pump.pump_once()
        time.sleep(0.01)
    assert view.state == "RUNNING" and localjobs.busy()
    bpy.ops.object.mode_set(mode="OBJECT")      # no edits made: the repair applies
    assert pump.wait_all(30)
    assert view.state == "DONE" and list(bpy.data.objects) == [ob]
    assert check_object(ob).watertight
