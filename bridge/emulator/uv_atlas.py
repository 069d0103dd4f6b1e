"""UVs a texture can be painted or baked into when a mesh has none worth using.

``atlas_uvs`` gives every quad its own square cell and every two triangles
one cell (split along the diagonal), with a gutter of a few texels between
charts so filtering never bleeds one face into another — crude next to a
real unwrap, but every face gets its own texels, which is all a bake or a
recolour needs. ``usable_uvs`` says whether a mesh's own UVs can be kept.
"""

from __future__ import annotations

import numpy as np

from .polymesh import PolyMesh
from .texels import rasterise

GUTTER_TEXELS = 1.5


def _cell_layouts(inset: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    e = inset
    quad = np.array([[e, e], [1 - e, e], [1 - e, 1 - e], [e, 1 - e]])
    lower = np.array([[e, e], [1 - 3 * e, e], [e, 1 - 3 * e]])
    upper = np.array([[1 - e, 1 - e], [3 * e, 1 - e], [1 - e, 3 * e]])
    return quad, lower, upper


def atlas_uvs(mesh: PolyMesh, size: int) -> PolyMesh:
    """The mesh (n-gons fanned into triangles) with a fresh non-overlapping UV atlas."""
    mesh = mesh.triangulated(keep_quads=True)
    is_quad = mesh.face_sizes == 4
    quads, tris = np.flatnonzero(is_quad), np.flatnonzero(~is_quad)
    cells = len(quads) + (len(tris) + 1) // 2
    cols = max(1, int(np.ceil(np.sqrt(cells))))
    cell = 1.0 / cols
    inset = min(0.2, GUTTER_TEXELS / (size * cell))
    quad_uv, lower_uv, upper_uv = _cell_layouts(inset)
    uvs = np.zeros((len(mesh.corner_verts), 2))
    slot = np.arange(cells)
    origin = np.stack([slot % cols, slot // cols], axis=1) * cell
    starts = mesh.face_starts
    if len(quads):
        corners = starts[quads][:, None] + np.arange(4)
        uvs[corners] = origin[:len(quads), None, :] + quad_uv * cell
    tri_cell = len(quads) + np.arange(len(tris)) // 2
    layout = np.where((np.arange(len(tris)) % 2 == 0)[:, None, None], lower_uv, upper_uv)
    corners = starts[tris][:, None] + np.arange(3)
    uvs[corners] = origin[tri_cell][:, None, :] + layout * cell
    return mesh.replace(corner_uvs=uvs)


def usable_uvs(mesh: PolyMesh, size: int = 256) -> bool:
    """True when the mesh has UVs inside the unit square that barely overlap (checked by rasterising)."""
    uv = mesh.uvs
    if uv is None or not len(uv) or uv.min() < -1e-6 or uv.max() > 1 + 1e-6:
        return False
    area = 0.5 * np.abs(np.cross(uv[:, 1] - uv[:, 0], uv[:, 2] - uv[:, 0]))
    if not 1e-4 < area.sum() < 1.05:      # charts inside the unit square cannot add up to more
        return False
    texel, _, _ = rasterise(uv, size)
    claimed = np.bincount(texel, minlength=size * size)
    covered = claimed > 0
    return covered.any() and (claimed[covered] > 1).mean() < 0.05
