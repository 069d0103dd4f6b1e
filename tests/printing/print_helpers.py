"""Mesh builders for the print tests.

A module of its own (not conftest): ``from conftest import ...`` resolves to
whichever conftest pytest imported first, which breaks when the addon and
printing folders are collected in one run.
"""

import struct

import bmesh
import bpy
from mathutils import Matrix


def mesh_object(name, build):
    """An object whose mesh is made by ``build(bm)``."""
    bm = bmesh.new()
    build(bm)
    mesh = bpy.data.meshes.new(name)
    bm.to_mesh(mesh)
    bm.free()
    ob = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(ob)
    bpy.context.view_layer.objects.active = ob
    ob.select_set(True)
    return ob


def cube(bm, size=2.0, at=(0, 0, 0)):
    return bmesh.ops.create_cube(bm, size=size, matrix=Matrix.Translation(at))


# Broken meshes the repair tools are judged on.
def with_hole(bm):
    cube(bm)
    bm.faces.ensure_lookup_table()
    bmesh.ops.delete(bm, geom=[bm.faces[2]], context="FACES_ONLY")


def with_duplicates(bm):
    cube(bm)
    bm.faces.ensure_lookup_table()
    bmesh.ops.duplicate(bm, geom=bm.faces[:3])
    # duplicate copies verts too; weld puts them back on the originals


def unwelded(bm):
    cube(bm)
    bmesh.ops.split_edges(bm, edges=bm.edges[:])


def overlapping(bm):
    cube(bm)
    cube(bm, at=(1.0, 0.0, 0.0))


#: (builder, volume after repair) for make-manifold's parametrized tests, with their ids.
BROKEN = [(with_hole, 8.0), (with_duplicates, 8.0), (unwelded, 8.0), (overlapping, 12.0)]
BROKEN_IDS = ["hole", "duplicate-faces", "unwelded", "overlapping-cubes"]


def read_binary_stl(path):
    """(triangle count, lowest z, highest z) of a binary STL, its size checked."""
    data = path.read_bytes()
    (count,) = struct.unpack_from("<I", data, 80)
    assert len(data) == 84 + 50 * count
    zs = []
    for i in range(count):
        values = struct.unpack_from("<12f", data, 84 + 50 * i)
        zs += [values[5], values[8], values[11]]
    return count, min(zs), max(zs)
