"""Every operator against the local emulator, pumped until the result is in the scene."""

import json

import bpy
import pytest
from addon_helpers import ai_objects, last_job, pump_until, render_through, sample_picture, wait_imported

pytestmark = pytest.mark.blender


def _accepted(emu, fragment):
    return [a for a in emu.accepted if fragment in a["endpoint"]]


def test_text_to_3d_imports_a_named_tagged_model_at_the_cursor(studio):
    bpy.context.scene.cursor.location = (0.5, -1.0, 0.0)
    assert bpy.ops.aistudio.text_to_3d(prompt="a small red chair", model="TENCENT_RAPID") == {"FINISHED"}
    view = wait_imported()
    assert view.state == "DONE" and view.progress == 100
    (top,) = ai_objects()
    assert top.name.startswith("a small red chair")
    assert tuple(round(v, 4) for v in top.location) == (0.5, -1.0, 0.0)
    assert top["aistudio_job"] == view.task_id
    assert top["aistudio_provider"] == "3daistudio"
    assert json.loads(top["aistudio_request"])["fields"]["prompt"] == "a small red chair"
    (submit,) = _accepted(studio, "/tencent/generate/rapid/")
    assert submit["body"]["prompt"] == "a small red chair"
    assert bpy.context.scene.aistudio.prompt == "a small red chair"


def test_image_to_3d_from_a_file(studio):
    assert bpy.ops.aistudio.image_to_3d(filepath=str(sample_picture()), model="TRELLIS2") == {"FINISHED"}
    wait_imported()
    (submit,) = _accepted(studio, "/trellis2/generate/")
    assert submit["body"]["image"].startswith("data:image/png;base64,")
    assert len(ai_objects()) == 1


def test_image_to_3d_from_a_generated_datablock_saves_a_png_first(studio):
    image = bpy.data.images.new("Sketch", 64, 64)
    image.generated_color = (0.2, 0.5, 0.9, 1.0)
    assert bpy.ops.aistudio.image_to_3d(image="Sketch", model="TRIPO") == {"FINISHED"}
    wait_imported()
    (submit,) = _accepted(studio, "/tripo/image-to-3d/")
    assert submit["body"]["image"].startswith("data:image/png;base64,")


def test_image_to_3d_from_the_render_result(studio):
    render_through()
    assert bpy.ops.aistudio.image_to_3d(use_render=True, model="IMAGE3D") == {"FINISHED"}
    wait_imported()
    assert last_job().task_id
    assert any("/api/generate" in a["endpoint"] for a in studio.accepted)


def test_a_render_is_sent_as_it_looks_and_the_output_settings_stay_the_users(studio, tmp_path):
    """The render goes out with its view transform applied, like File > Save As would write it;
    the scene's own output format (here JPEG at 8 bits) is exactly as the user left it."""
    import base64

    import numpy as np

    from ai_studio_bridge.bridge.pngcodec import decode_png
    scene = bpy.context.scene
    bpy.ops.mesh.primitive_monkey_add()
    scene.render.film_transparent = True
    scene.render.dither_intensity = 0   # compare pixels exactly
    settings = scene.render.image_settings
    settings.file_format, settings.quality = "PNG", 90
    render_through("Cam", 80, 60, location=(0, -4, 1), rotation=(1.4, 0, 0))
    reference = tmp_path / "as_saved.png"
    bpy.data.images["Render Result"].save_render(str(reference), scene=scene)
    settings.file_format = "JPEG"
    assert bpy.ops.aistudio.image_to_3d(use_render=True, model="TRIPO") == {"FINISHED"}
    wait_imported()
    (submit,) = _accepted(studio, "/tripo/image-to-3d/")
    sent = decode_png(base64.b64decode(submit["body"]["image"].split(",", 1)[1]))
    expected = decode_png(reference.read_bytes())
    assert sent.shape == (60, 80, 4) and expected.shape[:2] == (60, 80)
    assert np.abs(sent.astype(int) - expected.astype(int)).max() <= 1
    assert sent[..., 3].min() == 0 < sent[..., 3].max()   # the transparent film stays transparent
    assert (settings.file_format, settings.quality, settings.color_mode) == ("JPEG", 90, "RGB")


def test_multiview_to_3d_sends_the_views_it_was_given(studio):
    front, left = sample_picture("police_woman.png"), sample_picture("robot.png")
    assert bpy.ops.aistudio.multiview_to_3d(front=str(front), left=str(left),
                                            model="TENCENT_PRO") == {"FINISHED"}
    wait_imported()
    (submit,) = _accepted(studio, "/tencent/generate/pro/")
    views = [v["view_type"] for v in submit["body"]["multi_view_images"]]
    assert views == ["front", "left"]


def test_miniature_with_a_print_scale_arrives_at_its_physical_size(studio):
    assert bpy.ops.aistudio.miniature(filepath=str(sample_picture()), edition="fast", scale="custom",
                                      scale_height_cm=8.0) == {"FINISHED"}
    view = wait_imported()
    (submit,) = _accepted(studio, "/flow/miniature/")
    assert submit["body"]["scale"] == "custom" and submit["body"]["scale_height_cm"] == 8.0
    (top,) = ai_objects()
    bpy.context.view_layer.update()
    from mathutils import Vector
    meshes = [o for o in [top, *top.children_recursive] if o.type == "MESH"]
    zs = [(o.matrix_world @ Vector(c)).z for o in meshes for c in o.bound_box]
    assert max(zs) - min(zs) == pytest.approx(0.08, rel=1e-3)
    # the restyled picture came back too and is shown as an image datablock
    assert view.image_names and bpy.data.images.get(view.image_names[0]) is not None


