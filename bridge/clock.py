"""Time as a dependency, so every wait can be faked in tests.

Every polling loop, back-off and rate slot in the bridge asks a
:class:`Clock` for the time and to sleep. ``FakeClock`` jumps forward instead
of sleeping, so tests of a 5-minute job take milliseconds and never wait for
real time.
"""

from __future__ import annotations

import threading
import time


class Clock:
    """Real time. ``sleep`` wakes early when ``cancel`` is set and says so."""

    def now(self) -> float:
        return time.monotonic()

    def wall(self) -> float:
        return time.time()

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        """Sleep up to ``seconds``; True if woken by ``cancel``."""
        if seconds <= 0:
            return bool(cancel and cancel.is_set())
        if cancel is not None:
            return cancel.wait(seconds)
        time.sleep(seconds)
        return False


SYSTEM_CLOCK = Clock()


class FakeClock(Clock):
    """A clock that advances only when somebody sleeps on it (thread-safe)."""

    def __init__(self, start: float = 1000.0, wall_start: float = 1_800_000_000.0):
        self._now = start
        self._wall_offset = wall_start - start
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def now(self) -> float:
        with self._lock:
            return self._now

    def wall(self) -> float:
        with self._lock:
            return self._now + self._wall_offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        if cancel is not None and cancel.is_set():
            return True
        self.slept.append(seconds)
        self.advance(seconds)
        time.sleep(0)  # let other threads run
        return bool(cancel and cancel.is_set())


class ScaledClock(Clock):
    """Real time run faster by ``scale`` (the emulator's time scale, seen by a client).

    Used by benchmarks: a 60-second rate window at scale 60 lasts one second.
    """

    def __init__(self, scale: float):
        self.scale = float(scale)
        self._t0 = time.monotonic()
        self._w0 = time.time()

    def now(self) -> float:
        return self._t0 + (time.monotonic() - self._t0) * self.scale

    def wall(self) -> float:
        return self._w0 + (time.monotonic() - self._t0) * self.scale

    def sleep(self, seconds: float, cancel: threading.Event | None = None) -> bool:
        return super().sleep(seconds / self.scale, cancel)
