"""Coarser meshes of the same shape, for the emulated retopology.

``decimate`` clusters vertices on a uniform grid (Rossignac–Borrel) whose
cell size is searched so the result has at most the target number of
triangles, and places each cluster's vertex where it best fits the planes of
the triangles around it (Lindstrom's quadric clustering), clamped inside the
cluster's own bounding box. That keeps corners and silhouettes, hence the
bounds. ``pair_quads`` then joins neighbouring triangles that are nearly
coplanar and make a convex quad, greedily, best-shaped first, for the
``quadrilateral`` polygon type.
"""

from __future__ import annotations

import numpy as np

from .mesh import Material
from .polymesh import PolyMesh

FACE_LEVELS = {"high": 0.5, "medium": 0.25, "low": 0.1}
MIN_FACES = 100                 # never coarser than this: a retopology still has to read as the shape
QUAD_MAX_FOLD_DEG = 40.0
RETOPO_MATERIAL = Material("retopo", (0.8, 0.8, 0.8, 1.0))


def target_faces(input_triangles: int, face_level: str) -> int:
    """The triangle budget for a face level: a share of the input, never below MIN_FACES."""
    wanted = int(round(FACE_LEVELS[face_level] * input_triangles))
    return min(input_triangles, max(MIN_FACES, wanted))


def _cluster(positions, tris, lo, cell) -> tuple[np.ndarray, np.ndarray]:
    """(cluster of each vertex, (K, 3) distinct non-degenerate cluster triangles)."""
    cells = np.floor((positions - lo) / cell).astype(np.int64)
    span = cells.max(axis=0) + 1
    _, cluster = np.unique((cells[:, 0] * span[1] + cells[:, 1]) * span[2] + cells[:, 2], return_inverse=True)
    cluster = cluster.reshape(-1)
    ct = cluster[tris]
    ct = ct[(ct[:, 0] != ct[:, 1]) & (ct[:, 1] != ct[:, 2]) & (ct[:, 2] != ct[:, 0])]
    ordered = np.sort(ct, axis=1)
    count = int(cluster.max()) + 1
    _, first = np.unique((ordered[:, 0] * count + ordered[:, 1]) * count + ordered[:, 2], return_index=True)
    return cluster, ct[np.sort(first)]


def _sum_by(index: np.ndarray, values: np.ndarray, count: int) -> np.ndarray:
    """Row sums of ``values`` grouped by ``index`` (bincount per column: far faster than add.at)."""
    flat = values.reshape(len(values), -1)
    out = np.stack([np.bincount(index, flat[:, k], minlength=count) for k in range(flat.shape[1])], axis=1)
    return out.reshape((count,) + values.shape[1:])


def _quadric_positions(positions, tris, cluster, count) -> np.ndarray:
    """Per cluster, the point closest (least squares) to its incident triangles' planes."""
    p0 = positions[tris[:, 0]]
    n = np.cross(positions[tris[:, 1]] - p0, positions[tris[:, 2]] - p0)   # length = 2 × area
    area = np.linalg.norm(n, axis=1)
    unit = n / np.where(area == 0, 1, area)[:, None]
    d = -np.einsum("ij,ij->i", unit, p0)
    quadric = np.concatenate([np.einsum("i,ij,ik->ijk", area, unit, unit).reshape(-1, 9),
                              (area * d)[:, None] * unit], axis=1)
    corner_cluster = cluster[tris].reshape(-1)
    summed = _sum_by(corner_cluster, np.repeat(quadric, 3, axis=0), count)
    a, b = summed[:, :9].reshape(-1, 3, 3), summed[:, 9:]
    members = np.bincount(cluster, minlength=count)[:, None]
    mean = _sum_by(cluster, positions, count) / np.maximum(members, 1)
    # A little pull to the mean keeps flat and edge-only clusters well posed.
    reg = 1e-3 * np.trace(a, axis1=1, axis2=2)[:, None, None] / 3.0 + 1e-12
    x = np.linalg.solve(a + reg * np.eye(3), (-b + reg[:, :, 0] * mean)[..., None])[..., 0]
    order = np.argsort(cluster, kind="stable")
    starts = np.searchsorted(cluster[order], np.arange(count))
    box_lo = np.minimum.reduceat(positions[order], starts, axis=0)
    box_hi = np.maximum.reduceat(positions[order], starts, axis=0)
    return np.clip(x, box_lo, box_hi)


