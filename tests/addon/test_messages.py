"""What the add-on says when it refuses: the reason, in Blender's terms, never a stock phrase."""

import bpy
import pytest

pytestmark = pytest.mark.blender

PRINT_TOOLS = ("print_check", "make_manifold", "hollow", "decimate", "scale_miniature",
               "export_stl", "export_glb")


def _refusal(call) -> str:
    with pytest.raises(RuntimeError) as caught:
        call()
    return str(caught.value)


@pytest.mark.parametrize("tool", PRINT_TOOLS)
def test_print_tools_say_why_they_cannot_run(addon, tool):
    operator = getattr(bpy.ops.aistudio, tool)
    said = _refusal(operator)
    assert "context is incorrect" not in said
    assert "Select a mesh object first" in said
    bpy.ops.mesh.primitive_cube_add()
    bpy.ops.object.mode_set(mode="EDIT")
    said = _refusal(operator)
    assert "Switch to Object Mode first" in said
    bpy.ops.object.mode_set(mode="OBJECT")


def test_capture_views_says_what_to_select(addon):
    said = _refusal(bpy.ops.aistudio.capture_views)
    assert "context is incorrect" not in said and "Select the objects" in said


def test_the_no_key_advice_names_the_preferences_not_a_dotenv_file(studio):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import wallet
    preferences.get_prefs().api_key = ""
    said = _refusal(lambda: bpy.ops.aistudio.text_to_3d("EXEC_DEFAULT", prompt="a chair"))
    assert ".env" not in said and "Preferences > Add-ons > AI Studio Bridge" in said
    why = wallet.refresh(bpy.context)           # the balance's "why not" in the panel
    assert ".env" not in why and "Preferences > Add-ons" in why


def test_a_folder_given_as_the_picture_is_called_a_folder(studio, tmp_path):
    said = _refusal(lambda: bpy.ops.aistudio.image_to_3d(filepath=str(tmp_path), model="TRELLIS2"))
    assert "is a folder, not a picture" in said and "not exist" not in said
    assert studio.log == []
