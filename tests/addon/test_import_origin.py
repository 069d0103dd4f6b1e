"""A finished job is imported by itself only into the .blend file that sent it.

Jobs journaled by the CLI (a JobEngine of its own), or sent from another file,
wait in the job list with an Import button; the file that sent a job gets its
result, even when it was reopened after the job finished elsewhere.
"""

import types

import bpy
import pytest
from addon_helpers import KEY, ai_objects, last_job, pump_until, wait_imported
from test_panel import RecordingLayout

pytestmark = pytest.mark.blender


def _import_buttons(view):
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.addon.ui import joblist
    runtime = bpy.context.window_manager.aistudio
    runtime.jobs.clear()
    runtime.jobs.add().job_id = view.job_id
    layout = RecordingLayout()
    joblist.AISTUDIO_UL_jobs.draw_item(types.SimpleNamespace(), bpy.context, layout, runtime,
                                       runtime.jobs[0], 0, runtime, "active_job", 0)
    assert session.STATE.jobs[view.job_id] is view
    return [kw.get("text") for name, args, kw in layout.log
            if name == "operator" and args[0] == "aistudio.import_result"]


def test_a_job_the_cli_journaled_waits_for_the_import_button(studio, tmp_path):
    """The CLI sent it and quit; Blender resumes it at start and sees it finish, but does not
    import it into whatever file is open."""
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.bridge.api import tencent
    from ai_studio_bridge.bridge.config import Settings
    from ai_studio_bridge.bridge.engine import JobEngine
    assert session.STATE.engine is None
    home = session.ENGINE_OPTIONS["home"]                # the journal the add-on will open
    cli = JobEngine(Settings(api_key=KEY, api_url=studio.url, rate_limit=600), home=home)
    cli.start()
    try:
        job_id = cli.submit(tencent.TencentRapidRequest(prompt="a pipeline chair"),
                            output_dir=str(tmp_path / "cli"))
        cli.wait_submitted(job_id, timeout=30)
    finally:
        cli.shutdown()                                    # the CLI returned; the job runs on
    session.resume_on_start()                             # Blender starts: resumes the journal
    assert bpy.ops.aistudio.wait_jobs(timeout=30) == {"FINISHED"}
    view = session.STATE.jobs[job_id]
    assert view.state == "DONE" and not view.imported
    assert ai_objects() == []                             # nothing landed by itself
    assert _import_buttons(view) == ["Import"]
    assert bpy.ops.aistudio.import_result(job_id=job_id) == {"FINISHED"}
    assert [o.name for o in ai_objects()] == ["a pipeline chair"]


def test_a_job_this_engine_journaled_without_a_file_is_not_imported(studio, tmp_path):
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.bridge.api import tencent
    engine = session.engine()
    job_id = engine.submit(tencent.TencentRapidRequest(prompt="a script's vase"),
                           output_dir=str(tmp_path / "script"))
    pump_until(lambda: (session.STATE.jobs.get(job_id) is not None
                        and session.STATE.jobs[job_id].state == "DONE"))
    for _ in range(5):
        from ai_studio_bridge.addon.jobs import pump
        pump.pump_once()
    assert not session.STATE.jobs[job_id].imported and ai_objects() == []
    assert any("not imported into this file" in text for _l, text, _t in session.STATE.messages)


def test_only_the_sending_file_imports_its_result(studio, tmp_path):
    from ai_studio_bridge.addon.jobs import session
    other, sender = tmp_path / "other.blend", tmp_path / "sender.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(other))        # a file that sends nothing
    bpy.ops.wm.save_as_mainfile(filepath=str(sender))
    assert bpy.ops.aistudio.text_to_3d(prompt="a brass lamp", model="TENCENT_RAPID") == {"FINISHED"}
    job_id = last_job().job_id
    assert last_job().meta["blend_path"] == str(sender) and last_job().meta["blend_id"]
    bpy.ops.wm.open_mainfile(filepath=str(other))           # sender's id was never saved
    view = pump_until(lambda: session.STATE.jobs[job_id]
                      if session.STATE.jobs[job_id].state == "DONE" else None)
    for _ in range(5):
        from ai_studio_bridge.addon.jobs import pump
        pump.pump_once()
    assert not view.imported and ai_objects() == []          # not into the other file
    assert _import_buttons(view) == ["Import"]
    bpy.ops.wm.open_mainfile(filepath=str(sender))          # back in the file that sent it
    wait_imported()
    assert [o.name for o in ai_objects()] == ["a brass lamp"]


def test_a_new_unsaved_file_is_a_file_of_its_own(studio):
    from ai_studio_bridge.addon.jobs import origin, session
    assert bpy.ops.aistudio.text_to_3d(prompt="a small stool", model="TENCENT_RAPID") == {"FINISHED"}
    sent = last_job()
    assert sent.meta["blend_path"] == "" and sent.meta["blend_id"] == origin.file_id()
    wait_imported()                                          # the one submitted here is imported
    assert [o.name for o in ai_objects()] == ["a small stool"]
    bpy.context.scene.aistudio.file_id = ""                  # as File > New gives
    assert not origin.belongs_here(sent.meta)
    assert session.STATE.jobs[sent.job_id].imported
