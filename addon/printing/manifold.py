"""Make a mesh printable: weld, de-duplicate, fill holes, orient, union shells.

The cheap bmesh clean-ups run first; only shells that really cut each other
go through a Boolean union (separate objects, one modifier), because a
boolean over the whole mesh is slow and would also merge nested cavities.
"""

from __future__ import annotations

import dataclasses

import bmesh
import bpy

from .booleans import apply_boolean, remove_object, temp_object
from .bridgeimport import PrintPrepError
from .check import check_object
from .meshdata import shells


@dataclasses.dataclass
class ManifoldReport:
    welded_verts: int = 0
    duplicate_faces: int = 0
    holes_filled: int = 0
    loose_removed: int = 0
    shells_unioned: int = 0
    solver: str = ""
    watertight: bool = False

    def summary(self) -> str:
        parts = [f"welded {self.welded_verts} verts", f"removed {self.duplicate_faces} duplicate faces",
                 f"filled {self.holes_filled} holes", f"removed {self.loose_removed} loose elements"]
        if self.shells_unioned:
            parts.append(f"united {self.shells_unioned} overlapping shells ({self.solver})")
        state = "watertight" if self.watertight else "still NOT watertight"
        return "Make manifold: " + ", ".join(parts) + f"; result {state}."


def _remove_duplicate_faces(bm: bmesh.types.BMesh) -> int:
    seen, extra = set(), []
    for face in bm.faces:
        key = frozenset(v.index for v in face.verts)
        if key in seen:
            extra.append(face)
        else:
            seen.add(key)
    if extra:
        bmesh.ops.delete(bm, geom=extra, context="FACES_ONLY")
    return len(extra)


def _remove_loose(bm: bmesh.types.BMesh) -> int:
    edges = [e for e in bm.edges if not e.link_faces]
    if edges:
        bmesh.ops.delete(bm, geom=edges, context="EDGES")
    verts = [v for v in bm.verts if not v.link_faces]
    if verts:
        bmesh.ops.delete(bm, geom=verts, context="VERTS")
    return len(edges) + len(verts)


def _fill_holes(bm: bmesh.types.BMesh) -> int:
    boundary = [e for e in bm.edges if len(e.link_faces) == 1]
    if not boundary:
        return 0
    before = len(bm.faces)
    result = bmesh.ops.holes_fill(bm, edges=boundary, sides=0)
    if result["faces"]:
        # Big n-gons are ambiguous for slicers; fan them into triangles here.
        bmesh.ops.triangulate(bm, faces=result["faces"], quad_method="BEAUTY", ngon_method="BEAUTY")
    return len(result["faces"]) if result["faces"] else len(bm.faces) - before


def _signed_volume(faces) -> float:
    total = 0.0
    for face in faces:
        v0 = face.verts[0].co
        for i in range(1, len(face.verts) - 1):
            total += v0.dot(face.verts[i].co.cross(face.verts[i + 1].co))
    return total / 6.0


def _bbox(faces):
    cos = [v.co for f in faces for v in f.verts]
    return ([min(c[k] for c in cos) for k in range(3)], [max(c[k] for c in cos) for k in range(3)])


def _is_nested(group, groups) -> bool:
    """Whether another shell's bounding box strictly contains this one's."""
    lo, hi = _bbox(group)
    for other in groups:
        if other is group:
            continue
        olo, ohi = _bbox(other)
        if all(olo[k] < lo[k] and hi[k] < ohi[k] for k in range(3)):
            return True
    return False


