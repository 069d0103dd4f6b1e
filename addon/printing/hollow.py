"""Hollow a closed mesh to a wall thickness, with optional drain holes.

Preferred method (Blender with volume-grid nodes): sample the mesh into a
signed distance grid and extract the iso-surface at ``-thickness``; that
surface, with its normals flipped, is the cavity. The original outer skin is
kept untouched, so only the inside carries voxel error. Older Blender: a
Solidify modifier pushing a copy inward (offset shell), which can fold on
itself in tight concave spots; the report says which method ran.
"""

from __future__ import annotations

import dataclasses
import math

import bmesh
import bpy
import numpy as np
from mathutils import Matrix, Vector
from mathutils.bvhtree import BVHTree

from ...bridge.errors import PrintPrepError
from .booleans import apply_boolean, remove_object, temp_object
from .compat import has_sdf_nodes
from .topology import WELD_RELATIVE, weld_ids

METHOD_SDF = "SDF"
METHOD_OFFSET = "offset shell (fallback)"
MAX_VOXELS_ACROSS = 400   # keeps the grid (and time) bounded on large models


@dataclasses.dataclass
class HollowReport:
    method: str
    thickness: float          # in scene units
    voxel_size: float = 0.0
    drain_holes: int = 0
    solver: str = ""
    welded_verts: int = 0     # seam copies merged first (UVs stay as they were)
    warning: str = ""

    def summary(self) -> str:
        text = f"Hollowed, wall {self.thickness:.4g} BU, method: {self.method}"
        if self.voxel_size:
            text += f" (voxel {self.voxel_size:.3g})"
        if self.welded_verts:
            text += f"; welded {self.welded_verts} seam vertices first"
        if self.drain_holes:
            text += f"; {self.drain_holes} drain hole(s) ({self.solver})"
        text += "."
        return f"{text} {self.warning}" if self.warning else text


def _sdf_node_group(voxel: float, band: int, thickness: float) -> bpy.types.NodeTree:
    group = bpy.data.node_groups.new("AISTUDIO_hollow_sdf", "GeometryNodeTree")
    group.interface.new_socket("Geometry", in_out="INPUT", socket_type="NodeSocketGeometry")
    group.interface.new_socket("Geometry", in_out="OUTPUT", socket_type="NodeSocketGeometry")
    nodes, links = group.nodes, group.links
    source, sink = nodes.new("NodeGroupInput"), nodes.new("NodeGroupOutput")
    to_grid = nodes.new("GeometryNodeMeshToSDFGrid")
    to_grid.inputs["Voxel Size"].default_value = voxel
    to_grid.inputs["Band Width"].default_value = band
    to_mesh = nodes.new("GeometryNodeGridToMesh")
    # The SDF is negative inside: the -t level set is the inner wall.
    to_mesh.inputs["Threshold"].default_value = -thickness
    to_mesh.inputs["Adaptivity"].default_value = 0.0
    links.new(source.outputs[0], to_grid.inputs["Mesh"])
    links.new(to_grid.outputs[0], to_mesh.inputs["Grid"])
    links.new(to_mesh.outputs[0], sink.inputs[0])
    return group


def _evaluated_mesh(ob: bpy.types.Object) -> bpy.types.Mesh:
    depsgraph = bpy.context.evaluated_depsgraph_get()
    depsgraph.update()
    return bpy.data.meshes.new_from_object(ob.evaluated_get(depsgraph), depsgraph=depsgraph)


def _cavity_sdf(ob: bpy.types.Object, thickness: float, voxel: float | None) -> tuple[bpy.types.Mesh, float]:
    size = max(ob.dimensions) / max(max(ob.scale), 1e-9)   # local units, as the grid sees them
    local_t = thickness / max(max(ob.scale), 1e-9)
    voxel = voxel or max(local_t / 5.0, size / MAX_VOXELS_ACROSS)
    band = int(math.ceil(local_t / voxel)) + 3
    probe = temp_object("AISTUDIO_hollow_probe", ob.data.copy())
    group = _sdf_node_group(voxel, band, local_t)
    try:
        probe.modifiers.new("sdf", "NODES").node_group = group
        cavity = _evaluated_mesh(probe)
    finally:
        remove_object(probe)
        bpy.data.node_groups.remove(group)
    return cavity, voxel


def _shell_offset(ob: bpy.types.Object, thickness: float) -> bpy.types.Mesh:
    probe = temp_object("AISTUDIO_hollow_probe", ob.data.copy())
    try:
        mod = probe.modifiers.new("solidify", "SOLIDIFY")
        mod.thickness = thickness / max(max(ob.scale), 1e-9)
        mod.offset = -1.0
        mod.use_even_offset = True
        mod.use_rim = False
        return _evaluated_mesh(probe)
    finally:
        remove_object(probe)


def _add_cavity(ob: bpy.types.Object, cavity: bpy.types.Mesh) -> None:
    bm = bmesh.new()
    bm.from_mesh(ob.data)
    before = len(bm.faces)
    bm.from_mesh(cavity)                       # appends the inner wall
    bm.faces.ensure_lookup_table()
    bmesh.ops.reverse_faces(bm, faces=bm.faces[before:])
    bm.to_mesh(ob.data)
    ob.data.update()
    bm.free()


