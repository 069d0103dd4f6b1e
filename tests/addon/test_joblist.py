"""The job list: thumbnails, ETA, the volume in numbers, the balance, filtering, clearing."""

import re
import shutil
import types

import bpy
import pytest
from addon_helpers import ai_objects, last_job, pump_until, sample_picture, wait_imported
from test_panel import RecordingLayout

pytestmark = pytest.mark.blender


def _draw_item(view_row_index=0):
    from ai_studio_bridge.addon.ui import joblist
    runtime = bpy.context.window_manager.aistudio
    layout = RecordingLayout()
    joblist.AISTUDIO_UL_jobs.draw_item(types.SimpleNamespace(), bpy.context, layout, runtime,
                                       runtime.jobs[view_row_index], 0, runtime, "active_job", 0)
    return layout


def _details(view):
    from ai_studio_bridge.addon.ui import joblist
    layout = RecordingLayout()
    joblist.draw_job_details(layout, view)
    return layout


# -- thumbnails ------------------------------------------------------------------------

def test_the_services_thumbnail_is_loaded_once_into_the_previews(addon, tmp_path):
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.addon.ui import thumbnails
    thumb = tmp_path / "abc123_thumbnail_1.png"
    shutil.copy(sample_picture(), thumb)
    view = session.track("abc123", "Chair", "TRIPO", "3d", "40")
    view.state, view.files = "DONE", [str(tmp_path / "abc123_3d_model_1.glb"), str(thumb)]
    first = thumbnails.preview(view)
    assert first is not None and first.image_size[0] > 0      # the file's pixels, not an object's
    assert thumbnails.preview(view) is first                   # loaded once, kept under the job id
    assert "abc123" in thumbnails._previews


def test_without_a_service_thumbnail_the_result_picture_stands_in(addon, tmp_path):
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.addon.ui import thumbnails
    picture = tmp_path / "j2_edited_image_0.png"
    shutil.copy(sample_picture(), picture)
    image = bpy.data.images.load(str(picture))
    view = session.track("j2", "Knight", "MINIATURE", "image", "300")
    view.state, view.files, view.image_names = "DONE", [str(picture)], [image.name]
    found = thumbnails.preview(view)
    assert found is not None and found.image_size[0] > 0 and "j2" in thumbnails._previews
    assert image.preview is None          # loaded from its file, no preview of the datablock
    nothing = session.track("j3", "Vase", "TRIPO", "3d", "40")
    nothing.state = "DONE"
    assert thumbnails.icon_id(nothing) == 0   # nothing to show: drawn with the state icon


def test_a_model_without_thumbnail_shows_the_picture_it_was_made_from(addon, tmp_path):
    from ai_studio_bridge.addon.blenderio import thumbnail
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.addon.ui import thumbnails
    source = tmp_path / "fox.png"
    shutil.copy(sample_picture(), source)
    model = tmp_path / "j5_3d_model_1.glb"
    model.write_bytes(b"glTF")
    view = session.track("j5", "Fox", "TRELLIS2", "3d", "40", meta={"picture": str(source)})
    view.state, view.files = "DONE", [str(model)]
    assert thumbnails._job_picture(view) == str(source)
    view.meta = {}
    assert thumbnails._job_picture(view) == ""          # no picture: nothing, not a render
    shutil.copy(sample_picture(), thumbnail.path_for(model))
    assert thumbnails._job_picture(view) == str(thumbnail.path_for(model))   # the helper's


def test_a_row_draws_its_thumbnail_when_there_is_one(addon, monkeypatch):
    from ai_studio_bridge.addon.jobs import pump, session
    from ai_studio_bridge.addon.ui import thumbnails
    view = session.track("j4", "Chair", "TRIPO", "3d", "40")
    view.state = "DONE"
    pump.sync_rows()
    labels = [kw for name, _a, kw in _draw_item().log if name == "label"]
    assert labels[0]["icon"] == "CHECKMARK"                     # no thumbnail: the state icon
    monkeypatch.setattr(thumbnails, "icon_id", lambda v: 4242)
    labels = [kw for name, _a, kw in _draw_item().log if name == "label"]
    assert labels[0]["icon_value"] == 4242


