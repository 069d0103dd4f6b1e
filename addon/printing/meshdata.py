"""Mesh data as numpy arrays for the print functions: world-space copies, shells, welding."""

from __future__ import annotations

import bmesh
import bpy
import numpy as np


def world_bmesh(ob: bpy.types.Object, evaluated: bool = True) -> bmesh.types.BMesh:
    """A bmesh of the object in world space (modifiers applied when *evaluated*)."""
    bm = bmesh.new()
    if evaluated:
        depsgraph = bpy.context.evaluated_depsgraph_get()
        bm.from_object(ob, depsgraph)
    else:
        bm.from_mesh(ob.data)
    bm.transform(ob.matrix_world)
    return bm


class FaceArrays:
    """Bulk copies of a bmesh's faces, in bmesh iteration order.

    Read through a throw-away Mesh because foreach_get is the only bulk
    accessor; per-element bmesh access is what made big meshes slow.
    """

    def __init__(self, bm: bmesh.types.BMesh):
        mesh = bpy.data.meshes.new("AISTUDIO_arrays")
        try:
            bm.to_mesh(mesh)
            co = np.empty(len(mesh.vertices) * 3, np.float32)
            mesh.vertices.foreach_get("co", co)
            self.co = co.reshape(-1, 3).astype(np.float64)
            self.corners = np.empty(len(mesh.loops), np.int64)
            mesh.loops.foreach_get("vertex_index", self.corners)
            self.start = np.empty(len(mesh.polygons), np.int64)
            mesh.polygons.foreach_get("loop_start", self.start)
            self.total = np.empty(len(mesh.polygons), np.int64)
            mesh.polygons.foreach_get("loop_total", self.total)
        finally:
            bpy.data.meshes.remove(mesh)
        self.corner_face = np.repeat(np.arange(len(self.start)), self.total)


def world_mesh(ob: bpy.types.Object, evaluated: bool = True) -> bpy.types.Mesh:
    """A new Mesh datablock: *ob* in world space (modifiers applied when *evaluated*).

    The caller removes it. With *evaluated* False the face order is the
    object's own, so face indices found on it select the user's faces.
    """
    if evaluated:
        depsgraph = bpy.context.evaluated_depsgraph_get()
        mesh = bpy.data.meshes.new_from_object(ob.evaluated_get(depsgraph), depsgraph=depsgraph)
    else:
        mesh = ob.data.copy()
    mesh.transform(ob.matrix_world)
    return mesh


def _read(collection, attr: str, count: int, dtype, width: int = 1) -> np.ndarray:
    out = np.empty(count * width, dtype)
    if count:
        collection.foreach_get(attr, out)
    return out.reshape(-1, width) if width > 1 else out


def _topology(mesh: bpy.types.Mesh, name: str, rna, attr: str, count: int, width: int = 1) -> np.ndarray:
    """An index array, from the raw attribute where this Blender has it (10-100× faster)."""
    stored = mesh.attributes.get(name)
    if stored is not None and len(stored.data) == count:
        return _read(stored.data, "value", count, np.int32, width).astype(np.int64)
    return _read(rna, attr, count, np.int32, width).astype(np.int64)


