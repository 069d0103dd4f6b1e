"""Print tests run inside the bpy module, on the extension package as Blender loads it."""

import pytest

bpy = pytest.importorskip("bpy")

import extension_package  # noqa: E402

extension_package.load()
from print_helpers import mesh_object  # noqa: E402


@pytest.fixture
def scene():
    bpy.ops.wm.read_factory_settings(use_empty=True)
    return bpy.context.scene


@pytest.fixture
def make():
    return mesh_object
