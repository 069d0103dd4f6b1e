"""Buttons grey out with the reason; "Run in Cloud" goes through the same guard as every submit."""

import types

import bpy
import pytest
from addon_helpers import KEY, last_job, pump_until

pytestmark = pytest.mark.blender


def _poll_message(op):
    """What Blender shows on a greyed-out button (the RuntimeError a script call gets)."""
    with pytest.raises(RuntimeError) as caught:
        op()
    assert ".poll()" in str(caught.value)
    return str(caught.value)


def _cube():
    bpy.ops.mesh.primitive_cube_add(size=0.02)
    return bpy.context.active_object


def test_buttons_grey_out_offline_with_the_reason(studio, monkeypatch):
    from ai_studio_bridge.addon.jobs import online
    monkeypatch.setattr(online, "network_allowed", lambda: False)
    for name in ("text_to_3d", "image_to_3d", "miniature", "mesh_tool", "prepare_picture",
                 "print_cloud", "remove_background"):
        op = getattr(bpy.ops.aistudio, name)
        assert not op.poll(), name
        assert "Allow Online Access" in _poll_message(op)
    assert studio.log == []


def test_buttons_grey_out_without_any_key(addon):
    bpy.ops.mesh.primitive_cube_add()
    assert "API key" in _poll_message(bpy.ops.aistudio.miniature)
    assert "API key" in _poll_message(bpy.ops.aistudio.print_cloud)
    assert "key" in _poll_message(bpy.ops.aistudio.text_to_3d)


def test_a_token_alone_leaves_the_generate_buttons_on_for_image3d(studio):
    from ai_studio_bridge.addon import preferences
    preferences.get_prefs().api_key = ""
    assert bpy.ops.aistudio.text_to_3d.poll()            # a script may pick IMAGE3D
    assert bpy.ops.aistudio.text_to_3d(prompt="a cup", model="IMAGE3D") == {"FINISHED"}
    assert not bpy.ops.aistudio.miniature.poll()          # 3D AI Studio only


def test_the_environment_key_counts(addon, monkeypatch):
    monkeypatch.setenv("3D_AI_STUDIO_API_KEY", "env-key")
    assert bpy.ops.aistudio.miniature.poll()


def test_mesh_buttons_need_an_active_mesh_in_object_mode(studio):
    assert "Select a mesh" in _poll_message(lambda: bpy.ops.aistudio.mesh_tool(tool="VOLUME"))
    assert "Select a mesh" in _poll_message(lambda: bpy.ops.aistudio.print_cloud(step="check"))
    _cube()
    assert bpy.ops.aistudio.print_cloud.poll()
    bpy.ops.object.mode_set(mode="EDIT")
    try:
        assert "Object Mode" in _poll_message(lambda: bpy.ops.aistudio.mesh_tool(tool="REPAIR"))
        assert "Object Mode" in _poll_message(lambda: bpy.ops.aistudio.print_cloud(step="repair"))
    finally:
        bpy.ops.object.mode_set(mode="OBJECT")
    assert studio.log == []


def test_run_in_cloud_offline_is_refused_and_nothing_is_queued(studio, monkeypatch):
    from ai_studio_bridge.addon.jobs import online, session
    _cube()
    monkeypatch.setattr(online, "network_allowed", lambda: False)
    with pytest.raises(RuntimeError, match="Allow Online Access"):
        bpy.ops.aistudio.print_cloud(step="check")
    assert session.STATE.jobs == {}
    assert session.STATE.engine is None or session.STATE.engine.jobs() == []  # nothing journaled


def test_run_in_cloud_sees_a_key_typed_after_start(addon, scaled_emulator, tmp_path):
    from ai_studio_bridge.addon import preferences
    prefs = preferences.get_prefs()          # the engine started without a key
    prefs.api_url, prefs.rate_limit = scaled_emulator.url, 600
    prefs.download_folder = str(tmp_path / "results")
    prefs.api_key = KEY                      # typed in afterwards
    source = _cube()
    source.name = "Figure"
    assert bpy.ops.aistudio.print_cloud(step="hollow") == {"FINISHED"}
    view = pump_until(lambda: last_job() if last_job().task_id else None)
    (submit,) = [a for a in scaled_emulator.accepted if "/tools/repair/" in a["endpoint"]]
    assert submit["body"]["unit"] == "mm" and submit["body"]["hollow"] in (True, "true")
    assert view.meta["placement"] == "beside" and view.meta["source_object"] == "Figure"
    assert view.meta["unit"] == "mm"


def test_run_in_cloud_asks_before_spending(addon):
    """The panel's path (invoke) asks above the threshold, like every other paid button."""
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.operators.submit import SubmitMixin
    from ai_studio_bridge.addon.printing.cloud import AISTUDIO_OT_print_cloud
    assert issubclass(AISTUDIO_OT_print_cloud, SubmitMixin)
    preferences.get_prefs().api_key = KEY
    preferences.get_prefs().confirm_credits = 10
    cube = _cube()
    asked = []

    class WindowManager:
        def invoke_confirm(self, op, event, **kwargs):
            asked.append(kwargs)
            return {"RUNNING_MODAL"}

    class Probe(SubmitMixin):
        step = "repair"
        prepare = AISTUDIO_OT_print_cloud.prepare

        def report(self, level, message):
            raise AssertionError(message)

    context = types.SimpleNamespace(active_object=cube, mode="OBJECT", scene=bpy.context.scene,
                                    preferences=bpy.context.preferences,
                                    window_manager=WindowManager())
    assert AISTUDIO_OT_print_cloud.invoke(Probe(), context, None) == {"RUNNING_MODAL"}
    assert "60 credits" in asked[0]["message"]
