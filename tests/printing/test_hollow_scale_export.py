"""Hollowing, miniature scaling with STL in mm, decimation and GLB export."""


import bmesh
import pytest
from mathutils.bvhtree import BVHTree
from print_helpers import cube, read_binary_stl

from ai_studio_bridge.addon.printing import compat
from ai_studio_bridge.addon.printing.check import check_object
from ai_studio_bridge.addon.printing.decimate import decimate_to, export_glb
from ai_studio_bridge.addon.printing.hollow import METHOD_OFFSET, METHOD_SDF, hollow
from ai_studio_bridge.addon.printing.material import estimate_filament, estimate_resin
from ai_studio_bridge.addon.printing.scaling import export_stl_mm, scale_to_miniature, target_height_mm

pytestmark = pytest.mark.blender


def _sphere(bm):
    bmesh.ops.create_uvsphere(bm, u_segments=64, v_segments=32, radius=1.0)


def _wall_thickness(ob, samples=200):
    """Median distance from outer-skin points inward to the next surface."""
    bm = bmesh.new()
    bm.from_mesh(ob.data)
    tree = BVHTree.FromBMesh(bm)
    outer = [f for f in bm.faces if f.calc_area() > 0 and
             (f.calc_center_median().length > 0.95 if len(bm.faces) > 5000 else True)]
    step = max(1, len(outer) // samples)
    dists = []
    for face in outer[::step]:
        start = face.calc_center_median() - face.normal * 1e-5
        hit, _, _, dist = tree.ray_cast(start, -face.normal)
        if hit is not None:
            dists.append(dist)
    bm.free()
    dists.sort()
    return dists[len(dists) // 2]


@pytest.mark.parametrize("force_offset", [False, True], ids=["default", "offset-fallback"])
def test_hollow_sphere_has_requested_wall_and_shell_volume(scene, make, force_offset):
    ob = make("s", _sphere)
    outer = check_object(ob).volume_bu3
    report = hollow(ob, 0.1, force_offset=force_offset)
    assert report.method == (METHOD_OFFSET if force_offset or not compat.has_sdf_nodes()
                             else METHOD_SDF)
    after = check_object(ob)
    assert after.watertight and after.self_intersections == 0
    assert _wall_thickness(ob) == pytest.approx(0.1, rel=0.10)
    inner = 4 / 3 * 3.14159265 * 0.9 ** 3 * (outer / (4 / 3 * 3.14159265))   # same faceting
    assert after.volume_bu3 == pytest.approx(outer - inner, rel=0.05)


def test_hollow_cube_with_drain_holes_opens_the_cavity(scene, make):
    ob = make("c", lambda bm: cube(bm, size=2.0))
    report = hollow(ob, 0.2, drain_holes=2, drain_diameter=0.3)
    after = check_object(ob)
    assert after.watertight
    assert after.loose_parts == 1          # the holes join cavity and outside
    assert report.drain_holes == 2
    cavity = 8.0 - 1.6 ** 3
    assert cavity * 0.97 < after.volume_bu3 < cavity   # holes remove a little material


def test_hollow_rejects_a_wall_thicker_than_the_model(scene, make):
    from ai_studio_bridge.bridge.errors import PrintPrepError
    ob = make("c", lambda bm: cube(bm, size=1.0))
    with pytest.raises(PrintPrepError, match="thickness"):
        hollow(ob, 0.6)



@pytest.mark.parametrize("unit_scale", [1.0, 0.01])
def test_h0_stl_reads_back_at_the_scale_height_in_mm(scene, make, tmp_path, unit_scale):
    scene.unit_settings.scale_length = unit_scale
    ob = make("fig", lambda bm: cube(bm, size=3.0))
    other = make("other", lambda bm: cube(bm, size=9.0, at=(20, 0, 0)))
    scale_to_miniature(ob, "h0")
    path = export_stl_mm(ob, tmp_path / "fig.stl")
    count, zmin, zmax = read_binary_stl(path)
    assert count == 12                       # only the chosen object, not "other"
    assert zmax - zmin == pytest.approx(1750.0 / 87.0, rel=1e-4)
    assert other.select_get()                # selection restored


def test_scale_names_ratios_and_custom_heights():
    assert target_height_mm("n") == pytest.approx(1750 / 160)
    assert target_height_mm("1:10", subject_height_cm=200) == pytest.approx(200.0)
    assert target_height_mm("custom", custom_height_mm=54) == 54
    from ai_studio_bridge.bridge.errors import PrintPrepError
    with pytest.raises(PrintPrepError):
        target_height_mm("banana")


def test_material_estimates():
    resin = estimate_resin(10.0, price_per_litre=50.0)
    assert resin.grams == pytest.approx(11.0) and resin.cost == pytest.approx(0.5)
    pla = estimate_filament(10.0, infill=0.5, price_per_kg=20.0)
    assert pla.grams == pytest.approx(6.2) and pla.grams_low == pytest.approx(2.48)
    assert pla.grams_high == pytest.approx(12.4)


def test_decimate_hits_target_and_keeps_uvs(scene, make):
    def build(bm):
        bm.loops.layers.uv.new("UVMap")
        bmesh.ops.create_uvsphere(bm, u_segments=128, v_segments=64, radius=1.0, calc_uvs=True)
    ob = make("hi", build)
    before = sum(len(p.vertices) - 2 for p in ob.data.polygons)
    report = decimate_to(ob, 2000)
    assert report.faces_before == before
    assert 1800 <= report.faces_after <= 2000
    assert report.uv_layers_kept and len(ob.data.uv_layers) == 1
    assert all(len(p.vertices) == 3 for p in ob.data.polygons)
    uvs = [0.0] * (2 * len(ob.data.loops))
    ob.data.uv_layers[0].data.foreach_get("uv", uvs)
    assert max(uvs) > 0.9 and min(uvs) < 0.1        # real coordinates, not a zeroed layer


def test_glb_export_says_whether_draco_was_used(scene, make, tmp_path):
    ob = make("c", lambda bm: bmesh.ops.create_uvsphere(bm, u_segments=32, v_segments=16,
                                                       radius=1.0))
    result = export_glb(ob, tmp_path / "c.glb")
    data = result.path.read_bytes()
    assert data[:4] == b"glTF"
    assert result.draco == compat.draco_available()
    assert (b"KHR_draco_mesh_compression" in data) == result.draco
    if not result.draco:
        assert "uncompressed" in result.message
