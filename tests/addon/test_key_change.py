"""Issue 20, items 1 and 2 in Blender: a key typed into the preferences reaches the engine
at once, and the jobs waiting for it go on by themselves.

The restart of the issue: jobs running, Blender started again without the key
(its engine resumes them from the journal), the key typed in: nothing moved
for 150 s, the list said "Running" with an error. Here the pump is called as
the timer would call it; nothing else (no submit, no Import Task, no balance
refresh) hands the settings over.
"""

import pytest

bpy = pytest.importorskip("bpy")

from addon_helpers import KEY, pump_until  # noqa: E402

pytestmark = pytest.mark.blender

WAITING = "Waiting for an API key — Preferences › Add-ons › AI Studio Bridge"
REFUSED = "Waiting for a valid API key — Preferences › Add-ons › AI Studio Bridge"


def _submit(prompt: str) -> str:
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.bridge.api.tencent import TencentRapidRequest
    engine = session.engine()
    job_id = engine.submit(TencentRapidRequest(prompt=prompt))   # straight to the engine
    pump_until(lambda: (engine.job(job_id).task_id or None))
    return job_id


def _view(job_id):
    from ai_studio_bridge.addon.jobs import session
    return session.STATE.jobs.get(job_id)


def test_jobs_resumed_without_a_key_go_on_when_it_is_typed_in(studio):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.addon.ui import joblist
    jobs = [_submit("a red chair"), _submit("a blue lamp")]
    session.stop_engine()                       # Blender quits with both running
    prefs = preferences.get_prefs()
    prefs.api_key = ""                          # ...and starts again without the key
    session.refresh_settings()
    session.start_engine()                      # resumes them from the journal
    for job_id in jobs:
        view = pump_until(lambda: joblist.key_wait_text(_view(job_id)) and _view(job_id))
        assert joblist.key_wait_text(view) == WAITING
        assert joblist.state_text(view).startswith("Waiting for an API key")
    prefs.api_key = KEY                         # typed in: no submit, no import, no refresh
    for job_id in jobs:
        pump_until(lambda: _view(job_id).state == "DONE", timeout=60)
        assert not joblist.key_wait_text(_view(job_id))
    assert len(studio.accepted) == 2


def test_a_key_revoked_while_a_job_runs_waits_for_a_new_one(studio):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.ui import joblist
    studio.faults.revoke_key_after_accept(1)
    job_id = _submit("a green vase")
    view = pump_until(lambda: joblist.key_wait_text(_view(job_id)) and _view(job_id))
    assert joblist.key_wait_text(view) == REFUSED and view.state == "RUNNING"
    studio.api_key = "new-key-1234"
    preferences.get_prefs().api_key = "new-key-1234"
    pump_until(lambda: _view(job_id).state == "DONE", timeout=60)
    assert len(studio.accepted) == 1


def test_a_key_with_a_zero_width_space_is_named_where_it_is_typed(addon):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.bridge import config
    prefs = preferences.get_prefs()
    prefs.api_key = "test\u200b-key"
    assert "zero-width space" in config.credential_problem(prefs.api_key.strip(), "The API key")
