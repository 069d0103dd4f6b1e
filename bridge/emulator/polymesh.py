"""The one in-memory model every model tool works on: shared vertices, polygons, materials.

Readers (``model_read``) turn GLB, FBX, OBJ, STL and PLY into a
``PolyMesh``; the tools (convert, topology, texture edit, bake) change it;
writers (``model_write``) turn it back into files. Conventions are glTF's:
metres, +Y up, the model's front faces +Z, counter-clockwise faces seen from
outside, and UVs with v running *down* the image (row 0 at v = 0); readers
and writers of OBJ and FBX flip v at the border.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np

from .mesh import Material, Part, part_from_triangles


@dataclasses.dataclass(eq=False)
class PolyMesh:
    positions: np.ndarray                  # (V, 3) float64
    face_sizes: np.ndarray                 # (F,) int64: corners per face (3 triangle, 4 quad, …)
    corner_verts: np.ndarray               # (C,) int64: vertex of each face corner, face after face
    corner_uvs: np.ndarray | None          # (C, 2) float64, or None when the model has no UVs
    face_materials: np.ndarray             # (F,) int64 index into ``materials``
    materials: list[Material]

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_triangles(cls, tris, uvs=None, tri_materials=None, materials=None) -> PolyMesh:
        """Weld a (T, 3, 3) triangle soup on exactly equal positions (UVs stay per corner)."""
        tris = np.asarray(tris, dtype=np.float64).reshape(-1, 3, 3)
        positions, corner_verts = unique_rows(tris.reshape(-1, 3))
        count = len(tris)
        return cls(positions, np.full(count, 3, dtype=np.int64), corner_verts.reshape(-1).astype(np.int64),
                   None if uvs is None else np.asarray(uvs, dtype=np.float64).reshape(-1, 2),
                   np.zeros(count, np.int64) if tri_materials is None else np.asarray(tri_materials, np.int64),
                   list(materials) if materials else [Material("material")])

    def replace(self, **changes) -> PolyMesh:
        return dataclasses.replace(self, **changes)

    # -- derived views (computed once; a PolyMesh is not changed in place) ---------------
    @property
    def face_count(self) -> int:
        return len(self.face_sizes)

    @functools.cached_property
    def face_starts(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.face_sizes)[:-1]]).astype(np.int64)

    @functools.cached_property
    def fan(self) -> tuple[np.ndarray, np.ndarray]:
        """(T, 3) corner indices of a fan triangulation, and the face of each triangle."""
        per_face = np.maximum(self.face_sizes - 2, 0)
        face = np.repeat(np.arange(self.face_count), per_face)
        k = np.arange(len(face)) - np.repeat(np.cumsum(per_face) - per_face, per_face) + 1
        start = self.face_starts[face]
        return np.stack([start, start + k, start + k + 1], axis=1), face

    @functools.cached_property
    def triangles(self) -> np.ndarray:
        """(T, 3, 3) world-space triangles, fan-triangulated."""
        return self.positions[self.corner_verts[self.fan[0]]]

    @property
    def tri_verts(self) -> np.ndarray:
        return self.corner_verts[self.fan[0]]

    @property
    def uvs(self) -> np.ndarray | None:
        """(T, 3, 2) UVs of the triangles, or None."""
        return None if self.corner_uvs is None else self.corner_uvs[self.fan[0]]

    @property
    def tri_materials(self) -> np.ndarray:
        return self.face_materials[self.fan[1]]

    @property
    def texture_png(self) -> bytes | None:
        return next((m.texture_png for m in self.materials if m.texture_png), None)

    @property
    def base_color(self) -> tuple[float, float, float, float]:
        return tuple(self.materials[0].color) if self.materials else (0.8, 0.8, 0.8, 1.0)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return self.positions.min(axis=0), self.positions.max(axis=0)

    # -- conversions --------------------------------------------------------------------
    def to_parts(self) -> list[Part]:
        """Flat-shaded parts, one per used material, for the GLB writer."""
        tris, uvs, mats = self.triangles, self.uvs, self.tri_materials
        parts = []
        for index, material in enumerate(self.materials):
            mine = mats == index
            if mine.any():
                parts.append(part_from_triangles(tris[mine], material, material.name,
                                                 None if uvs is None else uvs[mine]))
        return parts

    def triangulated(self, keep_quads: bool = False) -> PolyMesh:
        """Triangles only (or triangles and quads): n-gons fanned, everything else kept."""
        if (self.face_sizes == 3).all() or (keep_quads and (self.face_sizes <= 4).all()):
            return self
        keep = self.face_sizes == 4 if keep_quads else np.zeros(self.face_count, bool)
        tri_corners, tri_face = self.fan
        fanned = ~keep[tri_face]
        kept_faces = np.flatnonzero(keep)
        quad_corners = (self.face_starts[kept_faces][:, None] + np.arange(4)).reshape(-1)
        corners = np.concatenate([quad_corners, tri_corners[fanned].reshape(-1)])
        sizes = np.concatenate([np.full(len(kept_faces), 4), np.full(int(fanned.sum()), 3)])
        faces = np.concatenate([kept_faces, tri_face[fanned]])
        return self.replace(face_sizes=sizes.astype(np.int64), corner_verts=self.corner_verts[corners],
                            corner_uvs=None if self.corner_uvs is None else self.corner_uvs[corners],
                            face_materials=self.face_materials[faces])

    def face_normals(self) -> np.ndarray:
        """(F, 3) unit normals (Newell's method, right for any planar-ish polygon)."""
        p = self.positions[self.corner_verts]
        nxt = np.arange(len(p)) + 1
        ends = self.face_starts + self.face_sizes
        nxt[ends - 1] = self.face_starts
        cross = np.cross(p, p[nxt])
        normals = np.add.reduceat(cross, self.face_starts, axis=0)
        length = np.linalg.norm(normals, axis=1, keepdims=True)
        return normals / np.where(length == 0, 1, length)


def unique_rows(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct rows, index of each input row among them) of a float array, exact equality.

    Rows become byte strings for one 1-D sort: numpy's unique(axis=0) is many
    times slower on a million rows."""
    rows = np.ascontiguousarray(rows, dtype=np.float64) + 0.0       # + 0.0 makes -0.0 equal to 0.0
    keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).reshape(-1)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    return rows[first], inverse.reshape(-1).astype(np.int64)


def transform_positions(mesh: PolyMesh, matrix: np.ndarray) -> PolyMesh:
    """The mesh with a 4×4 matrix applied to its vertices (a reflection also flips winding)."""
    m = np.asarray(matrix, dtype=np.float64)
    positions = mesh.positions @ m[:3, :3].T + m[:3, 3]
    if np.linalg.det(m[:3, :3]) >= 0:
        return mesh.replace(positions=positions)
    order = _reversed_corner_order(mesh)
    return mesh.replace(positions=positions, corner_verts=mesh.corner_verts[order],
                        corner_uvs=None if mesh.corner_uvs is None else mesh.corner_uvs[order])


def _reversed_corner_order(mesh: PolyMesh) -> np.ndarray:
    face = np.repeat(np.arange(mesh.face_count), mesh.face_sizes)
    start = mesh.face_starts[face]
    k = np.arange(len(face)) - start
    return start + (mesh.face_sizes[face] - k) % mesh.face_sizes[face]


def concatenate(meshes: list[PolyMesh]) -> PolyMesh:
    """One mesh from several (materials are appended; UVs kept only when all have them)."""
    if len(meshes) == 1:
        return meshes[0]
    offsets = np.cumsum([0] + [len(m.positions) for m in meshes[:-1]])
    mat_offsets = np.cumsum([0] + [len(m.materials) for m in meshes[:-1]])
    with_uvs = all(m.corner_uvs is not None for m in meshes)
    return PolyMesh(
        np.concatenate([m.positions for m in meshes]),
        np.concatenate([m.face_sizes for m in meshes]),
        np.concatenate([m.corner_verts + o for m, o in zip(meshes, offsets)]),
        np.concatenate([m.corner_uvs for m in meshes]) if with_uvs else None,
        np.concatenate([m.face_materials + o for m, o in zip(meshes, mat_offsets)]),
        [mat for m in meshes for mat in m.materials])
