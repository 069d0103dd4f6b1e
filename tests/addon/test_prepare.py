"""Prepare the picture: recipes sent as edit requests, accept, redo, views, grey.

Everything runs in real Blender against the emulator, through the operators
the Prepare section's buttons call.
"""

import bpy
import numpy as np
import pytest
from addon_helpers import last_job, pump_until, sample_picture, wait_imported

from ai_studio_bridge.bridge.imagefile import decode_data_url
from ai_studio_bridge.bridge.pngcodec import decode_png, encode_png
from ai_studio_bridge.bridge.recipes import load_recipes

pytestmark = pytest.mark.blender

ENDPOINTS = {
    "gemini-3-pro": ("/v1/images/gemini/3/pro/edit/", "images"),
    "gemini-3.1-flash": ("/v1/images/gemini/3.1/flash/edit/", "images"),
    "gemini-2.5-flash": ("/v1/images/gemini/2.5/flash/edit/", "images"),
    "seedream": ("/v1/images/seedream/v5/lite/edit/", "image_urls"),
}


def _edits(emu):
    return [a for a in emu.accepted if "/edit/" in a["endpoint"]]


def _use_source_file(path):
    settings = bpy.context.scene.aistudio
    settings.source, settings.picture.filepath = "FILE", str(path)


def _rgba_png(tmp_path):
    """Left half fully transparent (red underneath), right half opaque blue-green."""
    pixels = np.zeros((8, 8, 4), dtype=np.uint8)
    pixels[:, :4] = (255, 0, 0, 0)
    pixels[:, 4:] = (10, 120, 200, 255)
    path = tmp_path / "cutout.png"
    path.write_bytes(encode_png(pixels))
    return path


@pytest.mark.parametrize("model", sorted(ENDPOINTS))
def test_a_recipe_sends_its_prompt_and_the_picture_to_the_model_endpoint(studio, model):
    picture = sample_picture()
    _use_source_file(picture)
    assert bpy.ops.aistudio.prepare_picture(recipe="round_base", model=model) == {"FINISHED"}
    view = wait_imported()
    endpoint, field = ENDPOINTS[model]
    (submit,) = _edits(studio)
    assert submit["endpoint"] == endpoint
    assert submit["body"]["prompt"] == load_recipes()["round_base"].prompt
    data, mime = decode_data_url(submit["body"][field][0])
    assert mime == "image/png" and data == picture.read_bytes()
    assert view.image_names and bpy.data.images.get(view.image_names[0]) is not None


def test_the_panel_sends_the_users_edited_prompt(studio):
    prep = bpy.context.scene.aistudio.prepare
    prep.recipe = "standing_pose"
    assert prep.prompt == load_recipes()["standing_pose"].prompt   # refilled on recipe change
    prep.prompt = "Same character, arms down, on #BEBEBE."
    _use_source_file(sample_picture())
    assert bpy.ops.aistudio.prepare_picture() == {"FINISHED"}     # the Send button passes nothing
    wait_imported()
    (submit,) = _edits(studio)
    assert submit["body"]["prompt"] == "Same character, arms down, on #BEBEBE."
    assert "/gemini/3/pro/edit/" in submit["endpoint"]
    prep.recipe = "view_back"
    assert prep.prompt == load_recipes()["view_back"].prompt       # edits belong to their recipe


@pytest.mark.parametrize("call, match", [
    (lambda: bpy.ops.aistudio.prepare_picture(recipe="grey_background"), "Choose a picture"),
    (lambda: bpy.ops.aistudio.prepare_picture(prompt="   ", filepath=str(sample_picture())),
     "prompt is empty"),
    (lambda: bpy.ops.aistudio.prepare_picture(filepath="/nonexistent/photo.png"), "does not exist"),
    (lambda: bpy.ops.aistudio.prepare_redo(job_id="nope"), "No such job"),
    (lambda: bpy.ops.aistudio.prepare_accept(job_id="nope"), "No such job"),
    (lambda: bpy.ops.aistudio.composite_grey(), "Choose a picture"),
])
def test_bad_input_sends_nothing(studio, call, match):
    from ai_studio_bridge.addon.jobs import session
    with pytest.raises(RuntimeError, match=match):
        call()
    assert studio.log == [] and session.STATE.jobs == {}


