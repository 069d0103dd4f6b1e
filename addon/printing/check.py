"""The print check: is the active mesh ready to slice, and how big is it?

Every figure a slicer would complain about, computed from a world-space copy
so object scale and modifiers count, and reported in the units a printer
uses (mm, ml) via the scene's unit scale (1 BU = 1 m × scale_length).
"""

from __future__ import annotations

import dataclasses

import bmesh
import bpy
from mathutils.bvhtree import BVHTree

from ...bridge.errors import PrintPrepError
from .meshdata import boundary_loops, vertex_components, world_bmesh


@dataclasses.dataclass
class PrintCheckReport:
    non_manifold_edges: int      # edges not shared by exactly two faces (boundary included)
    holes: int                   # boundary loops
    loose_parts: int             # connected components
    self_intersections: int      # pairs of faces that cut each other
    volume_bu3: float            # signed-sum volume in scene units³
    volume_ml: float
    height_mm: float
    faces: int

    @property
    def watertight(self) -> bool:
        return self.non_manifold_edges == 0 and self.holes == 0

    def lines(self) -> list[str]:
        return [
            "Watertight: yes" if self.watertight else "Watertight: NO",
            f"Non-manifold edges: {self.non_manifold_edges}",
            f"Holes: {self.holes}",
            f"Loose parts: {self.loose_parts}",
            f"Self-intersections: {self.self_intersections}",
            f"Volume: {self.volume_ml:.2f} ml",
            f"Height: {self.height_mm:.1f} mm",
        ]


def unit_scale(scene: bpy.types.Scene | None = None) -> float:
    """Metres per Blender unit."""
    scene = scene or bpy.context.scene
    return float(scene.unit_settings.scale_length or 1.0)


def bu3_to_ml(volume_bu3: float, scale_length: float) -> float:
    # m³ → ml is ×1e6.
    return volume_bu3 * scale_length ** 3 * 1e6


def mesh_volume(bm: bmesh.types.BMesh) -> float:
    """Volume of a closed bmesh; cavities with inward normals subtract, as they should."""
    tri = bm.copy()
    bmesh.ops.triangulate(tri, faces=tri.faces[:])
    volume = abs(tri.calc_volume(signed=True))
    tri.free()
    return volume


def count_self_intersections(bm: bmesh.types.BMesh) -> int:
    """Pairs of faces that cut each other.

    ``overlap()`` reports triangles that merely touch at a shared vertex or
    edge too; those are neighbours, not cuts, so pairs sharing a vertex are
    dropped (a fold between neighbours goes unseen, as in most print checks).
    """
    bm.faces.index_update()
    bm.faces.ensure_lookup_table()
    tree = BVHTree.FromBMesh(bm, epsilon=0.0)   # overlap() answers in face indices
    pairs = set()
    for a, b in tree.overlap(tree):
        if a == b or (a, b) in pairs or (b, a) in pairs:
            continue
        if set(bm.faces[a].verts) & set(bm.faces[b].verts):
            continue
        pairs.add((a, b))
    return len(pairs)


def height_mm(bm: bmesh.types.BMesh, scale_length: float) -> float:
    if not bm.verts:
        return 0.0
    zs = [v.co.z for v in bm.verts]
    return (max(zs) - min(zs)) * scale_length * 1000.0


def check_bmesh(bm: bmesh.types.BMesh, scale_length: float) -> PrintCheckReport:
    return PrintCheckReport(
        non_manifold_edges=sum(1 for e in bm.edges if not e.is_manifold),
        holes=boundary_loops(bm),
        loose_parts=vertex_components(bm),
        self_intersections=count_self_intersections(bm),
        volume_bu3=(vol := mesh_volume(bm)),
        volume_ml=bu3_to_ml(vol, scale_length),
        height_mm=height_mm(bm, scale_length),
        faces=len(bm.faces),
    )


def check_object(ob: bpy.types.Object, scene: bpy.types.Scene | None = None) -> PrintCheckReport:
    """The print check of a mesh object, in world space with modifiers applied."""
    if ob is None or ob.type != "MESH":
        raise PrintPrepError("The print check needs a mesh object; select one and make it active.")
    bm = world_bmesh(ob)
    try:
        return check_bmesh(bm, unit_scale(scene))
    finally:
        bm.free()
