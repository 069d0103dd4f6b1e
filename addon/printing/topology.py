"""The shape a slicer sees: vertices welded by distance, then edges, holes and shells.

A textured GLB splits a vertex wherever a UV seam or a hard edge runs
through it, so every seam looks like a hole and every UV island like a
loose part. A slicer reads the triangles alone and sees one closed skin; the
print check judges that welded shape, in arrays (the user's mesh is never
touched), and counts the splits apart so the report can say what they are.
"""

from __future__ import annotations

import dataclasses
from itertools import product

import numpy as np

from .meshdata import MeshArrays, _components

#: Welding distance as a fraction of the model's diagonal: ten times float32
#: precision, so seam copies (bit-identical or rounded) merge and nothing else does.
WELD_RELATIVE = 1e-6
_BITS = 21   # per axis in a grid key: 2**21 cells cover 1/WELD_RELATIVE with room to spare


def weld_distance(co: np.ndarray) -> float:
    """The default welding distance for points *co*: WELD_RELATIVE of their diagonal."""
    if not len(co):
        return 1e-9
    return float(np.linalg.norm(co.max(axis=0) - co.min(axis=0))) * WELD_RELATIVE or 1e-9


def _grid_keys(co: np.ndarray, lo: np.ndarray, cell: float, shift) -> np.ndarray:
    q = np.floor((co - lo) / cell + np.asarray(shift)).astype(np.int64)
    return (q[:, 0] << (2 * _BITS)) | (q[:, 1] << _BITS) | q[:, 2]


def weld_ids(co: np.ndarray, tolerance: float | None = None) -> tuple[np.ndarray, int]:
    """Welded vertex number per vertex (0..n-1) and n: vertices within *tolerance* merge.

    Exact copies merge in one hashing pass; the seven half-cell-shifted grids
    then catch pairs that a cell border split, so every pair closer than half
    a cell on each axis ends up merged, without a per-vertex Python loop.
    """
    if not len(co):
        return np.zeros(0, np.int64), 0
    lo = co.min(axis=0)
    cell = max(tolerance or 0.0, weld_distance(co))
    _, first, inverse = np.unique(_grid_keys(co, lo, cell, (0, 0, 0)), return_index=True,
                                  return_inverse=True)
    inverse = inverse.ravel()
    points = co[first]
    ends_a, ends_b = [], []
    for shift in product((0.0, 0.5), repeat=3):
        if not any(shift):
            continue
        _, leader, group = np.unique(_grid_keys(points, lo - cell, cell, shift),
                                     return_index=True, return_inverse=True)
        group = group.ravel()
        moved = np.flatnonzero(leader[group] != np.arange(len(points)))
        ends_a.append(moved)
        ends_b.append(leader[group[moved]])
    a, b = np.concatenate(ends_a), np.concatenate(ends_b)
    if len(a):
        roots = _components(len(points), a, b)
        _, relabel = np.unique(roots, return_inverse=True)
        inverse = relabel.ravel()[inverse]
        return inverse, int(relabel.max()) + 1
    return inverse, len(points)


@dataclasses.dataclass
class Topology:
    welded: np.ndarray           # welded vertex number per vertex
    seam_splits: int             # vertices that were copies of another (merged by the weld)
    non_manifold_edges: int      # welded edges not shared by exactly two faces (wires too)
    holes: int                   # boundary loops of the welded shape
    face_shell: np.ndarray       # shell number per face
    shells: int                  # connected pieces, loose vertices included
    shell_volume: np.ndarray     # signed volume per shell (negative: inward normals)
    cavities: int                # inward shells inside another shell: a hollow's inner wall
    inside_out: int              # inward shells that enclose nothing: flipped normals


def _nested(lo: np.ndarray, hi: np.ndarray, inner: int, outer: np.ndarray) -> bool:
    return bool(np.any(np.all(lo[outer] <= lo[inner], axis=1) & np.all(hi[inner] <= hi[outer], axis=1)))


