"""Engines on a fake clock and a fake service, shut down after each test."""

from __future__ import annotations

import pytest
from engine_fakes import (
    SECRET,  # noqa: E402
    FakeService,
)

from bridge.clock import FakeClock
from bridge.config import Settings
from bridge.engine import JobEngine


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def service(clock):
    return FakeService(clock)


@pytest.fixture
def eng_settings(tmp_path):
    return Settings(api_key=SECRET, api_url="http://127.0.0.1:9", home=tmp_path / "home",
                    image3d_token="i3d-secret-token")


@pytest.fixture
def make_engine(eng_settings, clock, service):
    engines = []

    def make(start=True, **kw):
        kw.setdefault("clock", clock)
        kw.setdefault("client_factory", service.client)
        engine = JobEngine(eng_settings, home=eng_settings.home, **kw)
        engines.append(engine)
        if start:
            engine.start()
        return engine

    yield make
    for engine in engines:
        engine.shutdown(timeout=2.0)



@pytest.fixture
def engines():
    """Engines a test starts against the real emulator; shut down after it."""
    made = []
    yield made
    for engine in made:
        engine.shutdown()
