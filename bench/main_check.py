"""The print check as main had it (a08c5e0), kept only as the benchmark's baseline.

bmesh per element in Python, topology on the unwelded mesh, no wall
thickness and no overhangs. print_bench.py times it against today's check
in the same process, alternating, so both see the same machine load.
"""

from __future__ import annotations

import bmesh
import numpy as np
from mathutils.bvhtree import BVHTree

from ai_studio_bridge.addon.printing.meshdata import _components, world_bmesh


def _edge_ends(edges):
    ends = np.fromiter((v.index for e in edges for v in e.verts), np.int64, 2 * len(edges))
    return ends[0::2], ends[1::2]


def _boundary_loops(bm):
    boundary = [e for e in bm.edges if len(e.link_faces) == 1]
    if not boundary:
        return 0
    bm.verts.index_update()
    a, b = _edge_ends(boundary)
    roots = _components(len(bm.verts), a, b)
    return len(np.unique(roots[np.concatenate((a, b))]))


def _parts(bm):
    bm.verts.index_update()
    a, b = _edge_ends(bm.edges)
    return len(np.unique(_components(len(bm.verts), a, b)))


def _intersections(bm):
    bm.faces.index_update()
    bm.faces.ensure_lookup_table()
    tree = BVHTree.FromBMesh(bm, epsilon=0.0)
    pairs = set()
    for a, b in tree.overlap(tree):
        if a == b or (a, b) in pairs or (b, a) in pairs:
            continue
        if set(bm.faces[a].verts) & set(bm.faces[b].verts):
            continue
        pairs.add((a, b))
    return len(pairs)


def _volume(bm):
    tri = bm.copy()
    bmesh.ops.triangulate(tri, faces=tri.faces[:])
    volume = abs(tri.calc_volume(signed=True))
    tri.free()
    return volume


def main_check(ob) -> dict:
    bm = world_bmesh(ob)
    try:
        zs = [v.co.z for v in bm.verts]
        return {"non_manifold": sum(1 for e in bm.edges if not e.is_manifold),
                "holes": _boundary_loops(bm), "parts": _parts(bm),
                "self_intersections": _intersections(bm), "volume": _volume(bm),
                "height": max(zs) - min(zs)}
    finally:
        bm.free()