class MeshArrays:
    """A Mesh as numpy arrays, with a fan triangulation of its faces.

    Face normals and areas are computed here (fans are exact for planar
    faces), so they are right for a mesh just transformed or built.
    """

    def __init__(self, mesh: bpy.types.Mesh):
        loops, faces = len(mesh.loops), len(mesh.polygons)
        self.co = _read(mesh.vertices, "co", len(mesh.vertices), np.float32, 3).astype(np.float64)
        self.co = self.co.reshape(-1, 3)
        self.corners = _topology(mesh, ".corner_vert", mesh.loops, "vertex_index", loops)
        self.corner_edges = _topology(mesh, ".corner_edge", mesh.loops, "edge_index", loops)
        self.edges = _topology(mesh, ".edge_verts", mesh.edges, "vertices", len(mesh.edges), 2)
        self.edges = self.edges.reshape(-1, 2)
        self.start = _read(mesh.polygons, "loop_start", faces, np.int32).astype(np.int64)
        self.total = _read(mesh.polygons, "loop_total", faces, np.int32).astype(np.int64)
        self.corner_face = np.repeat(np.arange(faces), self.total)
        # Fan from each face's first corner: (c0, ci, ci+1) for i in 1 … n-2.
        local = np.arange(loops) - self.start[self.corner_face]
        fan = np.flatnonzero((local >= 1) & (local <= self.total[self.corner_face] - 2))
        self.tri_face = self.corner_face[fan]
        self.tris = np.stack([self.corners[self.start[self.tri_face]], self.corners[fan],
                              self.corners[fan + 1]], axis=1) if len(fan) else np.zeros((0, 3), np.int64)
        p = self.co[self.tris]
        cross = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
        normal = np.stack([np.bincount(self.tri_face, cross[:, k], faces) for k in range(3)], 1)
        length = np.linalg.norm(normal, axis=1, keepdims=True)
        self.face_area = length.ravel() / 2
        self.face_normal = np.divide(normal, length, out=np.zeros_like(normal), where=length > 0)
        # v0 · (v1 × v2) per triangle: six times its signed tetrahedron volume, seen from
        # the vertices' mean, not the world origin: a shell that is not closed (Suzanne's
        # eyes, a hole) would otherwise change volume and orientation with its location.
        centre = self.co.mean(axis=0) if len(self.co) else np.zeros(3)
        q = p - centre
        self.tri_volume6 = np.einsum("ij,ij->i", q[:, 0], np.cross(q[:, 1], q[:, 2]))

    def next_corner(self) -> np.ndarray:
        """Index of the corner after each corner, wrapping round its face."""
        nxt = np.arange(1, len(self.corners) + 1)
        nxt[self.start + self.total - 1] = self.start
        return nxt


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Root (smallest member) per vertex: vectorised hook-and-compress union-find."""
    parent = np.arange(n)
    while True:
        pa, pb = parent[a], parent[b]
        differ = pa != pb
        if not differ.any():
            return parent
        lo, hi = np.minimum(pa[differ], pb[differ]), np.maximum(pa[differ], pb[differ])
        # Roots only ever hook onto smaller roots, so no cycles can form.
        np.minimum.at(parent, hi, lo)
        while True:
            nxt = parent[parent]
            if np.array_equal(nxt, parent):
                break
            parent = nxt


def shell_ids(arrays: FaceArrays) -> tuple[np.ndarray, int]:
    """Shell number per face, numbered by each shell's first face (as shells() orders them)."""
    if not len(arrays.start):
        return np.zeros(0, np.int64), 0
    # Star edges from each face's first corner connect the face as well as a ring would.
    first = arrays.corners[arrays.start][arrays.corner_face]
    root = _components(len(arrays.co), first, arrays.corners)[arrays.corners[arrays.start]]
    _, first_face, inverse = np.unique(root, return_index=True, return_inverse=True)
    rank = np.empty(len(first_face), np.int64)
    rank[np.argsort(first_face)] = np.arange(len(first_face))
    return rank[inverse.ravel()], len(first_face)


def shells(bm: bmesh.types.BMesh) -> list[list[bmesh.types.BMFace]]:
    """Faces grouped by connected component (connected through shared vertices)."""
    ids, count = shell_ids(FaceArrays(bm))
    bm.faces.ensure_lookup_table()
    faces = bm.faces
    order = np.argsort(ids, kind="stable")
    bounds = np.cumsum(np.bincount(ids, minlength=count))[:-1]
    return [[faces[i] for i in part.tolist()] for part in np.split(order, bounds)] if count else []


def replace_mesh_data(ob: bpy.types.Object, bm: bmesh.types.BMesh, world: bool = True) -> None:
    """Write *bm* into the object's mesh; *world* means bm is in world space."""
    if world:
        bm.transform(ob.matrix_world.inverted())
    bm.to_mesh(ob.data)
    ob.data.update()
