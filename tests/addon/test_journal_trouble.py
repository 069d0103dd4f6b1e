"""A damaged journal never stops the add-on from enabling; every job button says why it waits."""

import bpy
import pytest

pytestmark = pytest.mark.blender


@pytest.fixture
def damaged_home(tmp_path, monkeypatch):
    import ai_studio_bridge as package
    from ai_studio_bridge.addon.jobs import online, session
    from ai_studio_bridge.bridge.clock import ScaledClock
    home = tmp_path / "home"
    home.mkdir()
    (home / "journal.sqlite3").write_bytes(b"not a database at all " * 100)
    monkeypatch.setattr(online, "network_allowed", lambda: True)
    bpy.ops.wm.read_factory_settings(use_empty=True)
    session.ENGINE_OPTIONS.clear()
    session.ENGINE_OPTIONS.update(home=home, clock=ScaledClock(2000.0))
    package.register()
    try:
        yield home
    finally:
        package.unregister()
        session.ENGINE_OPTIONS.clear()


def test_a_damaged_journal_is_reported_at_enable_and_by_each_job_button(damaged_home):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import session
    assert session.STATE.engine is None
    messages = [text for level, text, _t in session.STATE.messages if level == "ERROR"]
    assert messages and str(damaged_home / "journal.sqlite3") in messages[0]
    assert "damaged" in messages[0] and "Move it aside" in messages[0]
    preferences.get_prefs().api_key = "test-key"
    with pytest.raises(RuntimeError, match="damaged"):
        bpy.ops.aistudio.text_to_3d(prompt="a cup", model="TENCENT_RAPID")
    assert (damaged_home / "journal.sqlite3").read_bytes().startswith(b"not a database")
