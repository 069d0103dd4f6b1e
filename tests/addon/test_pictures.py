"""Pictures where artists look at pictures: text to image, the Image Editor's AI Studio tab."""

import types

import bpy
import pytest
from addon_helpers import last_job, pump_until, sample_picture, wait_imported
from test_panel import RecordingLayout

pytestmark = pytest.mark.blender


def _accepted(emu, fragment):
    return [a for a in emu.accepted if fragment in a["endpoint"]]


def _draw(panel_cls, context):
    layout = RecordingLayout()
    panel_cls.draw(types.SimpleNamespace(layout=layout), context)
    return layout


class FakeArea:
    """An Image Editor area as the window manager lists it."""

    def __init__(self, ui_type="IMAGE_EDITOR", pinned=False):
        self.type, self.ui_type = "IMAGE_EDITOR", ui_type
        self.spaces = types.SimpleNamespace(active=types.SimpleNamespace(image=None, use_image_pin=pinned))
        self.redrawn = False

    def tag_redraw(self):
        self.redrawn = True


def _window_manager(*areas):
    return types.SimpleNamespace(windows=[types.SimpleNamespace(screen=types.SimpleNamespace(areas=list(areas)))])


@pytest.mark.parametrize("model, endpoint", [
    ("GEMINI_3_PRO", "/gemini/3/pro/generate/"),
    ("GEMINI_31_FLASH", "/gemini/3.1/flash/generate/"),
    ("GEMINI_25_FLASH", "/gemini/2.5/flash/generate/"),
    ("SEEDREAM", "/seedream/v5/lite/generate/"),
])
def test_text_to_image_with_every_model(studio, model, endpoint):
    result = bpy.ops.aistudio.text_to_image(prompt="a knight in silver armour", model=model,
                                            num_images=2)
    assert result == {"FINISHED"}
    view = wait_imported()
    (submit,) = _accepted(studio, endpoint)
    assert submit["body"]["prompt"] == "a knight in silver armour"
    assert submit["body"]["num_images"] == 2
    images = [bpy.data.images[name] for name in view.image_names]
    assert len(images) == 2
    for image in images:  # tagged with their job, like imported objects
        assert image["aistudio_job"] == view.task_id
        assert image["aistudio_local_job"] == view.job_id
        assert image["aistudio_provider"] == "3daistudio"
        assert "a knight" in image["aistudio_request"]


def test_resolution_and_aspect_reach_gemini_and_seedream_gets_its_size(studio):
    bpy.ops.aistudio.text_to_image(prompt="a tower", model="GEMINI_3_PRO", resolution="4K",
                                   aspect_ratio="16:9")
    bpy.ops.aistudio.text_to_image(prompt="a tower", model="SEEDREAM", aspect_ratio="9:16")
    pump_until(lambda: len(studio.accepted) == 2)
    (gemini,) = _accepted(studio, "/gemini/3/pro/")
    assert (gemini["body"]["resolution"], gemini["body"]["aspect_ratio"]) == ("4K", "16:9")
    (seedream,) = _accepted(studio, "/seedream/")
    assert seedream["body"]["image_size"] == "portrait_16_9"


@pytest.mark.parametrize("kwargs, match", [
    (dict(prompt="  ", model="GEMINI_3_PRO"), "prompt"),
    (dict(prompt="a tower", model="SEEDREAM", aspect_ratio="21:9"), "Seedream"),
    (dict(prompt="a tower", model="GEMINI_25_FLASH", resolution="4K"), "resolution"),
    (dict(prompt="a tower", model="GEMINI_3_PRO", num_images=5), "num_images"),
])
def test_text_to_image_refuses_what_the_model_cannot_do(studio, kwargs, match):
    with pytest.raises(RuntimeError, match=match):
        bpy.ops.aistudio.text_to_image(**kwargs)
    assert studio.accepted == []


def test_the_scenes_picture_settings_are_the_buttons_arguments(studio):
    pic = bpy.context.scene.aistudio.text_image
    pic.prompt, pic.model, pic.aspect_ratio = "a red kite", "GEMINI_25_FLASH", "1:1"
    assert bpy.ops.aistudio.text_to_image() == {"FINISHED"}
    (submit,) = pump_until(lambda: _accepted(studio, "/gemini/2.5/flash/"))
    assert submit["body"] == {"prompt": "a red kite", "aspect_ratio": "1:1"}


