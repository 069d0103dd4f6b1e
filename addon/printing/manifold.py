"""Make a mesh printable: weld, de-duplicate, fill holes, orient, union shells.

The cheap bmesh clean-ups run first; only shells that really cut each other
go through a Boolean union (separate objects, one modifier), because a
boolean over the whole mesh is slow and would also merge nested cavities.
"""

from __future__ import annotations

import dataclasses

import bmesh
import bpy
import numpy as np

from ...bridge.errors import PrintPrepError
from .booleans import apply_boolean, remove_object, temp_object
from .check import check_object
from .meshdata import FaceArrays, shell_ids


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
    """Delete faces whose vertex set repeats an earlier face's (first one kept)."""
    arr = FaceArrays(bm)
    if not len(arr.start):
        return 0
    # Compare sorted vertex-index rows. A face with a repeated vertex is keyed
    # by its distinct vertices only (what the old frozenset key did), so rows
    # are bucketed by their distinct-vertex count, not by their corner count.
    buckets: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {}
    for size in np.unique(arr.total).tolist():
        faces = np.flatnonzero(arr.total == size)
        rows = np.sort(arr.corners[arr.start[faces, None] + np.arange(size)], axis=1)
        odd = (rows[:, 1:] == rows[:, :-1]).any(axis=1)
        buckets.setdefault(size, []).append((faces[~odd], rows[~odd]))
        for face, row in zip(faces[odd].tolist(), rows[odd]):
            key = np.unique(row)
            buckets.setdefault(len(key), []).append((np.array([face]), key[None, :]))
    doomed: list[int] = []
    for parts in buckets.values():
        faces = np.concatenate([f for f, _ in parts])
        if not len(faces):
            continue
        order = np.argsort(faces, kind="stable")   # the first face in bmesh order survives
        _, first = np.unique(np.concatenate([r for _, r in parts])[order], axis=0, return_index=True)
        keep = np.zeros(len(faces), bool)
        keep[first] = True
        doomed.extend(faces[order][~keep].tolist())
    if doomed:
        bm.faces.ensure_lookup_table()
        bmesh.ops.delete(bm, geom=[bm.faces[i] for i in sorted(doomed)], context="FACES_ONLY")
    return len(doomed)


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


