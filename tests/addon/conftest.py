"""Fixtures for the add-on tests: real Blender (the bpy wheel), the add-on
registered for one test at a time, and the local emulator on loopback.

Time runs through ``ScaledClock``: the engine and the emulator share one time
scale, so a five-minute miniature takes a fraction of a second and the
3-per-minute rate window lasts milliseconds. Timers never fire in background
Blender, so tests call the pump directly (``pump_until``).
"""

import pytest

bpy = pytest.importorskip("bpy")

import extension_package  # noqa: E402

extension_package.load()

from addon_helpers import KEY, TIME_SCALE, TOKEN, FakeRecords  # noqa: E402

from ai_studio_bridge.bridge.clock import ScaledClock  # noqa: E402


@pytest.fixture
def addon(tmp_path, monkeypatch):
    """The add-on registered on a fresh empty scene; unregistered afterwards."""
    import ai_studio_bridge as package
    from ai_studio_bridge.addon.jobs import online, session
    monkeypatch.delenv("3D_AI_STUDIO_API_KEY", raising=False)
    monkeypatch.delenv("3D_AI_STUDIO_API_URL", raising=False)
    monkeypatch.delenv("IMAGE3D_TOKEN", raising=False)
    monkeypatch.setattr(online, "network_allowed", lambda: True)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    session.ENGINE_OPTIONS.clear()
    session.ENGINE_OPTIONS.update(home=tmp_path / "home", clock=ScaledClock(TIME_SCALE))
    package.register()
    try:
        yield package
    finally:
        package.unregister()
        session.ENGINE_OPTIONS.clear()


@pytest.fixture
def scaled_emulator():
    """The emulator on real time run TIME_SCALE times faster, like the engine's clock.

    Not the shared ``emulator`` fixture: that one runs on a FakeClock, which the
    engine's dispatcher (napping on its clock between steps) would race through
    to the 24-hour expiry while the test pumps.
    """
    from bridge.emulator import Emulator
    with Emulator(api_key=KEY, image3d_token=TOKEN, time_scale=TIME_SCALE,
                  credits=1_000_000) as emu:
        yield emu


@pytest.fixture
def studio(addon, scaled_emulator, tmp_path):
    """The add-on pointed at the emulator, with a key and a results folder."""
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import session
    emulator = scaled_emulator
    prefs = preferences.get_prefs()
    prefs.api_key, prefs.api_url = KEY, emulator.url
    prefs.image3d_token, prefs.image3d_url = TOKEN, emulator.url
    prefs.rate_limit = 600
    prefs.download_folder = str(tmp_path / "results")
    prefs.confirm_credits = 100_000
    session.refresh_settings()
    return emulator


@pytest.fixture
def records(addon):
    """A stand-in engine holding hand-made journal records (``records.records[id] = …``):
    the importer and the pump work on real files without a service."""
    from ai_studio_bridge.addon.jobs import session
    real, session.STATE.engine = session.STATE.engine, FakeRecords()
    try:
        yield session.STATE.engine
    finally:
        session.STATE.engine = real
