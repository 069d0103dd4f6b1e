"""Refusals: offline, bad input, missing key. Each one says why and sends nothing."""

import bpy
import pytest
from addon_helpers import KEY, sample_picture

pytestmark = pytest.mark.blender


def _refused(call, match):
    with pytest.raises(RuntimeError, match=match):
        call()


def test_offline_refuses_and_says_where_to_turn_it_on(studio, monkeypatch):
    from ai_studio_bridge.addon.jobs import online
    monkeypatch.setattr(online, "network_allowed", lambda: False)
    _refused(lambda: bpy.ops.aistudio.text_to_3d(prompt="a chair"), "Allow Online Access")
    _refused(lambda: bpy.ops.aistudio.miniature(filepath=str(sample_picture())), "Allow Online Access")
    _refused(lambda: bpy.ops.aistudio.refresh_wallet(), "Preferences > System > Network")
    assert studio.log == []


@pytest.mark.parametrize("call, match", [
    (lambda: bpy.ops.aistudio.text_to_3d(prompt="   "), "prompt"),
    (lambda: bpy.ops.aistudio.text_to_3d(prompt="a chair", model="TRELLIS2"), "pictures only"),
    (lambda: bpy.ops.aistudio.image_to_3d(filepath="/nonexistent/picture.png"), "does not exist"),
    (lambda: bpy.ops.aistudio.image_to_3d(image="No Such Image"), "no image named"),
    (lambda: bpy.ops.aistudio.image_to_3d(use_render=True), "render"),
    (lambda: bpy.ops.aistudio.multiview_to_3d(left=str(sample_picture()), model="TENCENT_PRO"), "front"),
    (lambda: bpy.ops.aistudio.multiview_to_3d(front=str(sample_picture()), model="TRELLIS2"),
     "no multi-view"),
    (lambda: bpy.ops.aistudio.miniature(), "Choose a picture"),
    (lambda: bpy.ops.aistudio.mesh_tool(tool="REPAIR"), "Select a mesh"),
])
def test_bad_input_is_refused_with_a_clear_message(studio, call, match):
    from ai_studio_bridge.addon.jobs import session
    _refused(call, match)
    assert studio.log == []
    assert session.STATE.jobs == {}


def test_not_a_picture_is_refused_by_content(studio, tmp_path):
    fake = tmp_path / "photo.png"
    fake.write_text("not really a png")
    _refused(lambda: bpy.ops.aistudio.image_to_3d(filepath=str(fake), model="TRELLIS2"), "PNG")
    assert studio.log == []


def test_missing_key_is_refused(studio):
    from ai_studio_bridge.addon import preferences
    preferences.get_prefs().api_key = ""
    _refused(lambda: bpy.ops.aistudio.text_to_3d(prompt="a chair"), "API key")
    assert studio.log == []


def test_bake_of_meshes_that_do_not_overlap_is_refused_before_anything_is_sent(studio):
    bpy.ops.mesh.primitive_cube_add()
    high = bpy.context.active_object
    bpy.ops.mesh.primitive_cube_add(location=(3, 0, 0))
    high.select_set(True)
    _refused(lambda: bpy.ops.aistudio.mesh_tool(tool="BAKE"), "do not overlap")
    assert studio.log == []


def test_bake_needs_a_high_poly_selected_besides_the_low_poly(studio):
    bpy.ops.mesh.primitive_cube_add()
    _refused(lambda: bpy.ops.aistudio.mesh_tool(tool="BAKE"), "select the high-poly")
    assert studio.log == []


def test_the_api_key_never_lands_in_a_saved_blend(addon, tmp_path):
    from ai_studio_bridge.addon import preferences
    secret = "sk-live-" + "7f3a9c" * 6
    preferences.get_prefs().api_key = secret
    preferences.get_prefs().image3d_token = secret + "-i3d"
    bpy.context.scene.aistudio.prompt = "a chair"
    path = tmp_path / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path), compress=False)
    data = path.read_bytes()
    assert b"a chair" in data  # the scene settings are saved (so the search works)...
    assert secret.encode() not in data  # ...but the key is not
    assert KEY.encode() not in data



def test_invoke_hands_what_it_prepared_to_execute(studio):
    """The panel's path (invoke → execute) prepares the picture once, submits once.

    Background Blender never calls invoke, so the mixin is driven directly.
    """
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.addon.operators.submit import Prepared, SubmitMixin
    from ai_studio_bridge.bridge.api.tencent import TencentRapidRequest
    prepared = []

    class Probe(SubmitMixin):
        def prepare(self, context):
            prepared.append(1)
            return Prepared(TencentRapidRequest(prompt="a chair"), "a chair", "TENCENT_RAPID", {})

        def report(self, level, message):
            pass

    assert Probe().invoke(bpy.context, None) == {"FINISHED"}
    assert prepared == [1]
    assert len(session.STATE.jobs) == 1