def test_an_emptied_prompt_field_is_refused(studio):
    prep = bpy.context.scene.aistudio.prepare
    prep.prompt = ""
    _use_source_file(sample_picture())
    with pytest.raises(RuntimeError, match="prompt is empty"):
        bpy.ops.aistudio.prepare_picture()
    assert studio.log == []


def test_accept_fills_the_chosen_slot_and_views_default_to_their_own(studio):
    settings = bpy.context.scene.aistudio
    _use_source_file(sample_picture())
    bpy.ops.aistudio.prepare_picture(recipe="view_left", model="gemini-2.5-flash")
    left = wait_imported()
    result = bpy.data.images[left.image_names[0]]
    assert bpy.ops.aistudio.prepare_accept(job_id=left.job_id) == {"FINISHED"}
    assert settings.multiview.left.image == result
    assert bpy.ops.aistudio.prepare_accept(job_id=left.job_id, slot="BACK") == {"FINISHED"}
    assert settings.multiview.back.image == result

    bpy.ops.aistudio.prepare_picture(recipe="grey_background", model="seedream")
    grey = wait_imported()
    assert bpy.ops.aistudio.prepare_accept(job_id=grey.job_id) == {"FINISHED"}
    picked = bpy.data.images[grey.image_names[0]]
    assert settings.source == "IMAGE" and settings.picture.image == picked
    assert settings.miniature.picture.image == picked and settings.multiview.front.image == picked


def test_redo_sends_the_same_recipe_and_picture_with_the_current_prompt(studio):
    prep = bpy.context.scene.aistudio.prepare
    prep.recipe = "round_base"
    _use_source_file(sample_picture())
    bpy.ops.aistudio.prepare_picture(model="gemini-3.1-flash")
    first = wait_imported()
    prep.prompt = "A square base instead, same character."
    assert bpy.ops.aistudio.prepare_redo(job_id=first.job_id) == {"FINISHED"}
    second = wait_imported()
    assert second.job_id != first.job_id
    one, two = _edits(studio)
    assert one["body"]["prompt"] == load_recipes()["round_base"].prompt
    assert two["body"]["prompt"] == "A square base instead, same character."
    assert two["endpoint"] == one["endpoint"] and two["body"]["images"] == one["body"]["images"]


def test_accept_waits_for_the_job_to_finish(studio):
    _use_source_file(sample_picture())
    bpy.ops.aistudio.prepare_picture(recipe="grey_background")
    with pytest.raises(RuntimeError, match="not finished"):
        bpy.ops.aistudio.prepare_accept(job_id=last_job().job_id)


@pytest.mark.parametrize("helper", [True, False], ids=["helper", "in-process"])
def test_capture_fills_the_four_slots_with_same_sized_pictures(addon, helper, monkeypatch):
    from ai_studio_bridge.addon.helper import runtime
    monkeypatch.setitem(runtime.OPTIONS, "enabled", helper)
    settings = bpy.context.scene.aistudio
    settings.printing.views_resolution = 64
    bpy.ops.mesh.primitive_monkey_add()
    assert bpy.ops.aistudio.capture_views() == {"FINISHED"}
    from ai_studio_bridge.addon.jobs import pump
    assert pump.wait_all(60)                    # rendered by the helper Blender
    images = [getattr(settings.multiview, v).image for v in ("front", "back", "left", "right")]
    assert all(image is not None for image in images)
    assert {tuple(image.size) for image in images} == {(64, 64)}
    assert len({image.name for image in images}) == 4


