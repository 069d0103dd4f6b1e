"""Wall thickness and overhangs in the print check, and selecting those faces in Edit Mode."""

import math

import bmesh
import bpy
import numpy as np
import pytest
from mathutils import Matrix
from print_helpers import cube

from ai_studio_bridge.addon.printing.check import check_object
from ai_studio_bridge.addon.printing.hollow import hollow

pytestmark = pytest.mark.blender


def _sphere(bm):
    bmesh.ops.create_uvsphere(bm, u_segments=48, v_segments=24, radius=10.0)


def test_thickness_of_a_hollowed_sphere_in_mm(scene, make):
    scene.unit_settings.scale_length = 0.001              # 1 BU = 1 mm
    ob = make("s", _sphere)
    hollow(ob, 1.0)                                        # a 1 mm wall
    thick = check_object(ob, min_thickness_mm=1.5)
    assert len(thick.thin_faces) > 0.9 * thick.faces       # outer skin and cavity both
    assert thick.thinnest_mm == pytest.approx(1.0, abs=0.15)
    line = thick.thickness_line()
    assert line.startswith(f"Thin walls: {len(thick.thin_faces):,} faces under 1.5 mm (thinnest 1.")
    assert line in thick.lines()
    fine = check_object(ob, min_thickness_mm=0.5)
    assert len(fine.thin_faces) == 0
    assert "Thin walls: none under 0.5 mm" in fine.lines()


def test_a_solid_model_has_no_thin_walls_and_a_thin_plate_does(scene, make):
    scene.unit_settings.scale_length = 0.001
    solid = check_object(make("solid", lambda bm: cube(bm, size=20.0)), min_thickness_mm=2.0)
    assert len(solid.thin_faces) == 0
    plate = make("plate", lambda bm: bmesh.ops.create_cube(
        bm, size=1.0, matrix=Matrix.Translation((40, 0, 0)) @ Matrix.Diagonal((20, 20, 0.4, 1))))
    report = check_object(plate, min_thickness_mm=1.0)
    assert len(report.thin_faces) == 2                     # top and bottom, not the thin rim
    assert report.thinnest_mm == pytest.approx(0.4, rel=0.01)


def _mushroom(bm):
    """A stem on the plate and a wide cap: the cap's underside overhangs."""
    bmesh.ops.create_cube(bm, size=1.0, matrix=Matrix.Translation((0, 0, 1)) @ Matrix.Diagonal((1, 1, 2, 1)))
    bmesh.ops.create_cube(bm, size=1.0, matrix=Matrix.Translation((0, 0, 2.5)) @ Matrix.Diagonal((3, 3, 1, 1)))


def _down_faces(ob):
    return sorted(p.index for p in ob.data.polygons
                  if p.normal.z < -0.99 and p.center.z > 0.5)


def test_overhangs_are_downward_faces_off_the_plate(scene, make):
    ob = make("m", _mushroom)
    report = check_object(ob, overhang_angle=math.radians(45))
    assert report.overhang_faces.tolist() == _down_faces(ob)          # the cap, not the stem's foot
    # Stem sides 8 + ends 2, cap sides 12 + top and bottom 18: 9 of 40 units² hang over.
    assert report.overhang_area_fraction == pytest.approx(9 / 40, rel=1e-3)
    assert report.overhang_line() == "Overhangs: 1 face past 45° (22% of the surface)"


def test_a_report_crosses_a_process_boundary_as_json(scene, make):
    import json

    from ai_studio_bridge.addon.printing.check import PrintCheckReport
    report = check_object(make("m", _mushroom))
    again = PrintCheckReport.from_dict(json.loads(json.dumps(report.as_dict())))
    assert again.lines() == report.lines()
    assert again.overhang_faces.tolist() == report.overhang_faces.tolist()


@pytest.mark.parametrize("limit,expected", [(45, 1), (65, 0)])
def test_overhang_angle_is_measured_from_vertical(scene, make, limit, expected):
    # A cube tipped 30° about X: its underside is 60° from vertical.
    ob = make("tipped", lambda bm: cube(bm, size=2.0))
    ob.rotation_euler.x = math.radians(30)
    ob.location.z = 5
    bpy.context.view_layer.update()
    assert len(check_object(ob, overhang_angle=math.radians(limit)).overhang_faces) == expected