def analyse(arr: MeshArrays, tolerance: float | None = None) -> Topology:
    """Edges, holes and shells of *arr* with coincident vertices welded."""
    welded, count = weld_ids(arr.co, tolerance)
    used = np.zeros(len(arr.co), bool)
    used[arr.corners] = True
    used[arr.edges.ravel()] = True
    used_welded = len(np.unique(welded[used])) if used.any() else 0
    splits = int(used.sum()) - used_welded

    # Face edges in welded numbering; an edge a weld collapsed is no edge.
    a, b = welded[arr.corners], welded[arr.corners[arr.next_corner()]]
    keep = a != b
    lo_v, hi_v = np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])
    keys, per_edge = np.unique(lo_v * count + hi_v, return_counts=True)
    loose = np.ones(len(arr.edges), bool)
    loose[arr.corner_edges] = False
    wa, wb = welded[arr.edges[loose, 0]], welded[arr.edges[loose, 1]]
    real = wa != wb
    wires = np.setdiff1d(np.minimum(wa[real], wb[real]) * count + np.maximum(wa[real], wb[real]), keys)
    boundary = keys[per_edge == 1]
    holes = 0
    if len(boundary):
        ends = np.stack([boundary // count, boundary % count])
        roots = _components(count, ends[0], ends[1])
        holes = len(np.unique(roots[ends.ravel()]))

    all_keys = np.concatenate([keys, wires])
    roots = _components(count, all_keys // count, all_keys % count) if count else np.zeros(0, np.int64)
    shell_roots, shell_of_vertex = np.unique(roots, return_inverse=True)
    shell_of_vertex = shell_of_vertex.ravel()
    shells = len(shell_roots)
    face_shell = (shell_of_vertex[welded[arr.corners[arr.start]]] if len(arr.start)
                  else np.zeros(0, np.int64))
    volume = shell_volumes(arr, face_shell, shells)
    cavities = inside_out = 0
    inward = np.flatnonzero(volume < 0)
    if len(inward):
        vertex_shell = shell_of_vertex[welded]
        lo = np.full((shells, 3), np.inf)
        hi = np.full((shells, 3), -np.inf)
        np.minimum.at(lo, vertex_shell, arr.co)
        np.maximum.at(hi, vertex_shell, arr.co)
        outward = np.flatnonzero(volume > 0)
        for shell in inward.tolist():
            if _nested(lo, hi, shell, outward):
                cavities += 1
            else:
                inside_out += 1
    return Topology(welded, splits, int((per_edge != 2).sum()) + len(wires), holes,
                    face_shell, shells, volume, cavities, inside_out)


def shell_volumes(arr: MeshArrays, face_shell: np.ndarray, shells: int) -> np.ndarray:
    """Each shell's signed volume, seen from the mean of its own corners.

    A closed shell's volume is the same from anywhere; one with a hole is not,
    so each is measured from a point that moves with it: the figures (and
    which shells count as inside-out) do not change when the object moves.
    """
    if not shells or not len(arr.tris):
        return np.zeros(shells)
    corner_shell = face_shell[arr.corner_face]
    points = arr.co[arr.corners]
    count = np.maximum(np.bincount(corner_shell, minlength=shells), 1)
    centre = np.stack([np.bincount(corner_shell, points[:, k], shells) for k in range(3)], 1)
    centre /= count[:, None]
    tri_shell = face_shell[arr.tri_face]
    p = arr.co[arr.tris] - centre[tri_shell][:, None, :]
    six = np.einsum("ij,ij->i", p[:, 0], np.cross(p[:, 1], p[:, 2]))
    return np.bincount(tri_shell, six, shells) / 6.0


def neighbours(pairs: np.ndarray, arr: MeshArrays, welded: np.ndarray) -> np.ndarray:
    """Per face pair (n, 2): the same face, or faces sharing a welded vertex."""
    result = pairs[:, 0] == pairs[:, 1]
    if not len(pairs):
        return result
    polys = np.unique(pairs)
    width = int(arr.total[polys].max())
    slot = np.arange(width)
    index = np.minimum(arr.start[polys, None] + slot, len(arr.corners) - 1)
    verts = np.where(slot < arr.total[polys, None], welded[arr.corners[index]], -1)
    rows = np.searchsorted(polys, pairs)
    for chunk in range(0, len(rows), 100_000):
        part = slice(chunk, chunk + 100_000)
        a, b = verts[rows[part, 0]], verts[rows[part, 1]]
        b = np.where(b < 0, -2, b)     # padding on both sides must never match
        result[part] |= (a[:, :, None] == b[:, None, :]).any(axis=(1, 2))
    return result