def test_the_previews_are_freed_on_unregister(addon):
    from ai_studio_bridge.addon.ui import thumbnails
    collection = thumbnails._previews
    assert collection is not None and collection._uuid in bpy.utils.previews._uuid_open
    thumbnails.unregister()
    try:
        assert thumbnails._previews is None
        assert collection._uuid not in bpy.utils.previews._uuid_open   # closed, not leaked
    finally:
        thumbnails.register()


# -- ETA -------------------------------------------------------------------------------

def test_a_running_job_shows_the_time_it_still_needs(addon):
    from ai_studio_bridge.addon.jobs import pump, session
    from ai_studio_bridge.addon.ui import joblist
    from ai_studio_bridge.bridge.engine import Event
    view = session.track("j5", "Chair", "TRIPO", "3d", "40")
    pump.apply_event(Event("progress", "j5", "t5", "RUNNING", 30, eta_s=300.0))
    assert joblist.eta_text(view, now=view.eta_at) == "about 5 min left"
    assert joblist.eta_text(view, now=view.eta_at + 240) == "about 60 s left"
    assert joblist.eta_text(view, now=view.eta_at + 310) == "any moment"
    # well past the estimate with no news from the service: nothing rather than a guess
    assert joblist.eta_text(view, now=view.eta_at + 400) == ""
    pump.apply_event(Event("progress", "j5", "t5", "RUNNING", 40, eta_s=-1.0))   # eta.UNKNOWN
    assert view.eta_s is None and joblist.eta_text(view) == ""
    pump.apply_event(Event("progress", "j5", "t5", "RUNNING", 50, eta_s=300.0))
    pump.sync_rows()
    bars = [kw["text"] for name, _a, kw in _draw_item().log if name == "progress"]
    assert bars and "left" in bars[0], bars


def test_the_eta_is_learned_from_this_users_finished_jobs_of_the_model(studio):
    from ai_studio_bridge.addon.ui import joblist
    bpy.ops.aistudio.miniature(filepath=str(sample_picture()))
    first = pump_until(lambda: last_job() if last_job().state == "RUNNING" else None)
    assert first.eta_s is None and joblist.eta_text(first) == ""   # no history: no guess
    pump_until(lambda: first.state == "DONE", timeout=60)
    bpy.ops.aistudio.miniature(filepath=str(sample_picture()))
    second = pump_until(lambda: last_job() if last_job() is not first
                        and last_job().eta_s is not None else None)
    assert second.eta_s > 0 and joblist.eta_text(second)


# -- volume ----------------------------------------------------------------------------

def test_the_volume_tools_answer_is_shown_in_ml_per_target_height(studio):
    bpy.ops.mesh.primitive_cube_add(size=0.1)            # 10 cm cube: 1000 ml
    tools = bpy.context.scene.aistudio.tools
    tools.target_height_cm = 20.0
    assert bpy.ops.aistudio.mesh_tool(tool="VOLUME") == {"FINISHED"}
    view = pump_until(lambda: last_job() if last_job().state == "DONE" else None)
    assert view.volume is not None
    labels = _details(view).texts("label")
    volume = next(t for t in labels if t.startswith("Volume:"))
    assert re.search(r"1,000\.0 ml", volume), labels
    at_20 = next(t for t in labels if t.startswith("At 20 cm"))
    assert "8,000.0 ml" in at_20                          # twice as tall: eight times the volume


