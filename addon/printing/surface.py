"""Per-face print checks: wall thickness, cutting faces, overhangs.

Thickness is what Blender's 3D-Print Toolbox measures: from each face, a ray
goes inward (against the normal) and the distance to the next surface is the
wall there. The Toolbox casts its rays one at a time from Python; here one
Geometry Nodes Raycast evaluates every face at once in Blender's threaded
C++ code. The same evaluated copy, welded and triangulated, feeds the BVH
overlap test for self-intersections: welded, its seam neighbours share
vertices, which the overlap test skips itself instead of handing Python
hundreds of thousands of touching pairs.
"""

from __future__ import annotations

import dataclasses
import math

import bpy
import numpy as np
from mathutils.bvhtree import BVHTree

from .booleans import temp_object

_THICKNESS = "aistudio_thickness"
_FACE = "aistudio_face"
_HIT = "aistudio_hit_face"


def _vector_math(nodes, links, operation: str, a, b=None, scale: float | None = None):
    node = nodes.new("ShaderNodeVectorMath")
    node.operation = operation
    links.new(a, node.inputs[0])
    if b is not None:
        links.new(b, node.inputs[1])
    if scale is not None:
        node.inputs["Scale"].default_value = scale
    return node.outputs[0]


def _store(nodes, links, geometry, name: str, data_type: str, value):
    store = nodes.new("GeometryNodeStoreNamedAttribute")
    store.data_type, store.domain = data_type, "FACE"
    store.inputs["Name"].default_value = name
    links.new(geometry, store.inputs["Geometry"])
    links.new(value, store.inputs["Value"])
    return store.outputs[0]


def _fastest_split(node: bpy.types.Node) -> None:
    """Any split into planar triangles will do for aiming rays: take the cheapest."""
    for prop, socket, value in (("quad_method", "Quad Method", "FIXED"),
                                ("ngon_method", "N-gon Method", "CLIP")):
        if hasattr(node, prop):                       # up to 4.x: node properties
            setattr(node, prop, value)
        elif socket in node.inputs:                   # 5.0: menu sockets
            node.inputs[socket].default_value = value.title()


def _nearest(ray: bpy.types.Node) -> None:
    """Read the hit triangle's own value, not a blend of its neighbours'."""
    if hasattr(ray, "mapping"):                        # up to 4.x: a node property
        ray.mapping = "NEAREST"
    elif "Interpolation" in ray.inputs:                # 5.0: a menu socket
        ray.inputs["Interpolation"].default_value = "Nearest"


def _probe_group(weld: float, triangulate: bool, max_distance: float,
                 start_offset: float) -> bpy.types.NodeTree:
    """Welded triangles, each tagged with its face and the wall thickness behind it.

    Rays start from triangles, not from faces: a non-planar quad's centre
    lies off its own surface, and its ray would hit the quad itself. Welding
    (*weld* > 0) and triangulating are left out when the mesh needs neither.
    """
    group = bpy.data.node_groups.new("AISTUDIO_print_probe", "GeometryNodeTree")
    group.interface.new_socket("Geometry", in_out="INPUT", socket_type="NodeSocketGeometry")
    group.interface.new_socket("Geometry", in_out="OUTPUT", socket_type="NodeSocketGeometry")
    nodes, links = group.nodes, group.links
    source, sink = nodes.new("NodeGroupInput"), nodes.new("NodeGroupOutput")
    tagged = _store(nodes, links, source.outputs[0], _FACE, "INT",
                    nodes.new("GeometryNodeInputIndex").outputs[0])
    welded = tagged
    if weld > 0:
        merge = nodes.new("GeometryNodeMergeByDistance")
        merge.inputs["Distance"].default_value = weld
        links.new(tagged, merge.inputs["Geometry"])
        welded = merge.outputs[0]
    mesh = welded
    if triangulate:
        split = nodes.new("GeometryNodeTriangulate")
        _fastest_split(split)
        links.new(welded, split.inputs["Mesh"])
        mesh = split.outputs[0]
    inward = _vector_math(nodes, links, "SCALE", nodes.new("GeometryNodeInputNormal").outputs[0],
                          scale=-1.0)
    # Start just below the triangle, so the ray cannot hit the triangle it leaves.
    start = _vector_math(nodes, links, "ADD", nodes.new("GeometryNodeInputPosition").outputs[0],
                         _vector_math(nodes, links, "SCALE", inward, scale=start_offset))
    ray = nodes.new("GeometryNodeRaycast")
    ray.data_type = "FLOAT"            # the hit face's number; floats are exact to 2**24 faces
    _nearest(ray)
    face = nodes.new("GeometryNodeInputNamedAttribute")
    face.data_type = "FLOAT"
    face.inputs["Name"].default_value = _FACE
    links.new(face.outputs["Attribute"], ray.inputs["Attribute"])
    links.new(mesh, ray.inputs["Target Geometry"])
    links.new(start, ray.inputs["Source Position"])
    links.new(inward, ray.inputs["Ray Direction"])
    ray.inputs["Ray Length"].default_value = max_distance
    missed = nodes.new("GeometryNodeSwitch")
    missed.input_type = "FLOAT"
    missed.inputs["False"].default_value = -1.0
    links.new(ray.outputs["Is Hit"], missed.inputs["Switch"])
    links.new(ray.outputs["Hit Distance"], missed.inputs["True"])
    stored = _store(nodes, links, mesh, _THICKNESS, "FLOAT", missed.outputs[0])
    links.new(_store(nodes, links, stored, _HIT, "FLOAT", ray.outputs["Attribute"]), sink.inputs[0])
    return group


