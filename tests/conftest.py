"""Shared fixtures: a fake clock, the local emulator on loopback, settings pointing at it.

Other test packages rely on these names and behaviours; keep them stable.

- ``fake_clock``: a :class:`bridge.clock.FakeClock`. Sleeping on it advances it
  at once, so waits cost no real time.
- ``emulator``: a running :class:`bridge.emulator.Emulator` with api_key
  ``"test-key"``, image3d_token ``"i3d-token"``, 1 000 000 credits on each
  service, no rate limit (set one with ``emulator.set_rate_limit(n)``), and the
  ``fake_clock`` at time_scale 1.0 — one fake second is one service second, so
  a client sharing ``fake_clock`` sees a 6.5-minute job finish after sleeping
  390 fake seconds, instantly. ``emulator.advance(s)`` moves service time on.
- ``settings``: :class:`bridge.config.Settings` for both services at
  ``emulator.url`` with ``home=tmp_path``; its client-side ``rate_limit`` is
  1000/min so clients built on the real clock never wait (the emulator is
  unlimited unless a test says otherwise).
"""

from __future__ import annotations

import faulthandler
import os

import pytest

from bridge.clock import FakeClock
from bridge.config import Settings


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    """With AISTUDIO_FAULT_LOG set (CI), a native crash's trace goes to that file.

    pytest's own faulthandler writes to stderr, which a crashing process may
    not flush; CI prints this file after a crash, so the trace is never lost.
    """
    path = os.environ.get("AISTUDIO_FAULT_LOG")
    if path:
        config._aistudio_fault_file = open(path, "w", encoding="utf-8")  # noqa: SIM115 (open for the whole run)
        faulthandler.enable(file=config._aistudio_fault_file, all_threads=True)


API_KEY = "test-key"
IMAGE3D_TOKEN = "i3d-token"
GENEROUS_CREDITS = 1_000_000


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def emulator(fake_clock):
    from bridge.emulator import Emulator
    with Emulator(api_key=API_KEY, image3d_token=IMAGE3D_TOKEN, time_scale=1.0, rate_limit=None,
                  credits=GENEROUS_CREDITS, clock=fake_clock) as emu:
        yield emu


@pytest.fixture
def settings(emulator, tmp_path) -> Settings:
    return Settings(api_key=API_KEY, api_url=emulator.url, image3d_token=IMAGE3D_TOKEN,
                    image3d_url=emulator.url, home=tmp_path, poll_interval=10.0, rate_limit=1000)
