"""Enabling, disabling and re-enabling the add-on leaves Blender clean each time."""

import bpy
import pytest

pytestmark = pytest.mark.blender

OPERATORS = ("text_to_3d", "image_to_3d", "multiview_to_3d", "miniature", "mesh_tool",
             "cancel_job", "import_result", "wait_jobs")


def _registered() -> dict:
    from ai_studio_bridge.addon.jobs import pump
    return {
        "scene_pointer": hasattr(bpy.types.Scene, "aistudio"),
        "operators": all(hasattr(bpy.ops.aistudio, name) and
                         bpy.ops.aistudio.__getattr__(name).get_rna_type() is not None
                         for name in OPERATORS),
        "panel": hasattr(bpy.types, "AISTUDIO_PT_jobs"),
        "list": hasattr(bpy.types, "AISTUDIO_UL_jobs"),
        "timer": pump.is_registered(),
    }


def test_register_unregister_round_trip_twice(tmp_path):
    import ai_studio_bridge as addon  # the extension's package, registered as Blender does
    from ai_studio_bridge.addon.jobs import pump, session
    bpy.ops.wm.read_factory_settings(use_empty=True)
    session.ENGINE_OPTIONS.update(home=tmp_path)
    try:
        for _ in range(2):
            addon.register()
            state = _registered()
            assert all(state.values()), state
            # the print tools' settings hang off the one pointer
            assert bpy.context.scene.aistudio.printing is not None
            assert not hasattr(bpy.types.Scene, "aistudio_print")
            # The first time there is no journal, so nothing to resume; then there is.
            journal_existed = (tmp_path / "journal.sqlite3").is_file()
            assert (session.STATE.engine is not None) == journal_existed
            engine = session.engine()           # the first submit starts it
            addon.unregister()
            assert not hasattr(bpy.types.Scene, "aistudio")
            assert not hasattr(bpy.types.Scene, "aistudio_print")
            assert not hasattr(bpy.types, "AISTUDIO_PT_jobs")
            assert not pump.is_registered()
            assert session.STATE.engine is None
            # the engine's threads are gone within its shutdown budget
            assert not any(t.is_alive() for t in engine._threads)
    finally:
        session.ENGINE_OPTIONS.clear()


def test_pump_survives_loading_another_file(addon):
    from ai_studio_bridge.addon.jobs import pump, session
    session.track("j1", "Chair", "TRIPO", "3d", "40")
    pump.pump_once()
    assert [r.job_id for r in bpy.context.window_manager.aistudio.jobs] == ["j1"]
    bpy.ops.wm.read_homefile(use_empty=True)
    assert pump.is_registered()
    assert hasattr(bpy.context.scene, "aistudio")
    pump.pump_once()  # the job list is rebuilt for the new window manager
    assert [r.job_id for r in bpy.context.window_manager.aistudio.jobs] == ["j1"]


def test_pump_interval_is_short_while_jobs_run_and_long_when_idle(addon):
    from ai_studio_bridge.addon.jobs import pump, session

    class Busy:
        def drain(self, max_events=None):
            return []

        def active_count(self):
            return 3

    saved = session.STATE.engine
    try:
        assert pump.pump() == pump.IDLE_INTERVAL_S
        session.STATE.engine = Busy()
        assert pump.pump() == pump.ACTIVE_INTERVAL_S
    finally:
        session.STATE.engine = saved


def test_preferences_fall_back_to_the_environment(addon, monkeypatch):
    from ai_studio_bridge.addon import preferences
    monkeypatch.setenv("3D_AI_STUDIO_API_KEY", "env-key")
    monkeypatch.setenv("3D_AI_STUDIO_API_URL", "http://127.0.0.1:9/")
    settings = preferences.current_settings()
    assert settings.api_key == "env-key"
    assert settings.api_url == "http://127.0.0.1:9"
    prefs = preferences.get_prefs()
    prefs.api_key, prefs.api_url = "typed-key", "http://example.invalid"
    settings = preferences.current_settings()
    assert (settings.api_key, settings.api_url) == ("typed-key", "http://example.invalid")
    assert "typed-key" not in repr(settings)
    assert preferences.download_folder(prefs).is_dir()


def test_blender_started_from_a_shell_finds_the_aliased_key(addon, monkeypatch):
    """`export 3D_AI_STUDIO_API_KEY=...` is impossible in a POSIX shell; the alias works."""
    from ai_studio_bridge.addon import preferences
    monkeypatch.delenv("3D_AI_STUDIO_API_KEY", raising=False)
    monkeypatch.delenv("3D_AI_STUDIO_API_URL", raising=False)
    monkeypatch.setenv("AISTUDIO_API_KEY", "shell-key")
    monkeypatch.setenv("AISTUDIO_API_URL", "http://127.0.0.1:9/")
    settings = preferences.current_settings()
    assert (settings.api_key, settings.api_url) == ("shell-key", "http://127.0.0.1:9")