def _overlapping_groups(groups) -> list[list[int]]:
    """Indices of solid shells whose bounding boxes overlap, grouped transitively.

    Bounding boxes, not a BVH overlap test: shells that only meet along
    coplanar faces (a common export artefact) are invisible to
    triangle-triangle tests but still need the union. Cavities (inward
    normals) are never candidates.
    """
    solid = [i for i, g in enumerate(groups) if _signed_volume(g) > 0]
    boxes = {i: _bbox(groups[i]) for i in solid}
    parent = {i: i for i in solid}

    def find(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for n, i in enumerate(solid):
        for j in solid[n + 1:]:
            (alo, ahi), (blo, bhi) = boxes[i], boxes[j]
            if all(alo[k] < bhi[k] and blo[k] < ahi[k] for k in range(3)):
                parent[find(i)] = find(j)
    clusters: dict[int, list[int]] = {}
    for i in solid:
        clusters.setdefault(find(i), []).append(i)
    return [c for c in clusters.values() if len(c) > 1]


def _shell_mesh(faces, name: str) -> bpy.types.Mesh:
    index: dict[int, int] = {}
    coords, polys = [], []
    for face in faces:
        poly = []
        for v in face.verts:
            if v.index not in index:
                index[v.index] = len(coords)
                coords.append(v.co.copy())
            poly.append(index[v.index])
        polys.append(poly)
    mesh = bpy.data.meshes.new(name)
    mesh.from_pydata(coords, [], polys)
    mesh.update()
    return mesh


def _union_shells(ob: bpy.types.Object, bm: bmesh.types.BMesh, report: ManifoldReport) -> None:
    groups = shells(bm)
    if len(groups) < 2:
        return
    clusters = _overlapping_groups(groups)
    if not clusters:
        return
    merged = []
    for cluster in clusters:
        parts = [temp_object(f"AISTUDIO_shell_{i}", _shell_mesh(groups[i], "AISTUDIO_shell"))
                 for i in cluster]
        for part in parts:
            part.matrix_world = ob.matrix_world
        try:
            report.solver = apply_boolean(parts[0], parts[1:], "UNION")
            merged.append(parts[0].data.copy())
        finally:
            for part in parts:
                remove_object(part)
        report.shells_unioned += len(cluster)
    doomed = [f for cluster in clusters for i in cluster for f in groups[i]]
    bmesh.ops.delete(bm, geom=doomed, context="FACES")
    for mesh in merged:
        bm.from_mesh(mesh)   # appends to what is already in bm
        bpy.data.meshes.remove(mesh)


def make_manifold(ob: bpy.types.Object, weld_distance: float = 1e-5,
                  union_shells: bool = True) -> ManifoldReport:
    """Repair *ob*'s mesh in place for printing; returns what was done."""
    if ob is None or ob.type != "MESH":
        raise PrintPrepError("Make manifold needs a mesh object.")
    report = ManifoldReport()
    bm = bmesh.new()
    bm.from_mesh(ob.data)
    try:
        before = len(bm.verts)
        bmesh.ops.remove_doubles(bm, verts=bm.verts[:], dist=weld_distance)
        report.welded_verts = before - len(bm.verts)
        bmesh.ops.dissolve_degenerate(bm, edges=bm.edges[:], dist=weld_distance)
        bm.verts.index_update()
        report.duplicate_faces = _remove_duplicate_faces(bm)
        report.loose_removed = _remove_loose(bm)
        report.holes_filled = _fill_holes(bm)
        # A cavity authored with inward normals (a hollowed print) must stay
        # inward; recalc would turn it into a second solid.
        groups = shells(bm)
        cavities = ([g for g in groups if _signed_volume(g) < 0 and _is_nested(g, groups)]
                    if len(groups) > 1 else [])
        bmesh.ops.recalc_face_normals(bm, faces=bm.faces[:])
        for group in cavities:
            if _signed_volume(group) > 0:
                bmesh.ops.reverse_faces(bm, faces=group)
        bm.verts.index_update()
        bm.faces.index_update()
        if union_shells:
            _union_shells(ob, bm, report)
            bmesh.ops.remove_doubles(bm, verts=bm.verts[:], dist=weld_distance)
        bm.to_mesh(ob.data)
        ob.data.update()
    finally:
        bm.free()
    report.watertight = check_object(ob).watertight
    return report