@dataclasses.dataclass
class Probe:
    owner: np.ndarray            # per probe triangle: the face it belongs to
    distance: np.ndarray         # per triangle: wall behind it (inf: none within the limit)
    hit_face: np.ndarray         # per triangle: the face its ray hit (-1: none)
    touching: np.ndarray         # (n, 2) faces whose triangles overlap (i < j); neighbours too


def probe_faces(mesh: bpy.types.Mesh, weld: float, max_thickness: float,
                triangulate: bool = True) -> Probe:
    """Ray-cast walls (up to *max_thickness*) and overlapping face pairs of *mesh*.

    *weld*: merge distance (0: the mesh has no split vertices); *triangulate*
    False when every face already is a triangle. *mesh* is only read (the
    probe object shares it); lengths are in its units.
    """
    empty = np.zeros(0, np.int64)
    if not len(mesh.polygons):
        return Probe(empty, np.zeros(0), empty, np.zeros((0, 2), np.int64))
    co = np.empty(len(mesh.vertices) * 3, np.float32)
    mesh.vertices.foreach_get("co", co)
    co = co.reshape(-1, 3)
    offset = (float(np.linalg.norm(co.max(axis=0) - co.min(axis=0))) or 1.0) * 1e-6
    probe = temp_object("AISTUDIO_print_probe", mesh)
    group = _probe_group(weld, triangulate, max(max_thickness, 0.0), offset)
    try:
        probe.modifiers.new("probe", "NODES").node_group = group
        depsgraph = bpy.context.evaluated_depsgraph_get()
        depsgraph.update()
        evaluated = probe.evaluated_get(depsgraph)
        tree = BVHTree.FromObject(probe, depsgraph)
        result = evaluated.to_mesh()
        try:
            count = len(result.polygons)
            values = np.empty(count, np.float32)
            result.attributes[_THICKNESS].data.foreach_get("value", values)
            hit_face = np.empty(count, np.float32)
            result.attributes[_HIT].data.foreach_get("value", hit_face)
            owner = np.empty(count, np.int32)
            result.attributes[_FACE].data.foreach_get("value", owner)
        finally:
            evaluated.to_mesh_clear()
        # Same tree on both sides: the overlap test itself skips triangles sharing a vertex.
        pairs = np.array(tree.overlap(tree), np.int64).reshape(-1, 2)
    finally:
        bpy.data.objects.remove(probe, do_unlink=True)   # the mesh is the caller's
        bpy.data.node_groups.remove(group)
    owner = owner.astype(np.int64)
    hit = (values >= 0) if max_thickness > 0 else np.zeros(count, bool)
    distance = np.where(hit, values.astype(np.float64) + offset, np.inf)
    hit_face = np.where(hit, np.rint(hit_face).astype(np.int64), -1)
    pairs = np.sort(owner[pairs], axis=1) if len(pairs) else pairs
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return Probe(owner, distance, hit_face, np.unique(pairs, axis=0) if len(pairs) else pairs)


def overhang_faces(normals: np.ndarray, areas: np.ndarray, face_top_z: np.ndarray,
                   angle: float, plate_z: float, plate_tolerance: float) -> np.ndarray:
    """Faces that need support: facing down more steeply than *angle* from vertical.

    The build direction is +Z. Faces lying on the build plate (all corners at
    the model's lowest height) rest on it and are no overhang.
    """
    steep = normals[:, 2] < -math.sin(angle)
    on_plate = face_top_z <= plate_z + plate_tolerance
    return np.flatnonzero(steep & (areas > 0) & ~on_plate)