def test_enabling_creates_nothing_until_first_use(tmp_path, monkeypatch):
    """No folder, no journal, no engine thread at register() on a fresh install."""
    import ai_studio_bridge as package
    from ai_studio_bridge.addon.jobs import session
    home = tmp_path / "home"
    monkeypatch.setenv("AISTUDIO_HOME", str(home))
    bpy.ops.wm.read_factory_settings(use_empty=True)
    session.ENGINE_OPTIONS.clear()
    package.register()
    try:
        assert session.STATE.engine is None
        assert not home.exists()
        session.engine()  # first use
        assert (home / "journal.sqlite3").is_file()
    finally:
        package.unregister()


def test_enabling_resumes_jobs_when_a_journal_exists(tmp_path, monkeypatch):
    import ai_studio_bridge as package
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.bridge.api.tencent import TencentRapidRequest
    from ai_studio_bridge.bridge.config import Settings
    from ai_studio_bridge.bridge.engine import JobEngine
    home = tmp_path / "home"
    monkeypatch.setenv("AISTUDIO_HOME", str(home))
    # A job queued by the command line, never sent: nobody holds its lease.
    cli = JobEngine(Settings(api_key="k", api_url="http://127.0.0.1:9", home=home), home=home)
    job_id = cli.submit(TencentRapidRequest(prompt="a chair"))
    cli.journal.release(cli.owner, [job_id])
    bpy.ops.wm.read_factory_settings(use_empty=True)
    session.ENGINE_OPTIONS.clear()
    package.register()
    try:
        assert session.STATE.engine is not None
        assert job_id in session.STATE.jobs
        prefs = preferences.get_prefs()
        assert preferences.engine_home(prefs) == home
        session.stop_engine()
        prefs.resume_on_start = False   # the user wants no background work at start
        session.resume_on_start()
        assert session.STATE.engine is None
    finally:
        package.unregister()


def test_the_journal_folder_preference_wins_and_restarts_the_engine(addon, tmp_path, monkeypatch):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import session
    monkeypatch.setenv("AISTUDIO_HOME", str(tmp_path / "env-home"))
    session.ENGINE_OPTIONS.pop("home", None)
    prefs = preferences.get_prefs()
    assert preferences.engine_home(prefs) == tmp_path / "env-home"
    first = session.engine()
    prefs.data_folder = str(tmp_path / "shared")
    assert preferences.engine_home(prefs) == tmp_path / "shared"
    session.refresh_settings()
    session.apply_changed_credentials()
    assert session.STATE.engine is not first
    assert session.STATE.engine.home == tmp_path / "shared"


def test_offline_mode_from_the_command_line_says_how_to_start_blender(monkeypatch):
    from ai_studio_bridge.addon.jobs import online
    monkeypatch.setattr(online, "started_offline", lambda: True)
    assert "--offline-mode" in online.offline_message()
    assert "--offline-mode" in online.offline_hint()[1]
    monkeypatch.setattr(online, "started_offline", lambda: False)
    assert "Allow Online Access" in online.offline_message()


def test_every_setting_left_at_its_default_yields_to_the_environment(addon, monkeypatch):
    """AISTUDIO_RATE_LIMIT / AISTUDIO_POLL_INTERVAL count like the key and URL do."""
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import session
    monkeypatch.setenv("AISTUDIO_RATE_LIMIT", "42")
    monkeypatch.setenv("AISTUDIO_POLL_INTERVAL", "3.5")
    settings = preferences.current_settings()
    assert (settings.rate_limit, settings.poll_interval) == (42, 3.5)
    assert session.refresh_settings().rate_limit == 42  # what the engine's clients are built with
    prefs = preferences.get_prefs()
    prefs.rate_limit, prefs.poll_interval = 10, 20.0  # edited: the preference wins
    settings = preferences.current_settings()
    assert (settings.rate_limit, settings.poll_interval) == (10, 20.0)


def test_a_malformed_number_in_the_environment_is_ignored_not_fatal(addon, monkeypatch):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.bridge import config
    monkeypatch.setenv("AISTUDIO_RATE_LIMIT", "fast")
    monkeypatch.setenv("3D_AI_STUDIO_API_KEY", "env-key")
    settings = preferences.current_settings()
    assert settings.rate_limit == config.DEFAULT_RATE_LIMIT
    assert settings.api_key == "env-key"  # the rest of the environment still counts
    assert "AISTUDIO_RATE_LIMIT" in preferences.environment_settings()[1]


def test_preferences_say_which_setting_comes_from_the_environment(addon, monkeypatch):
    import types

    from test_panel import RecordingLayout

    from ai_studio_bridge.addon import preferences
    monkeypatch.setenv("AISTUDIO_RATE_LIMIT", "42")
    prefs = preferences.get_prefs()
    layout = RecordingLayout()
    proxy = types.SimpleNamespace(layout=layout, **{name: getattr(prefs, name) for name in (
        "api_key", "image3d_token", "rate_limit", "poll_interval", "show_advanced", "api_url",
        "image3d_url", "download_folder", "confirm_credits", "data_folder", "resume_on_start")})
    preferences.AISTUDIO_AddonPreferences.draw(proxy, bpy.context)
    assert "Using AISTUDIO_RATE_LIMIT=42 from the environment" in layout.texts("label")
