"""Engines on the real emulator, for the engine tests that need one (see the ``engines`` fixture)."""

from bridge.engine import JobEngine

#: The status path of a task on the emulator (what the engine polls).
STATUS = "/v1/generation-request/{}/status/"


def start_engine(settings, clock, engines, go=True) -> JobEngine:
    """A JobEngine on *settings* with the test's clock, remembered for shutdown."""
    engine = JobEngine(settings, home=settings.home, clock=clock)
    engines.append(engine)
    return engine.start() if go else engine
