"""Per-face print checks: wall thickness (by ray casting) and overhangs (by angle).

Thickness is what Blender's 3D-Print Toolbox measures: from each face, a ray
goes inward (against the normal) and the distance to the next surface is the
wall there. The Toolbox casts its rays one at a time from Python; here one
Geometry Nodes Raycast evaluates every face at once in Blender's threaded C++
code, so a 500k-triangle model costs a fraction of a second.
"""

from __future__ import annotations

import math

import bpy
import numpy as np

from .booleans import remove_object, temp_object

_ATTRIBUTE = "aistudio_thickness"
_FACE = "aistudio_face"


def _raycast_group(max_distance: float, start_offset: float) -> bpy.types.NodeTree:
    """Per triangle: its face's index, and the distance from its centre to the next surface inward.

    Rays start from triangles, not from the faces: a non-planar quad's
    centre lies off its own surface, and its ray would hit the quad itself.
    """
    group = bpy.data.node_groups.new("AISTUDIO_thickness", "GeometryNodeTree")
    group.interface.new_socket("Geometry", in_out="INPUT", socket_type="NodeSocketGeometry")
    group.interface.new_socket("Geometry", in_out="OUTPUT", socket_type="NodeSocketGeometry")
    nodes, links = group.nodes, group.links
    source, sink = nodes.new("NodeGroupInput"), nodes.new("NodeGroupOutput")
    tag = _store(nodes, links, _FACE, "INT", nodes.new("GeometryNodeInputIndex").outputs[0])
    links.new(source.outputs[0], tag.inputs["Geometry"])
    triangles = nodes.new("GeometryNodeTriangulate")
    links.new(tag.outputs[0], triangles.inputs["Mesh"])
    inward = nodes.new("ShaderNodeVectorMath")
    inward.operation, inward.inputs["Scale"].default_value = "SCALE", -1.0
    links.new(nodes.new("GeometryNodeInputNormal").outputs[0], inward.inputs[0])
    nudge = nodes.new("ShaderNodeVectorMath")
    # Start just below the triangle, so the ray cannot hit the triangle it leaves.
    nudge.operation, nudge.inputs["Scale"].default_value = "SCALE", start_offset
    links.new(inward.outputs[0], nudge.inputs[0])
    start = nodes.new("ShaderNodeVectorMath")
    start.operation = "ADD"
    links.new(nodes.new("GeometryNodeInputPosition").outputs[0], start.inputs[0])
    links.new(nudge.outputs[0], start.inputs[1])
    ray = nodes.new("GeometryNodeRaycast")
    links.new(triangles.outputs[0], ray.inputs["Target Geometry"])
    links.new(start.outputs[0], ray.inputs["Source Position"])
    links.new(inward.outputs[0], ray.inputs["Ray Direction"])
    ray.inputs["Ray Length"].default_value = max_distance
    missed = nodes.new("GeometryNodeSwitch")
    missed.input_type = "FLOAT"
    missed.inputs["False"].default_value = -1.0
    links.new(ray.outputs["Is Hit"], missed.inputs["Switch"])
    links.new(ray.outputs["Hit Distance"], missed.inputs["True"])
    store = _store(nodes, links, _ATTRIBUTE, "FLOAT", missed.outputs[0])
    links.new(triangles.outputs[0], store.inputs["Geometry"])
    links.new(store.outputs[0], sink.inputs[0])
    return group


def _store(nodes, links, name: str, data_type: str, value) -> bpy.types.Node:
    store = nodes.new("GeometryNodeStoreNamedAttribute")
    store.data_type, store.domain = data_type, "FACE"
    store.inputs["Name"].default_value = name
    links.new(value, store.inputs["Value"])
    return store


def face_thickness(mesh: bpy.types.Mesh, max_distance: float) -> np.ndarray:
    """Wall thickness behind each face of *mesh* (as its coordinates are); inf past *max_distance*.

    A face's figure is its thinnest triangle's. *mesh* is only read: the
    rays run on a temporary object that shares it.
    """
    faces = len(mesh.polygons)
    if not faces or max_distance <= 0:
        return np.full(faces, np.inf)
    co = np.empty(len(mesh.vertices) * 3, np.float32)
    mesh.vertices.foreach_get("co", co)
    co = co.reshape(-1, 3)
    size = float(np.linalg.norm(co.max(axis=0) - co.min(axis=0))) or 1.0
    offset = size * 1e-6
    probe = temp_object("AISTUDIO_thickness_probe", mesh)
    group = _raycast_group(max_distance, offset)
    try:
        probe.modifiers.new("thickness", "NODES").node_group = group
        depsgraph = bpy.context.evaluated_depsgraph_get()
        depsgraph.update()
        evaluated = probe.evaluated_get(depsgraph)
        result = evaluated.to_mesh()
        try:
            count = len(result.polygons)
            values = np.empty(count, np.float32)
            result.attributes[_ATTRIBUTE].data.foreach_get("value", values)
            owner = np.empty(count, np.int32)
            result.attributes[_FACE].data.foreach_get("value", owner)
        finally:
            evaluated.to_mesh_clear()
    finally:
        bpy.data.objects.remove(probe, do_unlink=True)   # the mesh is the caller's
        bpy.data.node_groups.remove(group)
    thickness = np.full(faces, np.inf)
    hit = values >= 0
    np.minimum.at(thickness, owner[hit], values[hit].astype(np.float64) + offset)
    return thickness


def overhang_faces(normals: np.ndarray, areas: np.ndarray, face_top_z: np.ndarray,
                   angle: float, plate_z: float, plate_tolerance: float) -> np.ndarray:
    """Faces that need support: facing down more steeply than *angle* from vertical.

    The build direction is +Z. Faces lying on the build plate (all corners at
    the model's lowest height) rest on it and are no overhang.
    """
    steep = normals[:, 2] < -math.sin(angle)
    on_plate = face_top_z <= plate_z + plate_tolerance
    return np.flatnonzero(steep & (areas > 0) & ~on_plate)