def test_run_in_clouds_check_measures_the_mm_stl_it_sends(studio):
    """The print panel's cloud check sends an STL in millimetres: the answer is the same
    1000 ml a 10 cm cube holds, whatever unit the file went in."""
    bpy.ops.mesh.primitive_cube_add(size=0.1)
    assert bpy.ops.aistudio.print_cloud(step="check") == {"FINISHED"}
    view = pump_until(lambda: last_job() if last_job().state in ("DONE", "FAILED") else None)
    assert view.state == "DONE", view.error
    labels = _details(view).texts("label")
    volume = next(t for t in labels if t.startswith("Volume:"))
    assert re.search(r"1,000\.0 ml", volume), labels


def test_volume_lines_convert_cubic_units():
    from ai_studio_bridge.addon.jobs import volumes
    lines = volumes.lines({"unit": "mm", "volume_unit": "mm3", "height": 80, "volume": 12_500,
                           "volumes": [{"target_height": 40, "volume": 1562.5}]})
    assert lines == ["Volume: 12.5 ml (as sent, 80 mm tall)", "At 40 mm tall: 1.6 ml"]


def test_a_finished_job_loaded_at_start_shows_its_volume(addon, tmp_path):
    import json

    from ai_studio_bridge.addon.jobs import session
    report = tmp_path / "j6_data_1.json"
    report.write_text(json.dumps({"unit": "cm", "volume_unit": "cm3", "volume": 42.0}))
    record = types.SimpleNamespace(job_id="j6", meta={}, label="Vase volume", provider="3daistudio",
                                   kind="tool", state="DONE", progress=100, credits_low=20,
                                   credits_high=20, error="", task_id="t6", files=[str(report)],
                                   output_dir=str(tmp_path))
    view = session.view_from_record(record)
    assert view.volume["volume"] == 42.0


# -- balance ---------------------------------------------------------------------------

def test_the_balance_is_fetched_at_start_and_after_every_job(studio):
    from ai_studio_bridge.addon.jobs import session
    assert session.STATE.wallet_due                      # the session just started
    first = pump_until(lambda: session.STATE.wallet)
    assert first.startswith("1000000")
    session.STATE.wallet = ""
    bpy.ops.aistudio.text_to_3d(prompt="a stool", model="TENCENT_RAPID")
    wait_imported()
    # The fetch after the job ended shows what it cost (an earlier answer may land first).
    after = pump_until(lambda: "" if session.STATE.wallet.startswith("1000000") else session.STATE.wallet)
    assert after.startswith(str(studio.balance).split(".")[0])


def test_an_unreachable_service_is_told_once_not_after_every_job(studio, monkeypatch):
    import socket

    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.bridge import transport
    monkeypatch.setattr(transport, "backoff_delay", lambda *_args: 0.0)   # its retries, at once
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    closed = f"http://127.0.0.1:{sock.getsockname()[1]}"
    sock.close()
    preferences.get_prefs().api_url = closed
    told = []
    for _job_ended in range(3):
        session.STATE.wallet_due = True
        pump_until(lambda: session.STATE.wallet_error and not session.STATE.wallet_thread.is_alive())
        told = [text for _level, text, _when in session.STATE.messages if "Balance" in text]
        session.STATE.wallet_error = ""
    assert len(told) == 1
    assert told[0].startswith(f"Balance not updated: Could not reach {closed}: the connection was refused")


def test_no_balance_is_asked_for_without_a_key_or_offline(studio, monkeypatch):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import online, pump, session
    preferences.get_prefs().api_key = ""
    pump.pump_once()                                     # due at start, but no key: nothing sent
    assert not session.STATE.wallet_due and session.STATE.wallet_thread is None
    preferences.get_prefs().api_key = "test-key"
    monkeypatch.setattr(online, "network_allowed", lambda: False)
    session.STATE.wallet_due = True                      # a job ended while offline
    pump.pump_once()
    assert session.STATE.wallet_thread is None
    assert [e for e in studio.log if "wallet" in e["path"]] == []


# -- filter, sort, clear ---------------------------------------------------------------

