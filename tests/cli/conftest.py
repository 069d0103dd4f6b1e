"""Every CLI test gets its own job journal: commands that submit write one, and
without this it would land in the developer's ~/.local/state."""

import pytest


@pytest.fixture(autouse=True)
def private_journal_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("AISTUDIO_HOME", raising=False)