def test_mesh_tool_repairs_the_active_mesh_and_places_the_result_beside_it(studio):
    bpy.ops.mesh.primitive_monkey_add(location=(2.0, 0.0, 0.0))
    source = bpy.context.active_object
    assert bpy.ops.aistudio.mesh_tool(tool="REPAIR") == {"FINISHED"}
    wait_imported()
    (submit,) = _accepted(studio, "/tools/repair/")
    assert submit.get("files") or submit["body"].get("model_file") is None
    (top,) = ai_objects()
    expected_x = source.location.x + source.dimensions.x
    assert top.location.x == pytest.approx(expected_x, abs=1e-4)
    assert source.name in bpy.context.scene.objects  # the source is untouched


def test_cancel_job_stops_following_it(studio):
    bpy.ops.aistudio.miniature(filepath=str(sample_picture()))
    job_id = last_job().job_id
    assert bpy.ops.aistudio.cancel_job(job_id=job_id) == {"FINISHED"}
    pump_until(lambda: last_job().state == "CANCELLED")
    assert ai_objects() == []


def test_import_result_imports_a_finished_job_again(studio):
    bpy.ops.aistudio.text_to_3d(prompt="a teapot", model="TENCENT_RAPID")
    view = wait_imported()
    assert bpy.ops.aistudio.import_result(job_id=view.job_id) == {"FINISHED"}
    assert len(ai_objects()) == 2


def test_wait_jobs_drains_and_imports_without_timers(studio):
    bpy.ops.aistudio.text_to_3d(prompt="a lamp", model="TRIPO_P1")
    assert bpy.ops.aistudio.wait_jobs(timeout=30) == {"FINISHED"}
    assert last_job().imported
    assert len(ai_objects()) == 1


def test_wallet_balance_is_fetched_by_the_operator_and_cached(studio):
    from ai_studio_bridge.addon.jobs import session
    assert bpy.ops.aistudio.refresh_wallet() == {"FINISHED"}  # returns before the answer
    balance = pump_until(lambda: session.STATE.wallet)
    assert balance.startswith("1000000")
    assert [e["path"] for e in studio.log if "wallet" in e["path"]]


def test_the_balance_thread_hands_its_answer_to_the_pump_and_writes_nothing_itself(studio):
    """Worker threads never write the add-on's state: the answer waits until the pump applies it."""
    from ai_studio_bridge.addon.jobs import pump, session
    session.STATE.wallet = ""
    assert bpy.ops.aistudio.refresh_wallet() == {"FINISHED"}
    thread = session.STATE.wallet_thread
    thread.join(30)
    assert not thread.is_alive() and session.STATE.wallet == ""   # fetched, not yet shown
    pump.pump_once()
    assert session.STATE.wallet.startswith("1000000")


def test_failed_job_shows_its_reason(studio):
    studio.faults.fail_next_job("the picture shows no object")
    bpy.ops.aistudio.text_to_3d(prompt="nothing", model="TENCENT_RAPID")
    pump_until(lambda: last_job().state == "FAILED")
    assert "no object" in last_job().error
    from ai_studio_bridge.addon.jobs import session
    assert any("no object" in text for _level, text, _t in session.STATE.messages)


def test_a_finished_job_can_be_imported_again_after_a_restart(studio, addon):
    from ai_studio_bridge.addon.jobs import session
    bpy.ops.aistudio.text_to_3d(prompt="a vase", model="TENCENT_RAPID")
    job_id = wait_imported().job_id
    addon.unregister()  # Blender quits; the journal and the files stay
    bpy.ops.wm.read_factory_settings(use_empty=True)
    addon.register()
    from ai_studio_bridge.addon import preferences
    preferences.get_prefs().api_key = "not-needed-for-local-files"
    assert job_id in session.STATE.jobs  # the job list is filled from the journal
    calls = len(studio.log)
    assert bpy.ops.aistudio.import_result(job_id=job_id) == {"FINISHED"}
    assert [o.name for o in ai_objects()] == ["a vase"]
    assert len(studio.log) == calls  # imported from the local files, nothing fetched


def test_a_corrected_key_is_used_by_the_next_job(studio):
    from ai_studio_bridge.addon import preferences
    preferences.get_prefs().api_key = "wrong-key"
    bpy.ops.aistudio.text_to_3d(prompt="a stool", model="TENCENT_RAPID")
    pump_until(lambda: last_job().state in ("FAILED", "UNKNOWN"))
    assert "API key" in last_job().error
    preferences.get_prefs().api_key = "test-key"
    bpy.ops.aistudio.text_to_3d(prompt="a bench", model="TENCENT_RAPID")
    wait_imported()
    assert [o.name for o in ai_objects()] == ["a bench"]


def test_panel_path_uses_the_scene_settings_and_names_after_the_image(studio):
    image = bpy.data.images.load(str(sample_picture()))
    image.name = "Officer"
    mini = bpy.context.scene.aistudio.miniature
    mini.picture.image, mini.edition = image, "fast"
    assert bpy.ops.aistudio.miniature() == {"FINISHED"}  # no arguments: what the button does
    wait_imported()
    assert [o.name for o in ai_objects()] == ["Officer"]
    (submit,) = _accepted(studio, "/flow/miniature/")
    assert submit["body"]["edition"] == "fast"


def test_cancel_confirmed_after_the_job_finished_says_so_and_keeps_the_result(studio):
    """The "Cancel this job?" dialog can stay open while the job lands: its OK then changes
    nothing and says the job already finished (not "Cancelled")."""
    bpy.ops.aistudio.text_to_3d(prompt="a stool", model="TENCENT_RAPID")
    view = wait_imported()
    assert bpy.ops.aistudio.cancel_job(job_id=view.job_id) == {"CANCELLED"}
    assert last_job().state == "DONE" and last_job().imported
    assert len(ai_objects()) == 1
