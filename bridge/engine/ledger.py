"""The rate budget's grants kept in the journal, so every process on one key shares them.

Blender, the CLI and a batch run each have their own :class:`RateBudget`;
plugged into this store they count one another's requests, and a 429 one
of them hears pauses them all. Keys are named by a hash, never the key.

Grant times must mean the same in every process. The real clock's epoch
seconds do; a scaled clock (benchmarks, tests) counts epoch seconds times
its scale, the same in every process that runs at that scale. When the
journal is locked past every wait, this process falls back to counting its
own requests until the lock is gone (a 429 then still slows it down).
"""

from __future__ import annotations

import logging
import time
import uuid

from ..clock import Clock
from ..ratebudget import LocalWindow, Rules, expired, window_wait
from .journal import Journal, JournalError

log = logging.getLogger("bridge.engine")


def shared_now(clock: Clock) -> float:
    """Clock seconds that every process running on such a clock agrees on."""
    scale = getattr(clock, "scale", None)
    if scale:
        return time.time() * float(scale)
    return clock.wall()


class _SharedTime:
    def __init__(self, clock: Clock):
        self._clock = clock

    def now(self) -> float:
        return shared_now(self._clock)


class JournalRateStore:
    """A :class:`bridge.ratebudget.Store` in the journal's ``rate_grants``/``rate_pauses`` tables."""

    def __init__(self, journal: Journal, key_hash: str, clock: Clock):
        self.db = journal.db
        self.key = key_hash
        self.clock = clock
        self._fallback = LocalWindow(_SharedTime(clock))  # type: ignore[arg-type]
        self._fallen_back = False

    def now(self) -> float:
        return shared_now(self.clock)

    def _locked(self, exc: JournalError) -> None:
        if not self._fallen_back:
            log.warning("rate budget: journal unavailable (%s); counting this process only", exc)
        self._fallen_back = True

    def _state(self, conn, rules: Rules, now: float,
               clean: bool = True) -> tuple[list[float], float]:
        rows = conn.execute("SELECT at, grant_id FROM rate_grants WHERE key_hash = ? ORDER BY at",
                            (self.key,)).fetchall()
        stale = [r[1] for r in rows if expired(r[0], rules, now)]
        if stale and clean:
            conn.executemany("DELETE FROM rate_grants WHERE grant_id = ?", [(g,) for g in stale])
        pause = conn.execute("SELECT until FROM rate_pauses WHERE key_hash = ?",
                             (self.key,)).fetchone()
        return [r[0] for r in rows if not expired(r[0], rules, now)], \
            (pause[0] if pause else float("-inf"))

    def wait(self, rules: Rules, now: float) -> float:
        try:
            times, paused = self.db.run(lambda conn: self._state(conn, rules, now, clean=False))
        except JournalError as exc:
            self._locked(exc)
            return self._fallback.wait(rules, now)
        self._fallen_back = False
        return window_wait(times, paused, rules, now)

    def admit(self, rules: Rules, now: float) -> tuple[float, object | None]:
        def work(conn):
            times, paused = self._state(conn, rules, now)
            wait = window_wait(times, paused, rules, now)
            if wait > 0:
                return wait, None
            grant = uuid.uuid4().hex
            conn.execute("INSERT INTO rate_grants (key_hash, at, grant_id) VALUES (?, ?, ?)",
                         (self.key, now, grant))
            return 0.0, grant
        try:
            result = self.db.transaction(work)
        except JournalError as exc:
            self._locked(exc)
            return self._fallback.admit(rules, now)
        self._fallen_back = False
        return result

    def release(self, grant: object) -> None:
        if isinstance(grant, str):
            try:
                self.db.write("DELETE FROM rate_grants WHERE grant_id = ?", (grant,))
            except JournalError as exc:
                self._locked(exc)
        else:
            self._fallback.release(grant)

    def restamp(self, grant: object, now: float) -> None:
        if isinstance(grant, str):
            try:
                self.db.write("UPDATE rate_grants SET at = max(at, ?) WHERE grant_id = ?",
                              (now, grant))
            except JournalError as exc:
                self._locked(exc)
        else:
            self._fallback.restamp(grant, now)

    def pause(self, until: float) -> None:
        self._fallback.pause(until)
        try:
            self.db.write("INSERT INTO rate_pauses (key_hash, until) VALUES (?, ?) "
                          "ON CONFLICT(key_hash) DO UPDATE SET until = max(until, excluded.until)",
                          (self.key, until))
        except JournalError as exc:
            self._locked(exc)
