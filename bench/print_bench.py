"""Print-preparation benchmark: prints timings and decimation error.

    .venv/bin/python bench/print_bench.py [--tris 500000]

1. make-manifold + hollow + STL export on two overlapping displaced spheres
   of about --tris triangles in total;
2. decimation --tris → --tris/10: our ``decimate_to`` against a plain
   Decimate modifier at the same ratio, timing and mean closest-point error
   in both directions (decimated → original and original → decimated);
3. the full print check (welded topology, self-intersections, wall
   thickness, overhangs) on a --tris triangle sphere, welded and split at
   every edge like the emulator's GLBs, against main's check (without
   thickness and overhangs, ``bench/main_check.py``) in the same process;
   target: at most main's time + 50 % (the new per-face thickness ray cast
   alone costs about 1 s per 500k faces here; the seam-split results the
   services send check faster than main's).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bmesh  # noqa: E402
import bpy  # noqa: E402  (first: it makes bmesh and mathutils importable)
import extension_package  # noqa: E402  (the repository as the extension package)
from mathutils import Matrix, Vector  # noqa: E402
from mathutils.bvhtree import BVHTree  # noqa: E402

extension_package.load()

from ai_studio_bridge.addon.printing.check import check_object  # noqa: E402
from ai_studio_bridge.addon.printing.decimate import decimate_to, triangle_count  # noqa: E402
from ai_studio_bridge.addon.printing.hollow import hollow  # noqa: E402
from ai_studio_bridge.addon.printing.manifold import make_manifold  # noqa: E402
from ai_studio_bridge.addon.printing.scaling import export_stl_mm  # noqa: E402


def displaced_sphere(bm, rings: int, centre, seed: int):
    rng = random.Random(seed)
    bumps = [(Vector((rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))).normalized(),
              rng.uniform(0.03, 0.08)) for _ in range(12)]
    new = bmesh.ops.create_uvsphere(bm, u_segments=2 * rings, v_segments=rings, radius=1.0,
                                    matrix=Matrix.Translation(centre), calc_uvs=True)["verts"]
    for v in new:
        d = (v.co - Vector(centre)).normalized()
        r = 1.0 + sum(h * math.exp(-((d - n).length ** 2) / 0.08) for n, h in bumps)
        v.co = Vector(centre) + d * r


def _linked(name, bm):
    """*bm* as a new mesh object in the scene (the BMesh is freed)."""
    mesh = bpy.data.meshes.new(name)
    bm.to_mesh(mesh)
    bm.free()
    ob = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(ob)
    return ob


def make_object(name, tris):
    # A UV sphere of 2r × r segments has about 4r² triangles; two of them.
    subdiv = max(8, round(math.sqrt(tris / 8)))
    bm = bmesh.new()
    displaced_sphere(bm, subdiv, (0, 0, 0), 1)
    displaced_sphere(bm, subdiv, (0.8, 0.2, 0.3), 2)
    return _linked(name, bm)


def single_sphere(name, tris):
    subdiv = max(8, round(math.sqrt(tris / 4)))
    bm = bmesh.new()
    bm.loops.layers.uv.new("UVMap")
    displaced_sphere(bm, subdiv, (0, 0, 0), 3)
    return _linked(name, bm)


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    print(f"  {label:<28} {time.perf_counter() - start:7.2f} s")
    return result


def _tree(mesh):
    bm = bmesh.new()
    bm.from_mesh(mesh)
    tree = BVHTree.FromBMesh(bm)
    return bm, tree


def surface_samples(bm, count, seed=0):
    rng = random.Random(seed)
    tris = bm.calc_loop_triangles()
    areas = [((t[1].vert.co - t[0].vert.co).cross(t[2].vert.co - t[0].vert.co)).length / 2
             for t in tris]
    picks = rng.choices(range(len(tris)), weights=areas, k=count)
    points = []
    for i in picks:
        a, b = rng.random(), rng.random()
        if a + b > 1:
            a, b = 1 - a, 1 - b
        t = tris[i]
        points.append(t[0].vert.co + (t[1].vert.co - t[0].vert.co) * a
                      + (t[2].vert.co - t[0].vert.co) * b)
    return points


def mean_error(mesh_a, mesh_b, samples=20000):
    """Mean distance from samples on A to the surface of B."""
    bm_a, _ = _tree(mesh_a)
    bm_b, tree_b = _tree(mesh_b)
    pts = surface_samples(bm_a, samples)
    total = sum(tree_b.find_nearest(p)[3] for p in pts)
    bm_a.free()
    bm_b.free()
    return total / len(pts)


def plain_decimate(ob, ratio):
    mod = ob.modifiers.new("plain", "DECIMATE")
    mod.ratio = ratio
    depsgraph = bpy.context.evaluated_depsgraph_get()
    mesh = bpy.data.meshes.new_from_object(ob.evaluated_get(depsgraph), depsgraph=depsgraph)
    ob.modifiers.remove(mod)
    return mesh


def sphere_triangles(name, tris, split):
    rings = max(8, round(math.sqrt(tris / 2)))
    bm = bmesh.new()
    bmesh.ops.create_uvsphere(bm, u_segments=rings, v_segments=rings, radius=1.0)
    bmesh.ops.triangulate(bm, faces=bm.faces[:])
    if split:
        bmesh.ops.split_edges(bm, edges=bm.edges[:])
    return _linked(name, bm)


def check_figures(tris):
    from main_check import main_check
    print(f"3) print check on {tris:,} triangles (1 BU = 1 cm): today's (thickness and overhangs "
          "included) against main's (a08c5e0), alternating, best of 3")
    for label, split in (("welded", False), ("split at every edge", True)):
        ob = sphere_triangles(label, tris, split)
        ours, theirs = [], []
        for _ in range(3):
            theirs.append(_seconds(lambda: main_check(ob)))
            ours.append(_seconds(lambda: check_object(ob)))
        target = min(theirs) * 1.5
        verdict = "OK" if min(ours) <= target else "OVER"
        print(f"  {label:<22} {min(ours):6.2f} s   main's {min(theirs):6.2f} s   "
              f"(target ≤ {target:.2f} s, main's + 50 %) {verdict}")
        print(f"     {'; '.join(check_object(ob).lines()[:7])}")


def _seconds(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tris", type=int, default=500_000)
    parser.add_argument("--check-only", action="store_true", help="only part 3, the print check")
    args = parser.parse_args()
    bpy.ops.wm.read_factory_settings(use_empty=True)
    bpy.context.scene.unit_settings.scale_length = 0.01      # 1 BU = 1 cm

    print(f"Blender {bpy.app.version_string}")
    if args.check_only:
        check_figures(args.tris)
        return
    ob = make_object("shells", args.tris)
    print(f"1) make-manifold + hollow + STL on {triangle_count(ob.data):,} triangles "
          "(two overlapping displaced spheres, 1 BU = 1 cm)")
    report = timed("make manifold", lambda: make_manifold(ob))
    print(f"     {report.summary()}")
    hol = timed("hollow 2 mm + 1 drain", lambda: hollow(ob, 0.2, drain_holes=1))
    print(f"     {hol.summary()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = timed("STL export (mm)", lambda: export_stl_mm(ob, Path(tmp) / "b.stl"))
        print(f"     {path.stat().st_size / 1e6:.1f} MB, {triangle_count(ob.data):,} triangles")
    check = timed("print check", lambda: check_object(ob))
    print(f"     {'; '.join(check.lines())}")

    hi = single_sphere("hi", args.tris)
    source = hi.data.copy()
    before = triangle_count(hi.data)
    target = before // 10
    print(f"2) decimation {before:,} → {target:,} triangles")
    plain_ob = bpy.data.objects.new("plain", source.copy())
    bpy.context.scene.collection.objects.link(plain_ob)
    plain = timed("plain Decimate modifier", lambda: plain_decimate(plain_ob, target / before))
    ours = timed("decimate_to", lambda: decimate_to(hi, target))
    print(f"     ours: {ours.summary()}")
    print(f"     plain: {triangle_count(plain):,} triangles")
    for name, mesh in (("plain", plain), ("decimate_to", hi.data)):
        fwd = mean_error(mesh, source)
        back = mean_error(source, mesh)
        print(f"  {name:<12} mean error decimated→orig {fwd * 10:.4f} mm, "
              f"orig→decimated {back * 10:.4f} mm")
    check_figures(args.tris)


if __name__ == "__main__":
    main()
