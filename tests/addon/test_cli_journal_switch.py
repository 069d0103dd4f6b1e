""""Use the Command Line's Journal" takes effect at once: the CLI's jobs are there to import."""

import io

import bpy
import pytest
from addon_helpers import KEY, TIME_SCALE, ai_objects

pytestmark = pytest.mark.blender


def _cli_job(emulator, home) -> str:
    """A finished CLI job (downloaded) in the command line's journal under ``home``."""
    from ai_studio_bridge.bridge.cli import Context, main
    from ai_studio_bridge.bridge.clock import ScaledClock
    from ai_studio_bridge.bridge.engine.journal import Journal
    env = {"3D_AI_STUDIO_API_KEY": KEY, "3D_AI_STUDIO_API_URL": emulator.url,
           "AISTUDIO_RATE_LIMIT": "600", "AISTUDIO_HOME": str(home)}
    ctx = Context(environ=env, stdout=io.StringIO(), stderr=io.StringIO(),
                  clock=ScaledClock(TIME_SCALE))
    assert main(["tencent-rapid", "--prompt", "a wooden chair", "--wait"], ctx=ctx) == 0, \
        ctx.stderr.getvalue()
    [record] = Journal(home).records()
    assert record.state == "DONE"
    return record.job_id


def test_a_journal_folder_typed_into_the_preferences_is_followed_on_the_next_tick(studio, tmp_path):
    """Typed (or picked with the folder button), not only through the CLI button."""
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import pump, session
    cli_home = tmp_path / "cli-home"
    job_id = _cli_job(studio, cli_home)
    session.ENGINE_OPTIONS.pop("home")
    preferences.get_prefs().data_folder = str(tmp_path / "addon-home")
    session.start_engine()
    pump.pump_once()
    assert session.STATE.engine.home != cli_home and job_id not in session.STATE.jobs
    preferences.get_prefs().data_folder = str(cli_home)   # what the field's update does
    pump.pump_once()
    assert session.STATE.engine is not None and session.STATE.engine.home == cli_home
    assert job_id in session.STATE.jobs


def test_the_cli_journal_is_followed_at_once(studio, tmp_path):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import session
    cli_home = tmp_path / "cli-home"
    job_id = _cli_job(studio, cli_home)
    session.ENGINE_OPTIONS.pop("home")        # the preference decides, as for a user
    preferences.get_prefs().data_folder = str(tmp_path / "addon-home")
    session.start_engine()                    # the add-on on its own journal, as after a submit
    old_home = session.STATE.engine.home
    assert old_home != cli_home
    assert bpy.ops.aistudio.use_cli_journal(folder=str(cli_home)) == {"FINISHED"}
    assert session.STATE.engine is not None and session.STATE.engine.home == cli_home
    assert job_id in session.STATE.jobs       # in the job list right away
    assert bpy.ops.aistudio.import_result(job_id=job_id) == {"FINISHED"}
    assert [ob["aistudio_job"] for ob in ai_objects()] == [session.STATE.engine.job(job_id).task_id]
