"""The print check's figures belong to the shape, not to where the object stands.

A subdivided Suzanne is not closed (its eyes are open shells): measured from
the world origin, its volume and which shells look inside-out changed with
its location (16.65 ml at the origin, 100.48 ml at y = -3, a false
"Inside-out shells: 1").
"""

import math

import bpy
import pytest

from ai_studio_bridge.addon.printing.check import check_object
from ai_studio_bridge.addon.printing.manifold import make_manifold

pytestmark = pytest.mark.blender


def _suzanne(location=(0.0, 0.0, 0.0), rotation=(0.0, 0.0, 0.0)):
    bpy.ops.mesh.primitive_monkey_add(size=2.0, location=location, rotation=rotation)
    ob = bpy.context.active_object
    ob.modifiers.new("Subdivision", "SUBSURF").levels = 1
    return ob


def _figures(report):
    # Positions are float32: 1e-6 of a size is noise, not a change of figure.
    return {"volume_ml": float(f"{report.volume_ml:.5g}"), "inside_out": report.inside_out,
            "cavities": report.cavities, "loose_parts": report.loose_parts,
            "holes": report.holes, "height_mm": round(report.height_mm, 1),
            "thin": len(report.thin_faces), "overhang": len(report.overhang_faces),
            "self_intersections": report.self_intersections}


@pytest.mark.parametrize("where", [(0.0, -3.0, 0.0), (40.0, 25.0, 7.0), (-1000.0, 0.0, 0.0)])
def test_the_check_does_not_change_when_the_object_moves(scene, where):
    here = _figures(check_object(_suzanne()))
    there = _figures(check_object(_suzanne(location=where)))
    assert there == here
    assert here["inside_out"] == 0
    assert 0 < here["volume_ml"] < 2 * 2 * 2 * 1e6   # inside its bounding box (2 m Suzanne)


def test_turning_it_about_the_vertical_changes_no_figure_either(scene):
    here = _figures(check_object(_suzanne()))
    turned = _figures(check_object(_suzanne(location=(0, -3, 0), rotation=(0, 0, math.pi / 2))))
    for name in ("volume_ml", "inside_out", "loose_parts", "holes", "height_mm"):
        assert turned[name] == pytest.approx(here[name], rel=1e-4), name


def test_make_manifold_decides_the_same_wherever_the_object_stands(scene):
    results = []
    for where in ((0.0, 0.0, 0.0), (0.0, -3.0, 0.0)):
        ob = _suzanne(location=where)
        bpy.ops.object.modifier_apply(modifier="Subdivision")
        make_manifold(ob)
        results.append(_figures(check_object(ob)))
    assert results[0] == results[1]