def weld_seams(ob: bpy.types.Object) -> int:
    """Merge vertex copies along UV seams and hard edges; returns how many merged.

    A fresh GLB is split at every seam: the offset fallback would push each
    UV island in on its own (cracks in the inner wall) and the Manifold
    solver refuses it, so drain holes would silently not be cut. Merging
    coincident vertices changes no shape and keeps the UVs (they live on
    face corners).
    """
    count = len(ob.data.vertices)
    co = np.empty(count * 3, np.float32)
    ob.data.vertices.foreach_get("co", co)
    _, welded = weld_ids(co.reshape(-1, 3).astype(np.float64))
    if welded == count:
        return 0
    extent = co.reshape(-1, 3).max(axis=0) - co.reshape(-1, 3).min(axis=0)
    bm = bmesh.new()
    bm.from_mesh(ob.data)
    bmesh.ops.remove_doubles(bm, verts=bm.verts[:], dist=float(np.linalg.norm(extent)) * WELD_RELATIVE)
    merged = count - len(bm.verts)
    bm.to_mesh(ob.data)
    bm.free()
    ob.data.update()
    return merged


def hollow(ob: bpy.types.Object, thickness: float, drain_holes: int = 0,
           drain_diameter: float | None = None, voxel_size: float | None = None,
           force_offset: bool = False) -> HollowReport:
    """Hollow *ob* in place; *thickness* and sizes are in scene units (world scale)."""
    if ob is None or ob.type != "MESH":
        raise PrintPrepError("Hollowing needs a mesh object.")
    if thickness <= 0 or thickness * 2 >= min(ob.dimensions):
        raise PrintPrepError(f"Wall thickness {thickness:.4g} must be positive and under half "
                             f"the model's smallest dimension ({min(ob.dimensions):.4g}).")
    welded = weld_seams(ob)
    if has_sdf_nodes() and not force_offset:
        cavity, voxel = _cavity_sdf(ob, thickness, voxel_size)
        report = HollowReport(METHOD_SDF, thickness, voxel)
        if not cavity.polygons:
            bpy.data.meshes.remove(cavity)
            raise PrintPrepError("The model is too thin to hollow at this wall thickness.")
        _add_cavity(ob, cavity)
        bpy.data.meshes.remove(cavity)
    else:
        shelled = _shell_offset(ob, thickness)
        old = ob.data
        ob.data = shelled
        if old.users == 0:
            bpy.data.meshes.remove(old)
        report = HollowReport(METHOD_OFFSET, thickness)
    report.welded_verts = welded
    if drain_holes:
        diameter = drain_diameter or max(2.0 * thickness, min(ob.dimensions) * 0.08)
        faces = len(ob.data.polygons)
        report.solver = add_drain_holes(ob, drain_holes, diameter, thickness)
        if len(ob.data.polygons) == faces:
            # The solver gave the mesh back uncut (it refuses meshes that are not closed).
            report.warning = ("The drain holes could NOT be cut: the mesh is not closed. "
                              "Run Make Manifold on the original, then hollow again.")
        else:
            report.drain_holes = drain_holes
    return report


def _bottom_points(ob: bpy.types.Object, count: int) -> list[Vector]:
    """World points on the underside where drain holes go, found by rays from below."""
    corners = [ob.matrix_world @ Vector(c) for c in ob.bound_box]
    lo = Vector([min(c[k] for c in corners) for k in range(3)])
    hi = Vector([max(c[k] for c in corners) for k in range(3)])
    centre = (lo + hi) / 2
    spread = (hi.x - lo.x) * 0.2
    xs = [centre.x] if count == 1 else [centre.x - spread + 2 * spread * i / (count - 1)
                                       for i in range(count)]
    bm = bmesh.new()
    bm.from_mesh(ob.data)
    bm.transform(ob.matrix_world)
    tree = BVHTree.FromBMesh(bm)
    bm.free()
    points = []
    for x in xs:
        hit, *_ = tree.ray_cast(Vector((x, centre.y, lo.z - 1.0)), Vector((0, 0, 1)))
        points.append(hit if hit is not None else Vector((x, centre.y, lo.z)))
    return points


def add_drain_holes(ob: bpy.types.Object, count: int, diameter: float, thickness: float) -> str:
    """Cut *count* vertical cylinders through the bottom wall; returns the solver used."""
    cutters = []
    for i, point in enumerate(_bottom_points(ob, count)):
        bm = bmesh.new()
        depth = 4.0 * thickness   # from below the skin well into the cavity
        bmesh.ops.create_cone(bm, cap_ends=True, segments=24, radius1=diameter / 2,
                              radius2=diameter / 2, depth=depth,
                              matrix=Matrix.Translation(point + Vector((0, 0, depth / 2 - thickness))))
        mesh = bpy.data.meshes.new(f"AISTUDIO_drain_{i}")
        bm.to_mesh(mesh)
        bm.free()
        cutters.append(temp_object(mesh.name, mesh))
    try:
        return apply_boolean(ob, cutters, "DIFFERENCE")
    finally:
        for cutter in cutters:
            remove_object(cutter)