class _Shells:
    """Per-shell signed volume and bounding box, computed over bulk arrays."""

    def __init__(self, bm: bmesh.types.BMesh):
        arr = self.arrays = FaceArrays(bm)
        self.ids, self.count = shell_ids(arr)
        cid = self.ids[arr.corner_face]
        # Fan triangulation from each face's first vertex: v0 . (vi x vi+1).
        local = np.arange(len(arr.corners)) - arr.start[arr.corner_face]
        fan = np.flatnonzero((local >= 1) & (local <= arr.total[arr.corner_face] - 2))
        # Seen from each shell's own centre: an open shell's sign must not depend on
        # where the object stands (see topology.shell_volumes).
        count = np.maximum(np.bincount(cid, minlength=self.count), 1)
        points = arr.co[arr.corners]
        centre = np.stack([np.bincount(cid, points[:, k], self.count) for k in range(3)], 1)
        centre = (centre / count[:, None])[cid[fan]]
        v0 = arr.co[arr.corners[arr.start[arr.corner_face[fan]]]] - centre
        triple = np.einsum("ij,ij->i", v0, np.cross(arr.co[arr.corners[fan]] - centre,
                                                     arr.co[arr.corners[fan + 1]] - centre))
        self.volume = np.bincount(cid[fan], weights=triple, minlength=self.count) / 6.0
        order = np.argsort(cid, kind="stable")
        pts = arr.co[arr.corners[order]]
        starts = np.searchsorted(cid[order], np.arange(self.count))
        self.lo = np.minimum.reduceat(pts, starts, axis=0) if self.count else np.zeros((0, 3))
        self.hi = np.maximum.reduceat(pts, starts, axis=0) if self.count else np.zeros((0, 3))

    def faces(self, bm: bmesh.types.BMesh, shell_ids) -> list[bmesh.types.BMFace]:
        bm.faces.ensure_lookup_table()
        return [bm.faces[i] for i in np.flatnonzero(np.isin(self.ids, shell_ids)).tolist()]

    def is_nested(self, g: int) -> bool:
        """Whether another shell's bounding box strictly contains this one's."""
        inside = np.all(self.lo < self.lo[g], axis=1) & np.all(self.hi[g] < self.hi, axis=1)
        inside[g] = False
        return bool(inside.any())

    def overlapping_groups(self) -> list[list[int]]:
        """Indices of solid shells whose bounding boxes overlap, grouped transitively.

        Bounding boxes, not a BVH overlap test: shells that only meet along
        coplanar faces (a common export artefact) are invisible to
        triangle-triangle tests but still need the union. Cavities (inward
        normals) are never candidates.
        """
        solid = np.flatnonzero(self.volume > 0)
        lo, hi = self.lo[solid], self.hi[solid]
        parent = list(range(len(solid)))

        def find(i):
            while parent[i] != i:
                i = parent[i]
            return i

        for n in range(len(solid)):
            hits = np.all(lo[n] < hi[n + 1:], axis=1) & np.all(lo[n + 1:] < hi[n], axis=1)
            for m in (np.flatnonzero(hits) + n + 1).tolist():
                parent[find(n)] = find(m)
        clusters: dict[int, list[int]] = {}
        for n, i in enumerate(solid.tolist()):
            clusters.setdefault(find(n), []).append(i)
        return [c for c in clusters.values() if len(c) > 1]

    def mesh(self, shell: int, name: str) -> bpy.types.Mesh:
        """A new Mesh of one shell, vertices numbered in order of first use."""
        arr = self.arrays
        faces = np.flatnonzero(self.ids == shell)
        sel = np.flatnonzero(self.ids[arr.corner_face] == shell)
        used, first, inverse = np.unique(arr.corners[sel], return_index=True, return_inverse=True)
        rank = np.empty(len(used), np.int64)
        rank[np.argsort(first)] = np.arange(len(used))
        mesh = bpy.data.meshes.new(name)
        mesh.vertices.add(len(used))
        mesh.vertices.foreach_set("co", arr.co[used[np.argsort(first)]].astype(np.float32).ravel())
        mesh.loops.add(len(sel))
        mesh.loops.foreach_set("vertex_index", rank[inverse.ravel()].astype(np.int32))
        mesh.polygons.add(len(faces))
        totals = arr.total[faces]
        mesh.polygons.foreach_set("loop_start", (np.cumsum(totals) - totals).astype(np.int32))
        mesh.update(calc_edges=True)
        mesh.update()
        return mesh


def _union_shells(ob: bpy.types.Object, bm: bmesh.types.BMesh, report: ManifoldReport) -> None:
    groups = _Shells(bm)
    if groups.count < 2:
        return
    clusters = groups.overlapping_groups()
    if not clusters:
        return
    merged = []
    for cluster in clusters:
        parts = [temp_object(f"AISTUDIO_shell_{i}", groups.mesh(i, "AISTUDIO_shell"))
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
    doomed = groups.faces(bm, [i for cluster in clusters for i in cluster])
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
        groups = _Shells(bm)
        cavities = ([g for g in np.flatnonzero(groups.volume < 0).tolist() if groups.is_nested(g)]
                    if groups.count > 1 else [])
        bmesh.ops.recalc_face_normals(bm, faces=bm.faces[:])
        if cavities:
            # Same topology, so the shell numbering still holds; only winding changed.
            after = _Shells(bm)
            flip = [g for g in cavities if after.volume[g] > 0]
            if flip:
                bmesh.ops.reverse_faces(bm, faces=after.faces(bm, flip))
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