def _views():
    from ai_studio_bridge.addon.jobs import session
    a = session.JobView("a", label="Red chair", model="TRIPO", state="DONE")
    b = session.JobView("b", label="Blue vase", model="TENCENT_PRO", state="RUNNING")
    c = session.JobView("c", label="Armchair", model="TRELLIS2", state="FAILED")
    return [a, b, c]   # newest first, as the rows are


def test_the_job_list_filters_by_text_and_state():
    from ai_studio_bridge.addon.ui import joblist
    flags, _ = joblist.filter_and_order(_views(), "chair", "ALL", "NEWEST", False, 1)
    assert flags == [1, 0, 1]
    flags, _ = joblist.filter_and_order(_views(), "", "ACTIVE", "NEWEST", False, 1)
    assert flags == [0, 1, 0]
    flags, _ = joblist.filter_and_order(_views(), "tencent", "ALL", "NEWEST", False, 1)
    assert flags == [0, 1, 0]                            # the model name counts too
    flags, _ = joblist.filter_and_order(_views(), "", "PROBLEM", "NEWEST", False, 1)
    assert flags == [0, 0, 1]


def test_the_job_list_sorts_by_name_state_and_model():
    from ai_studio_bridge.addon.ui import joblist
    _, order = joblist.filter_and_order(_views(), "", "ALL", "NEWEST", False, 1)
    assert order == []                                   # newest first already
    _, order = joblist.filter_and_order(_views(), "", "ALL", "NAME", False, 1)
    assert order == [2, 1, 0]                            # Armchair, Blue vase, Red chair
    _, order = joblist.filter_and_order(_views(), "", "ALL", "STATE", False, 1)
    assert order == [2, 1, 0]                            # failed, running, done
    _, order = joblist.filter_and_order(_views(), "", "ALL", "NEWEST", True, 1)
    assert order == [2, 1, 0]                            # oldest first


def test_the_ui_list_uses_its_own_filter_settings(addon):
    from ai_studio_bridge.addon.jobs import pump, session
    from ai_studio_bridge.addon.ui import joblist
    for view in _views():
        session.STATE.jobs[view.job_id] = view
        session.STATE.order.append(view.job_id)
    session.STATE.rows_dirty = True
    pump.sync_rows()
    fake = types.SimpleNamespace(filter_name="vase", filter_state="ALL", sort_by="NAME",
                                 sort_reverse=False, bitflag_filter_item=1 << 30)
    flags, order = joblist.AISTUDIO_UL_jobs.filter_items(fake, bpy.context,
                                                         bpy.context.window_manager.aistudio, "jobs")
    assert flags == [0, 1 << 30, 0] and order == [2, 1, 0]


def test_clear_finished_empties_the_list_not_the_disk_or_journal(studio, addon):
    from pathlib import Path

    from ai_studio_bridge.addon.jobs import session
    bpy.ops.aistudio.text_to_3d(prompt="a lamp", model="TENCENT_RAPID")
    done = wait_imported()
    running = session.track("r1", "Still running", "TRIPO", "3d", "40")
    running.state = "RUNNING"
    assert bpy.ops.aistudio.clear_finished_jobs() == {"FINISHED"}
    assert list(session.STATE.jobs) == ["r1"]
    assert [r.job_id for r in bpy.context.window_manager.aistudio.jobs] == ["r1"]
    assert session.STATE.engine.job(done.job_id) is not None          # still in the journal
    assert all(Path(f).is_file() for f in done.files)                 # still on disk
    addon.unregister()                                                # and still cleared after a restart
    bpy.ops.wm.read_factory_settings(use_empty=True)
    addon.register()
    assert done.job_id not in session.STATE.jobs
    assert bpy.ops.aistudio.import_result(job_id=done.job_id) == {"FINISHED"}  # importable by id
    assert [o.name for o in ai_objects()] == ["a lamp"]
