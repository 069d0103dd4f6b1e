"""Print check figures and make-manifold on the typical broken meshes."""

import bmesh
import bpy
import pytest
from print_helpers import BROKEN, BROKEN_IDS, cube

from ai_studio_bridge.addon.printing.check import check_object
from ai_studio_bridge.addon.printing.manifold import make_manifold

pytestmark = pytest.mark.blender


def test_check_reports_a_clean_cube_in_mm_and_ml(scene, make):
    scene.unit_settings.scale_length = 0.001      # 1 BU = 1 mm
    ob = make("c", lambda bm: cube(bm, size=20.0))
    report = check_object(ob)
    assert report.watertight and report.holes == 0 and report.loose_parts == 1
    assert report.self_intersections == 0
    assert report.height_mm == pytest.approx(20.0)
    assert report.volume_ml == pytest.approx(8.0)          # 2 cm cube = 8 ml


def test_check_finds_hole_parts_and_intersections(scene, make):
    def build(bm):
        cube(bm)
        cube(bm, at=(1.0, 0.3, 0.2))
        bm.faces.ensure_lookup_table()
        bmesh.ops.delete(bm, geom=[bm.faces[0]], context="FACES_ONLY")
    report = check_object(make("b", build))
    assert not report.watertight
    assert report.holes == 1 and report.non_manifold_edges == 4
    assert report.loose_parts == 2
    assert report.self_intersections > 0



@pytest.mark.parametrize("build,volume", BROKEN, ids=BROKEN_IDS)
def test_make_manifold_repairs_to_watertight_with_true_volume(scene, make, build, volume):
    ob = make("broken", build)
    before = check_object(ob)
    # Unwelded copies are no hole to a slicer, but the check still names them.
    assert not (before.watertight and before.loose_parts == 1 and before.self_intersections == 0
                and before.seam_splits == 0)
    report = make_manifold(ob)
    after = check_object(ob)
    assert report.watertight and after.watertight
    assert after.non_manifold_edges == 0 and after.holes == 0 and after.loose_parts == 1
    assert after.volume_bu3 == pytest.approx(volume, rel=0.005)


def test_make_manifold_keeps_a_hollow_cavity(scene, make):
    def build(bm):
        cube(bm)
        inner = cube(bm, size=1.0)["verts"]
        faces = {f for v in inner for f in v.link_faces}
        bmesh.ops.reverse_faces(bm, faces=list(faces))
    ob = make("shell", build)
    make_manifold(ob)
    assert check_object(ob).volume_bu3 == pytest.approx(7.0, rel=0.005)


def test_make_manifold_refuses_non_mesh(scene):
    from ai_studio_bridge.bridge.errors import PrintPrepError
    empty = bpy.data.objects.new("e", None)
    with pytest.raises(PrintPrepError):
        make_manifold(empty)
