"""The print check judges the welded shape: UV seams are no holes, a hollow's inner wall no part."""

import bpy
import numpy as np
import pytest
from print_helpers import cube

from ai_studio_bridge.addon.printing.check import check_object
from ai_studio_bridge.addon.printing.hollow import hollow
from ai_studio_bridge.bridge.emulator import glb, mesh
from ai_studio_bridge.bridge.pngcodec import encode_png

pytestmark = pytest.mark.blender


def _service_glb(tmp_path):
    """A textured sphere as the emulator sends it: every triangle has its own vertices."""
    texture = encode_png(np.full((8, 8, 3), 200, np.uint8))
    part = mesh.part_from_triangles(mesh.sphere((0, 0, 0), 1.0, rings=16, segments=32),
                                    mesh.Material("skin", texture_png=texture))
    path = tmp_path / "result.glb"
    path.write_bytes(glb.write_glb([part]))
    bpy.ops.import_scene.gltf(filepath=str(path))
    ob = bpy.context.selected_objects[0]
    bpy.context.view_layer.objects.active = ob
    return ob


def test_a_fresh_service_glb_is_one_closed_part_with_seams_reported_apart(scene, tmp_path):
    ob = _service_glb(tmp_path)
    verts_before = len(ob.data.vertices)
    assert ob.data.uv_layers and verts_before == 3 * len(ob.data.polygons)   # fully split
    report = check_object(ob)
    assert report.holes == 0 and report.loose_parts == 1 and report.watertight
    assert report.non_manifold_edges == 0 and report.self_intersections == 0
    assert report.seam_splits > 0
    assert any(line.startswith("UV seam splits:") and "not holes" in line for line in report.lines())
    assert len(ob.data.vertices) == verts_before          # judged on a copy, the mesh untouched


def test_welding_keeps_real_holes_and_parts(scene, make):
    import bmesh

    def build(bm):
        cube(bm)
        cube(bm, at=(5, 0, 0))
        bmesh.ops.split_edges(bm, edges=bm.edges[:])          # seams everywhere
        bm.faces.ensure_lookup_table()
        bmesh.ops.delete(bm, geom=[bm.faces[0]], context="FACES_ONLY")
    report = check_object(make("two", build))
    assert report.holes == 1 and report.loose_parts == 2 and not report.watertight
    assert report.non_manifold_edges == 4


@pytest.mark.parametrize("source", ["cube", "service-glb"])
def test_a_hollowed_model_is_one_watertight_part_with_a_cavity(scene, make, tmp_path, source):
    ob = make("c", lambda bm: cube(bm, size=2.0)) if source == "cube" else _service_glb(tmp_path)
    hollow(ob, 0.2)
    report = check_object(ob)
    assert report.self_intersections == 0
    assert report.watertight and report.holes == 0
    assert report.shells == 2 and report.cavities == 1 and report.loose_parts == 1
    assert report.inside_out == 0
    assert "Loose parts: 1 (+ 1 inner cavity: hollow)" in report.lines()


def test_drain_holes_are_cut_into_a_seam_split_glb(scene, tmp_path):
    ob = _service_glb(tmp_path)
    result = hollow(ob, 0.2, drain_holes=1, drain_diameter=0.3)
    assert result.drain_holes == 1 and not result.warning
    assert result.welded_verts > 0 and ob.data.uv_layers      # welded, UVs kept
    report = check_object(ob)
    assert report.watertight and report.shells == 1 and report.cavities == 0


def test_drain_holes_that_cannot_be_cut_are_said_so(scene, make, monkeypatch):
    from ai_studio_bridge.addon.printing import hollow as hollowing
    # What the Manifold solver does with a mesh that is not closed: gives it back uncut.
    monkeypatch.setattr(hollowing, "apply_boolean", lambda target, operands, operation: "MANIFOLD")
    ob = make("c", lambda bm: cube(bm, size=2.0))
    result = hollow(ob, 0.2, drain_holes=1, drain_diameter=0.3)
    assert result.drain_holes == 0
    assert "could NOT be cut" in result.warning and result.warning in result.summary()