def _selected_faces(ob):
    bpy.ops.object.mode_set(mode="OBJECT")
    sel = np.zeros(len(ob.data.polygons), bool)
    ob.data.polygons.foreach_get("select", sel)
    return np.flatnonzero(sel).tolist()


def test_check_report_and_selecting_the_faces_in_edit_mode(scene, make, registered):
    scene.unit_settings.scale_length = 0.001
    from ai_studio_bridge.addon.jobs import pump
    settings = scene.aistudio.printing
    assert settings.min_thickness_mm == pytest.approx(0.8)
    assert settings.overhang_angle == pytest.approx(math.radians(45))
    ob = make("m", _mushroom)
    ob.scale = (10, 10, 10)                                     # 1 cm stem, 3 cm cap…
    cap = make("thin", lambda bm: bmesh.ops.create_cube(
        bm, size=1.0, matrix=Matrix.Translation((0, 0, 30)) @ Matrix.Diagonal((20, 20, 0.5, 1))))
    bpy.context.view_layer.objects.active = ob
    settings.min_thickness_mm = 0.8
    assert bpy.ops.aistudio.print_check() == {"FINISHED"}
    assert pump.wait_all(60)                                   # the check runs in the helper Blender
    assert "Thin walls: none under 0.8 mm" in settings.last_report
    assert "Overhangs: 1 face past 45°" in settings.last_report

    assert bpy.ops.aistudio.print_select_faces(kind="OVERHANG") == {"FINISHED"}
    assert pump.wait_all(60)                                   # found by the helper Blender
    assert ob.mode == "EDIT" and tuple(scene.tool_settings.mesh_select_mode) == (False, False, True)
    assert _selected_faces(ob) == _down_faces(ob)

    ob.select_set(False)
    bpy.context.view_layer.objects.active = cap                 # a 0.5 mm plate
    assert bpy.ops.aistudio.print_check() == {"FINISHED"}
    assert pump.wait_all(60)
    assert "Thin walls: 2 faces under 0.8 mm (thinnest 0.50 mm)" in settings.last_report
    assert bpy.ops.aistudio.print_select_faces(kind="THIN") == {"FINISHED"}
    assert pump.wait_all(60)
    top_bottom = sorted(p.index for p in cap.data.polygons if abs(p.normal.z) > 0.99)
    assert _selected_faces(cap) == top_bottom


def test_selecting_faces_checks_in_the_helper_and_selects_when_the_answer_comes(scene, make,
                                                                              registered,
                                                                              monkeypatch):
    """The operator returns at once (no check on the main thread); from Edit Mode too."""
    from ai_studio_bridge.addon.jobs import pump
    from ai_studio_bridge.addon.printing import check
    ob = make("m", _mushroom)
    mod = ob.modifiers.new("more faces", "SUBSURF")             # not applied: the user's own faces
    mod.levels = 1
    bpy.context.view_layer.objects.active = ob
    bpy.ops.object.mode_set(mode="EDIT")
    # Both the helper's dispatch and the in-process fallback reach it through printing.tools.
    monkeypatch.setattr(check, "check_object",
                        lambda *a, **k: pytest.fail("the print check ran on the main thread"))
    assert bpy.ops.aistudio.print_select_faces(kind="OVERHANG") == {"FINISHED"}
    assert pump.wait_all(60)
    assert ob.mode == "EDIT"
    assert _selected_faces(ob) == _down_faces(ob)


def test_a_mesh_edited_while_its_faces_are_found_is_not_given_stale_indices(scene, make,
                                                                            registered):
    from ai_studio_bridge.addon.jobs import pump, session
    ob = make("m", _mushroom)
    bpy.context.view_layer.objects.active = ob
    assert bpy.ops.aistudio.print_select_faces(kind="OVERHANG") == {"FINISHED"}
    job_id = session.STATE.order[0]
    ob.data.vertices[0].co.z += 0.5                              # edited meanwhile
    assert pump.wait_all(60)
    view = session.STATE.jobs[job_id]
    assert view.state == "FAILED" and "select them again" in view.error
    assert ob.mode == "OBJECT" and _selected_faces(ob) == []
