"""Small bmesh helpers shared by the print functions: world-space copies, shells."""

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


def vertex_components(bm: bmesh.types.BMesh) -> int:
    """Connected components counting loose vertices and wire edges too."""
    parent = list(range(len(bm.verts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    bm.verts.index_update()
    for edge in bm.edges:
        a, b = find(edge.verts[0].index), find(edge.verts[1].index)
        if a != b:
            parent[a] = b
    return len({find(i) for i in range(len(parent))})


def boundary_loops(bm: bmesh.types.BMesh) -> int:
    """Number of holes: connected chains of edges that have only one face."""
    boundary = [e for e in bm.edges if len(e.link_faces) == 1]
    parent: dict[int, int] = {}

    def find(i: int) -> int:
        parent.setdefault(i, i)
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    bm.verts.index_update()
    for edge in boundary:
        a, b = find(edge.verts[0].index), find(edge.verts[1].index)
        if a != b:
            parent[a] = b
    return len({find(i) for i in parent})


def replace_mesh_data(ob: bpy.types.Object, bm: bmesh.types.BMesh, world: bool = True) -> None:
    """Write *bm* into the object's mesh; *world* means bm is in world space."""
    if world:
        bm.transform(ob.matrix_world.inverted())
    bm.to_mesh(ob.data)
    ob.data.update()
