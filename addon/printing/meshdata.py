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


def _edge_ends(edges) -> tuple[np.ndarray, np.ndarray]:
    ends = np.fromiter((v.index for e in edges for v in e.verts), np.int64, 2 * len(edges))
    return ends[0::2], ends[1::2]


def vertex_components(bm: bmesh.types.BMesh) -> int:
    """Connected components counting loose vertices and wire edges too."""
    bm.verts.index_update()
    a, b = _edge_ends(bm.edges)
    return len(np.unique(_components(len(bm.verts), a, b)))


def boundary_loops(bm: bmesh.types.BMesh) -> int:
    """Number of holes: connected chains of edges that have only one face."""
    boundary = [e for e in bm.edges if len(e.link_faces) == 1]
    if not boundary:
        return 0
    bm.verts.index_update()
    a, b = _edge_ends(boundary)
    roots = _components(len(bm.verts), a, b)
    return len(np.unique(roots[np.concatenate((a, b))]))


def replace_mesh_data(ob: bpy.types.Object, bm: bmesh.types.BMesh, world: bool = True) -> None:
    """Write *bm* into the object's mesh; *world* means bm is in world space."""
    if world:
        bm.transform(ob.matrix_world.inverted())
    bm.to_mesh(ob.data)
    ob.data.update()