def test_a_picture_result_opens_in_a_visible_image_editor(studio):
    from ai_studio_bridge.addon.jobs import importing
    from ai_studio_bridge.addon.pictures import results as picture_results
    bpy.ops.aistudio.text_to_image(prompt="a fox", model="GEMINI_31_FLASH")
    view = wait_imported()
    image = bpy.data.images[view.image_names[0]]
    uv, pinned, editor = FakeArea(ui_type="UV"), FakeArea(pinned=True), FakeArea()
    result = importing.ImportResult(objects=[], images=[image])
    picture_results.after_import(view.job_id, result, _window_manager(uv, pinned, editor))
    assert editor.spaces.active.image is image and editor.redrawn
    assert uv.spaces.active.image is None and pinned.spaces.active.image is None
    # a model's textures are no reason to take over the editor
    other = FakeArea()
    picture_results.after_import(view.job_id, importing.ImportResult(objects=[object()], images=[image]),
                              _window_manager(other))
    assert other.spaces.active.image is None


def test_the_image_editor_tab_sends_the_shown_picture_on(addon):
    from ai_studio_bridge.addon.ui import image_panel
    image = bpy.data.images.load(str(sample_picture()))
    image.name = "Sketch"
    context = types.SimpleNamespace(space_data=types.SimpleNamespace(image=image), scene=bpy.context.scene)
    layout = _draw(image_panel.AISTUDIO_PT_image, context)
    for idname in ("aistudio.image_to_3d", "aistudio.miniature", "aistudio.prepare_picture"):
        (button,) = layout.buttons(idname)
        assert button.image == "Sketch", idname
    slots = {b.slot for b in layout.buttons("aistudio.image_to_slot") if b.image == "Sketch"}
    assert slots == {"SOURCE", "FRONT", "BACK", "LEFT", "RIGHT"}
    texts = layout.texts("operator")
    assert any(t.startswith("Image to 3D · ") for t in texts) and "Miniature · 300 credits" in texts
    bpy.context.scene.aistudio.model = "TENCENT_PRO"
    bpy.context.scene.aistudio.options.tencent_version = "3.1"
    layout = _draw(image_panel.AISTUDIO_PT_image, context)
    assert {"TOP", "LEFT_FRONT"} <= {b.slot for b in layout.buttons("aistudio.image_to_slot")}
    empty = types.SimpleNamespace(space_data=types.SimpleNamespace(image=None), scene=bpy.context.scene)
    assert not _draw(image_panel.AISTUDIO_PT_image, empty).buttons("aistudio.image_to_3d")


def test_the_image_editor_tab_has_text_to_image_with_its_cost(addon):
    from ai_studio_bridge.addon.ui import image_panel
    pic = bpy.context.scene.aistudio.text_image
    pic.model, pic.num_images = "GEMINI_3_PRO", 2
    texts = _draw(image_panel.AISTUDIO_PT_image_generate, bpy.context).texts("operator")
    assert texts == ["Generate · 100 credits"]
    assert image_panel.AISTUDIO_PT_image.bl_space_type == "IMAGE_EDITOR"
    assert image_panel.AISTUDIO_PT_image.bl_category == "AI Studio"


def test_image_to_slot_fills_the_slot(addon):
    image = bpy.data.images.new("Back view", 8, 8)
    assert bpy.ops.aistudio.image_to_slot(image="Back view", slot="BACK") == {"FINISHED"}
    assert bpy.context.scene.aistudio.multiview.back.image == image
    assert bpy.ops.aistudio.image_to_slot(image="Back view", slot="TOP") == {"FINISHED"}
    assert bpy.context.scene.aistudio.multiview.top.image == image
    with pytest.raises(RuntimeError, match="no image named"):
        bpy.ops.aistudio.image_to_slot(image="Nope", slot="SOURCE")


def test_edited_pictures_come_back_to_the_image_editor_tab(studio):
    from ai_studio_bridge.addon.ui import image_panel
    picture = bpy.data.images.load(str(sample_picture()))
    bpy.ops.aistudio.prepare_picture(image=picture.name, recipe="grey_background")
    bpy.ops.aistudio.text_to_image(prompt="a castle", model="GEMINI_25_FLASH")
    pump_until(lambda: all(v.imported for v in image_panel.picture_jobs()))
    assert [v.meta["source"] for v in image_panel.picture_jobs()] == ["text_to_image", "prepare"]
    layout = _draw(image_panel.AISTUDIO_PT_image_results, bpy.context)
    assert layout.buttons("aistudio.prepare_accept")       # the edit, with Accept
    assert layout.buttons("aistudio.show_image")           # the generated picture, to show
    assert last_job().meta["source"] == "text_to_image"


def test_importing_a_picture_job_again_tags_its_pictures_too(studio):
    from ai_studio_bridge.addon.jobs import session
    bpy.ops.aistudio.text_to_image(prompt="a fox", model="GEMINI_25_FLASH")
    view = wait_imported()
    for name in view.image_names:
        bpy.data.images.remove(bpy.data.images[name])
    assert bpy.ops.aistudio.import_result(job_id=view.job_id) == {"FINISHED"}
    images = [bpy.data.images[name] for name in session.STATE.jobs[view.job_id].image_names]
    assert images and all(i["aistudio_local_job"] == view.job_id and i["aistudio_job"] == view.task_id
                          for i in images)
