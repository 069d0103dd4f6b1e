"""``aistudio.wait_jobs`` tells a script whether its jobs arrived, and waits for resumed ones too."""

import threading

import bpy
import pytest
from addon_helpers import KEY, ai_objects, last_job, pump_until, sample_picture

pytestmark = pytest.mark.blender


def test_a_failed_job_makes_wait_jobs_return_cancelled(studio):
    studio.faults.fail_next_job("the picture shows no object")
    bpy.ops.aistudio.text_to_3d(prompt="nothing", model="TENCENT_RAPID")
    bpy.ops.aistudio.text_to_3d(prompt="a chair", model="TENCENT_RAPID")
    assert bpy.ops.aistudio.wait_jobs(timeout=30) == {"CANCELLED"}
    from ai_studio_bridge.addon.jobs import session
    states = sorted(v.state for v in session.STATE.jobs.values())
    assert states == ["DONE", "FAILED"]
    # The good one still arrived (which of the two the service failed depends on
    # which submit reached it first: the engine sends calls from several threads).
    [done] = [v for v in session.STATE.jobs.values() if v.state == "DONE"]
    assert [o.name for o in ai_objects()] == [done.label]


def test_all_arrived_is_finished(studio):
    bpy.ops.aistudio.text_to_3d(prompt="a lamp", model="TENCENT_RAPID")
    assert bpy.ops.aistudio.wait_jobs(timeout=30) == {"FINISHED"}


def test_the_reasons_are_reported(studio):
    from ai_studio_bridge.addon.jobs import pump, session
    studio.faults.fail_next_job("the picture shows no object")
    bpy.ops.aistudio.text_to_3d(prompt="nothing", model="TENCENT_RAPID")
    ended, views = pump.wait_for_jobs(30)
    assert ended and [pump.job_failed(v) for v in views] == [True]
    assert "no object" in views[0].error
    assert session.STATE.jobs[views[0].job_id].state == "FAILED"


@pytest.mark.parametrize("state", ["EXPIRED", "UNKNOWN"])
def test_expired_and_unknown_count_as_not_arrived(state):
    from ai_studio_bridge.addon.jobs import pump, session
    view = session.JobView("j", state=state, error="gone")
    assert pump.job_failed(view)
    assert not pump.job_failed(session.JobView("k", state="DONE", imported=True))
    assert not pump.job_failed(session.JobView("c", state="CANCELLED"))  # the user's own choice


def test_right_after_start_it_waits_for_resumed_jobs(addon, tmp_path, monkeypatch):
    """A job still running when Blender quit is resumed at start; wait_jobs must wait for it.

    The engine claims resumed jobs on its own thread a moment after start; the
    scan is held back here so that moment is long enough to matter.
    """
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.bridge.emulator import Emulator
    from ai_studio_bridge.bridge.engine import resume
    with Emulator(api_key=KEY, time_scale=200.0, credits=1_000_000) as emu:  # a job lasts ~2 s
        def point_at_emulator():
            prefs = preferences.get_prefs()
            prefs.api_key, prefs.api_url, prefs.rate_limit = KEY, emu.url, 600
            prefs.download_folder = str(tmp_path / "results")
            prefs.confirm_credits = 100_000
            session.refresh_settings()
        point_at_emulator()
        bpy.ops.aistudio.miniature(filepath=str(sample_picture()))
        job_id = pump_until(lambda: last_job().task_id and last_job().job_id)
        bpy.ops.wm.save_as_mainfile(filepath=str(tmp_path / "figure.blend"))
        addon.unregister()                      # Blender quits while the job runs
        bpy.ops.wm.read_factory_settings(use_empty=True)
        real_claim, go = resume.claim_orphans, threading.Event()

        def slow_claim(*args, **kwargs):
            go.wait(10)
            return real_claim(*args, **kwargs)
        monkeypatch.setattr(resume, "claim_orphans", slow_claim)
        threading.Timer(0.5, go.set).start()
        addon.register()
        point_at_emulator()
        bpy.ops.wm.open_mainfile(filepath=str(tmp_path / "figure.blend"))   # the file that sent it
        assert session.STATE.jobs[job_id].state == "RUNNING"   # from the journal
        assert bpy.ops.aistudio.wait_jobs(timeout=60) == {"FINISHED"}
        assert session.STATE.jobs[job_id].state == "DONE"
        assert session.STATE.jobs[job_id].imported
        assert len(ai_objects()) == 1


def test_a_finished_job_drops_a_stale_error(addon):
    from ai_studio_bridge.addon.jobs import pump, session
    from ai_studio_bridge.bridge.engine import Event
    view = session.track("j1", "Chair", "TRIPO", "3d", "40")
    view.state, view.error = "RUNNING", "No 3D AI Studio API key is set."  # an old retry note
    pump.apply_event(Event("finished", "j1", "t1", "DONE", 100, files=[]))
    session.STATE.pending_imports.clear()
    assert view.state == "DONE" and view.error == ""
