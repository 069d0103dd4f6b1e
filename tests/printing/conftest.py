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


@pytest.fixture
def registered(tmp_path):
    """The whole add-on: the print settings live under its ``Scene.aistudio``."""
    from ai_studio_bridge import addon
    from ai_studio_bridge.addon.jobs import session
    session.ENGINE_OPTIONS.update(home=tmp_path / "home")
    addon.register()
    try:
        yield addon.printing
    finally:
        addon.unregister()
        session.ENGINE_OPTIONS.clear()
