"""Mesh builders for the print tests.

A module of its own (not conftest): ``from conftest import ...`` resolves to
whichever conftest pytest imported first, which breaks when the addon and
printing folders are collected in one run.
"""

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
