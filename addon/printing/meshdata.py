"""Small bmesh helpers shared by the print functions: world-space copies, shells."""

from __future__ import annotations

import bmesh
import bpy


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


def shells(bm: bmesh.types.BMesh) -> list[list[bmesh.types.BMFace]]:
    """Faces grouped by connected component (connected through shared vertices)."""
    seen: set[int] = set()
    groups = []
    bm.faces.ensure_lookup_table()
    for start in bm.faces:
        if start.index in seen:
            continue
        seen.add(start.index)
        stack, group = [start], []
        while stack:
            face = stack.pop()
            group.append(face)
            for vert in face.verts:
                for other in vert.link_faces:
                    if other.index not in seen:
                        seen.add(other.index)
                        stack.append(other)
        groups.append(group)
    return groups


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