def test_reconstruct_sends_the_filled_slots_to_tencent_pro_multiview(studio):
    settings = bpy.context.scene.aistudio
    for view in ("front", "back", "left", "right"):
        getattr(settings.multiview, view).image = bpy.data.images.load(str(sample_picture()),
                                                                       check_existing=True)
    op_model = settings.prepare.reconstruct_model
    assert op_model == "TENCENT_PRO"
    assert bpy.ops.aistudio.multiview_to_3d(model=op_model) == {"FINISHED"}
    wait_imported()
    (submit,) = [a for a in studio.accepted if "/tencent/generate/pro/" in a["endpoint"]]
    assert [v["view_type"] for v in submit["body"]["multi_view_images"]] == \
        ["front", "back", "left", "right"]
    assert submit["body"]["model"] == "3.0"


def _file_pixels(image):
    return decode_png(open(bpy.path.abspath(image.filepath), "rb").read())


def test_composite_grey_puts_transparent_pixels_on_bebebe(addon, tmp_path):
    settings = bpy.context.scene.aistudio
    assert bpy.ops.aistudio.composite_grey(filepath=str(_rgba_png(tmp_path))) == {"FINISHED"}
    assert last_job().kind == "local" and last_job().active      # a job in the list, running
    image = pump_until(lambda: settings.picture.image)
    assert settings.source == "IMAGE" and last_job().state == "DONE"
    pixels = _file_pixels(image)
    assert tuple(pixels[3, 1][:3]) == (0xBE, 0xBE, 0xBE)       # alpha 0: grey
    assert tuple(pixels[3, 6][:3]) == (10, 120, 200)            # alpha 255: unchanged
    # Blender sees the same pixels (bytes over 255, rows bottom-up)
    seen = np.array(image.pixels[:]).reshape(8, 8, -1)
    assert seen[0, 1, :3] == pytest.approx([0xBE / 255] * 3, abs=1e-3)
    assert seen[0, 6, :3] == pytest.approx([10 / 255, 120 / 255, 200 / 255], abs=1e-3)


def test_composite_grey_takes_a_jpeg_and_reports_a_broken_file(addon, tmp_path):
    settings = bpy.context.scene.aistudio
    photo = bpy.data.images.new("photo", 8, 4)
    photo.generated_color = (0.2, 0.4, 0.6, 1.0)
    photo.filepath_raw, photo.file_format = str(tmp_path / "photo.jpg"), "JPEG"
    photo.save()
    bpy.data.images.remove(photo)
    assert bpy.ops.aistudio.composite_grey(filepath=str(tmp_path / "photo.jpg")) == {"FINISHED"}
    image = pump_until(lambda: settings.picture.image)
    pixels = _file_pixels(image)
    assert pixels.shape == (4, 8, 3)
    assert tuple(pixels[0, 0]) == pytest.approx((51, 102, 153), abs=3)   # nothing transparent
    fake = tmp_path / "broken.jpg"
    fake.write_bytes(b"\xff\xd8\xff\xe0" + b"\0" * 64)
    assert bpy.ops.aistudio.composite_grey(filepath=str(fake)) == {"FINISHED"}
    pump_until(lambda: last_job().state == "FAILED")
    assert "cannot read the picture broken.jpg" in last_job().error


def test_remove_bg_results_arrive_on_grey_and_keep_the_original(studio, tmp_path):
    settings = bpy.context.scene.aistudio
    _use_source_file(_rgba_png(tmp_path))
    assert bpy.ops.aistudio.remove_background() == {"FINISHED"}
    view = wait_imported()
    assert [a["endpoint"] for a in studio.accepted] == ["/v1/tools/remove-bg/"]
    original, grey = (bpy.data.images[n] for n in view.image_names)
    assert _file_pixels(original)[0, 0][3] == 0                 # the cut-out, untouched
    assert tuple(_file_pixels(grey)[0, 0][:3]) == (0xBE, 0xBE, 0xBE)
    assert settings.picture.image == grey                       # the prepared picture is the source