def decimate(mesh: PolyMesh, target: int) -> PolyMesh:
    """Triangles only, at most ``target`` of them (or the input, when it is already that small)."""
    mesh = mesh.triangulated()
    tris = mesh.tri_verts
    positions = mesh.positions
    if len(tris) <= target:
        return PolyMesh(positions, mesh.face_sizes, mesh.corner_verts, None,
                        np.zeros(mesh.face_count, np.int64), [RETOPO_MATERIAL])
    lo, hi = positions.min(axis=0), positions.max(axis=0)
    extent = float((hi - lo).max()) or 1.0

    def attempt(resolution: int):
        return _cluster(positions, tris, lo, extent / resolution * (1 + 1e-9))

    def largest_fitting(low: int, high: int):
        best = None
        while low <= high:                       # the largest grid whose result fits the budget
            resolution = (low + high) // 2
            found = attempt(resolution)
            if len(found[1]) <= target:
                best, low = found, resolution + 1
            else:
                high = resolution - 1
        return best

    # A surface's face count grows with the square of the grid resolution: estimate, then bisect
    # around the estimate (and over the whole range if the estimate was off).
    guess = int(64 * np.sqrt(target / max(len(attempt(64)[1]), 1)))
    low, high = max(1, guess // 3), min(8192, max(2, guess * 3))
    cluster, ctris = largest_fitting(low, high) or largest_fitting(1, low - 1) or attempt(1)
    count = int(cluster.max()) + 1
    placed = _quadric_positions(positions, tris, cluster, count)
    used, remap = np.unique(ctris, return_inverse=True)
    return PolyMesh(placed[used], np.full(len(ctris), 3, np.int64), remap.reshape(-1).astype(np.int64),
                    None, np.zeros(len(ctris), np.int64), [RETOPO_MATERIAL])


def pair_quads(mesh: PolyMesh, max_fold_deg: float = QUAD_MAX_FOLD_DEG) -> PolyMesh:
    """Join triangle pairs into convex, nearly flat quads; unpaired triangles stay triangles."""
    tris = mesh.triangulated().tri_verts
    count, verts = len(tris), len(mesh.positions)
    a, b = tris.reshape(-1), tris[:, [1, 2, 0]].reshape(-1)
    key = np.minimum(a, b) * verts + np.maximum(a, b)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.diff(np.concatenate([[-1], sorted_key])) != 0)
    sizes = np.diff(np.concatenate([starts, [len(key)]]))
    pair_at = starts[sizes == 2]                 # edges shared by exactly two triangles
    h1, h2 = order[pair_at], order[pair_at + 1]
    ok = (a[h1] == b[h2]) & (b[h1] == a[h2]) & (h1 // 3 != h2 // 3)   # consistently wound neighbours
    h1, h2 = h1[ok], h2[ok]
    t1, t2 = h1 // 3, h2 // 3
    c = tris[t1, (h1 % 3 + 2) % 3]
    d = tris[t2, (h2 % 3 + 2) % 3]
    quads = np.stack([b[h1], c, a[h1], d], axis=1)
    p = mesh.positions[quads]
    normals = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0]) + np.cross(p[:, 2] - p[:, 0], p[:, 3] - p[:, 0])
    unit = normals / np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-30)
    edges_in = p - np.roll(p, 1, axis=1)
    edges_out = np.roll(p, -1, axis=1) - p
    turn = np.einsum("qkj,qj->qk", np.cross(edges_in, edges_out), unit)
    convex = (turn > 0).all(axis=1)
    tri_n = mesh.positions[tris]
    tri_n = np.cross(tri_n[:, 1] - tri_n[:, 0], tri_n[:, 2] - tri_n[:, 0])
    tri_n /= np.maximum(np.linalg.norm(tri_n, axis=1, keepdims=True), 1e-30)
    flat = np.einsum("ij,ij->i", tri_n[t1], tri_n[t2])
    cosines = np.einsum("qkj,qkj->qk", -edges_in, edges_out) / np.maximum(
        np.linalg.norm(edges_in, axis=2) * np.linalg.norm(edges_out, axis=2), 1e-30)
    score = flat - 0.5 * np.abs(cosines).mean(axis=1)
    candidates = np.flatnonzero(convex & (flat >= np.cos(np.radians(max_fold_deg))))
    taken = np.zeros(count, dtype=bool)
    chosen = []
    for q in candidates[np.argsort(-score[candidates], kind="stable")]:
        if not taken[t1[q]] and not taken[t2[q]]:
            taken[t1[q]] = taken[t2[q]] = True
            chosen.append(q)
    chosen = np.asarray(chosen, dtype=np.int64)
    single = tris[~taken]
    corners = np.concatenate([quads[chosen].reshape(-1), single.reshape(-1)])
    sizes = np.concatenate([np.full(len(chosen), 4), np.full(len(single), 3)]).astype(np.int64)
    return PolyMesh(mesh.positions, sizes, corners.astype(np.int64), None,
                    np.zeros(len(sizes), np.int64), list(mesh.materials))
