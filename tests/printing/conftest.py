"""Print tests run inside the bpy module; the repo root goes on sys.path."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

bpy = pytest.importorskip("bpy")
import bmesh  # noqa: E402
from mathutils import Matrix  # noqa: E402


@pytest.fixture
def scene():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    return bpy.context.scene


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


@pytest.fixture
def make():
    return mesh_object