def test_print_settings_hang_off_the_one_pointer(addon):
    assert not hasattr(bpy.types.Scene, "aistudio_print")
    assert bpy.context.scene.aistudio.printing.wall_thickness_mm == pytest.approx(2.0)


def test_prepare_panel_shows_costs_and_accept_redo_for_results(addon):
    import types

    from test_panel import RecordingLayout

    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.addon.ui import prepare_panel
    view = session.track("p1", "Officer round base", "gemini-3-pro", "image", "50 credits",
                         {"source": "prepare", "recipe": "round_base"})
    view.state = "DONE"
    session.track("x1", "Chair", "TENCENT_RAPID", "3d", "35")   # not a preparation: not listed
    layout = RecordingLayout()
    prepare_panel.AISTUDIO_PT_prepare.draw(types.SimpleNamespace(layout=layout), bpy.context)
    buttons = layout.texts("operator")
    assert "Send · 50 credits" in buttons, buttons
    assert any(text.startswith("Reconstruct 3D · ") and "credits" in text for text in buttons)
    assert any(text.startswith("Remove BG · ") for text in buttons)
    assert {"Accept as Source + Front", "Redo", "Source", "Front", "Back", "Left", "Right"} <= set(buttons)
    assert [v.job_id for v in prepare_panel.prepare_jobs()] == ["p1"]


def test_the_readme_flow_from_one_picture_to_a_multiview_model(studio):
    s = bpy.context.scene.aistudio
    s.source, s.picture.filepath = "FILE", str(sample_picture())
    bpy.ops.aistudio.prepare_picture(recipe="standing_pose", model="gemini-3-pro")
    assert bpy.ops.aistudio.wait_jobs(timeout=30) == {"FINISHED"}
    jobs = [r.job_id for r in bpy.context.window_manager.aistudio.jobs]
    bpy.ops.aistudio.prepare_accept(job_id=jobs[0])
    for view in ("view_back", "view_left", "view_right"):
        bpy.ops.aistudio.prepare_picture(recipe=view)
    assert bpy.ops.aistudio.wait_jobs(timeout=30) == {"FINISHED"}
    for row in list(bpy.context.window_manager.aistudio.jobs)[:3]:
        bpy.ops.aistudio.prepare_accept(job_id=row.job_id)
    slots = [getattr(s.multiview, v).image for v in ("front", "back", "left", "right")]
    assert all(slots) and len(set(slots)) == 4
    assert bpy.ops.aistudio.multiview_to_3d(model="TENCENT_PRO") == {"FINISHED"}
    wait_imported()
    (submit,) = [a for a in studio.accepted if "/tencent/generate/pro/" in a["endpoint"]]
    assert len(submit["body"]["multi_view_images"]) == 4
    edits = _edits(studio)
    assert len(edits) == 4 and all("/gemini/3/pro/edit/" in e["endpoint"] for e in edits)


def test_a_users_recipe_file_adds_recipes_and_a_broken_one_falls_back(addon, tmp_path, monkeypatch):
    import json

    from ai_studio_bridge.addon.pictures import recipes
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"recipes": [{"id": "hat", "label": "Add a hat",
                                             "prompt": "Give the character a red hat."}]}))
    monkeypatch.setenv("AISTUDIO_RECIPES", str(mine))
    try:
        recipes.reload()
        prep = bpy.context.scene.aistudio.prepare
        prep.recipe = "hat"
        assert prep.prompt == "Give the character a red hat."
        mine.write_text("{broken")
        assert bpy.ops.aistudio.reload_recipes() == {"FINISHED"}   # warns, keeps working
        assert "not valid JSON" in recipes.load_error()
        assert "grey_background" in recipes.recipes()
    finally:
        monkeypatch.delenv("AISTUDIO_RECIPES")
        recipes.reload()
