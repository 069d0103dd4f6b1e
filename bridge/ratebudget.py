"""One request budget per API key, shared by submits and polls — and by processes.

The service allows a few requests per minute per key (3 by default) and
answers 429 past that. Every API call (not CDN downloads) takes a slot here
first, so the bridge stays under the limit instead of discovering it.

- Window: never more than ``per_minute`` grants in any 60 s (plus a margin).
- Pace (optional, the job engine turns it on): grants one slot apart, so a
  burst of submits never leaves a poll of a finished job waiting a window.
- Priorities: a waiting submit goes before polls, polls before the rest.
- A 429 pauses everybody for its ``Retry-After`` — capped at
  :data:`RETRY_AFTER_CAP`, because a hostile or broken answer (``999999``,
  a date in 2099, ``inf``) must not stop every job for days. Listeners hear
  of every long pause so the user is told. The transport caps the header
  it parses with the same constant.

Where grants are counted is a *store*: :class:`LocalWindow` in memory by
default; the job engine plugs in a store kept in its SQLite journal, so
Blender, the CLI and batch runs on one key share one budget.
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import logging
import math
import threading
import uuid
from typing import Callable, Protocol

from .clock import SYSTEM_CLOCK, Clock
from .errors import CancelledError, TimeoutError_

log = logging.getLogger("bridge.ratebudget")

SUBMIT = 0
POLL = 1
OTHER = 2

WINDOW = 60.0
# Slack so our window and the server's never disagree: a little in clock
# seconds, and a little in *real* seconds (scheduling and network jitter do
# not shrink when a test runs the clock 60 times faster).
MARGIN = 0.25
MARGIN_REAL = 0.1
#: Longest pause a ``Retry-After`` can impose, in seconds (clock seconds).
#: Shared with the transport's header parsing: one ceiling for both.
RETRY_AFTER_CAP = 300.0
#: A pause the service asks for that is longer than this is reported to the user.
LONG_PAUSE = 60.0



#: Most requests per minute a stated limit is believed up to (a typo or a hostile header
#: must not turn pacing off altogether).
MAX_STATED_LIMIT = 1000


def stated_limit(headers) -> int | None:
    """The requests/minute an answer's ``X-RateLimit-Limit`` states, if it is a sane number.

    The emulator states its own limit so; the service's documented source is its
    wallet's ``rate_limit`` (the engine reads both and only ever raises its rate).
    """
    try:
        value = int(str((headers or {}).get("X-RateLimit-Limit", "")).strip())
    except ValueError:
        return None
    return min(value, MAX_STATED_LIMIT) if value > 0 else None


def cap_retry_after(seconds: float | None) -> float | None:
    """``seconds`` bounded to [0, RETRY_AFTER_CAP]; NaN and negatives become 0, inf the cap."""
    if seconds is None:
        return None
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return None
    if math.isnan(value) or value <= 0:
        return 0.0
    return min(value, RETRY_AFTER_CAP)


class Rules:
    """The numbers a store needs to decide: limit, window, margin and pace, in clock seconds."""

    __slots__ = ("per_minute", "window", "pace")

    def __init__(self, per_minute: int, window: float, pace: float):
        self.per_minute, self.window, self.pace = per_minute, window, pace


class Store(Protocol):
    def now(self) -> float: ...
    def wait(self, rules: Rules, now: float) -> float: ...
    def admit(self, rules: Rules, now: float) -> tuple[float, object | None]: ...
    def release(self, grant: object) -> None: ...
    def restamp(self, grant: object, now: float) -> None: ...
    def pause(self, until: float) -> None: ...


def expired(granted_at: float, rules: Rules, now: float) -> bool:
    # The same expression as in window_wait, so no float can slip between "expired" and "wait".
    return granted_at + rules.window - now <= 0


def window_wait(times: list[float], paused_until: float, rules: Rules, now: float) -> float:
    """Seconds until a grant is allowed, given the unexpired grant times (oldest first)."""
    wait = max(0.0, paused_until - now)
    if len(times) >= rules.per_minute:
        wait = max(wait, times[len(times) - rules.per_minute] + rules.window - now)
    if times and rules.pace > 0:
        wait = max(wait, times[-1] + rules.pace - now)
    return wait


class LocalWindow:
    """Grants of this process only, in memory (callers hold the budget's lock)."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.grants: collections.deque[tuple[float, str]] = collections.deque()
        self.paused_until = float("-inf")

    def now(self) -> float:
        return self.clock.now()

    def wait(self, rules: Rules, now: float) -> float:
        while self.grants and expired(self.grants[0][0], rules, now):
            self.grants.popleft()
        return window_wait([g[0] for g in self.grants], self.paused_until, rules, now)

    def admit(self, rules: Rules, now: float) -> tuple[float, object | None]:
        wait = self.wait(rules, now)
        if wait > 0:
            return wait, None
        grant = (now, uuid.uuid4().hex)
        self.grants.append(grant)
        return 0.0, grant

    def release(self, grant: object) -> None:
        with contextlib.suppress(ValueError):
            self.grants.remove(grant)

    def restamp(self, grant: object, now: float) -> None:
        """The grant is being spent now, later than it was claimed: count it from now."""
        with contextlib.suppress(ValueError):
            self.grants.remove(grant)
            self.grants.append((max(now, grant[0]), grant[1]))  # type: ignore[index]
            self.grants = collections.deque(sorted(self.grants))

    def pause(self, until: float) -> None:
        self.paused_until = max(self.paused_until, until)


class RateBudget:
    def __init__(self, per_minute: int, clock: Clock = SYSTEM_CLOCK):
        self.clock = clock
        self._per_minute = max(1, int(per_minute))
        self._local = LocalWindow(clock)
        self._shared: list[Store] = []
        self._waiting = [0, 0, 0]
        self._lock = threading.Lock()
        self._prepaid = threading.local()
        self._listeners: list[Callable[[float, float], None]] = []
        self.pace_fraction = 0.0
        self.key_hash = ""
        self.granted = 0
        self.penalties = 0

    # -- configuration --------------------------------------------------------
    @property
    def per_minute(self) -> int:
        return self._per_minute

    def set_rate(self, per_minute: int) -> None:
        with self._lock:
            self._per_minute = max(1, int(per_minute))

    def observe(self, headers) -> None:
        """Adopt a higher limit the service states in an answer's ``X-RateLimit-Limit``."""
        self.raise_rate(stated_limit(headers))

    def raise_rate(self, per_minute: int | None) -> None:
        """Adopt a higher limit reported by the wallet; never lowers it."""
        if per_minute and int(per_minute) > self._per_minute:
            self.set_rate(int(per_minute))

    def share(self, store: Store) -> None:
        """Count grants in ``store`` (e.g. the journal, seen by other processes) from now on."""
        with self._lock:
            self._shared.append(store)

    def unshare(self, store: Store) -> None:
        with self._lock:
            if store in self._shared:
                self._shared.remove(store)

    def add_listener(self, listener: Callable[[float, float], None]) -> None:
        """``listener(asked_s, paused_s)`` hears of every pause longer than LONG_PAUSE."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[float, float], None]) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    # -- internals ------------------------------------------------------------
    def _store(self) -> Store:
        return self._shared[-1] if self._shared else self._local

    def _rules(self) -> Rules:
        scale = max(1.0, float(getattr(self.clock, "scale", 1.0)))
        slot = WINDOW / self._per_minute
        return Rules(self._per_minute, WINDOW + MARGIN + MARGIN_REAL * scale,
                     slot * self.pace_fraction)

    def _outranked(self, priority: int) -> bool:
        return any(self._waiting[p] for p in range(priority))

    # -- asking for a slot ----------------------------------------------------
    def next_slot_in(self, priority: int = POLL) -> float:
        with self._lock:
            store = self._store()
            wait = store.wait(self._rules(), store.now())
            return wait if wait > 0 or not self._outranked(priority) else 0.05

    def claim(self, priority: int = POLL) -> tuple[float, object | None]:
        """Take a slot now: ``(0, grant)``; or ``(seconds until one frees, None)``."""
        with self._lock:
            if self._outranked(priority):
                return 0.05, None  # somebody more urgent is queued; let them have this slot
            store = self._store()
            wait, grant = store.admit(self._rules(), store.now())
            if grant is not None:
                self.granted += 1
            return wait, grant

    def try_acquire(self, priority: int = POLL) -> float:
        """Take a slot now and return 0, or return how long until one frees."""
        return self.claim(priority)[0]

    def release(self, grant: object) -> None:
        """Give back a slot that was claimed but never used."""
        with self._lock:
            self._store().release(grant)
            self.granted -= 1

    @contextlib.contextmanager
    def spending(self, grant: object | None):
        """The calling thread's next ``acquire`` uses ``grant`` (claimed by a dispatcher).

        A grant nobody used by the end of the block is given back.
        """
        if grant is None:
            yield
            return
        self._prepaid.grant = grant
        try:
            yield
        finally:
            unused = getattr(self._prepaid, "grant", None)
            self._prepaid.grant = None
            if unused is not None:
                self.release(unused)

    def acquire(self, priority: int = POLL, cancel: threading.Event | None = None,
                deadline: float | None = None) -> None:
        """Block (on the injected clock) until a slot is ours."""
        grant = getattr(self._prepaid, "grant", None)
        if grant is not None:  # the dispatcher took this slot for us, a moment ago
            self._prepaid.grant = None
            with self._lock:
                store = self._store()
                store.restamp(grant, store.now())
            return
        with self._lock:
            self._waiting[priority] += 1
        try:
            while True:
                with self._lock:
                    self._waiting[priority] -= 1
                    try:
                        wait, grant = (0.05, None) if self._outranked(priority) else \
                            self._store().admit(self._rules(), self._store().now())
                    finally:
                        self._waiting[priority] += 1
                    if grant is not None:
                        self.granted += 1
                        return
                if deadline is not None and self.clock.now() + wait > deadline:
                    raise TimeoutError_("No request slot before the deadline.")
                if self.clock.sleep(min(wait, 1.0), cancel):
                    raise CancelledError("Cancelled while waiting for a request slot.")
        finally:
            with self._lock:
                self._waiting[priority] -= 1

    # -- the server said 429 --------------------------------------------------
    def penalize(self, retry_after: float | None) -> float:
        """Nobody sends anything for ``retry_after`` seconds (capped); the pause applied."""
        asked = WINDOW / self._per_minute if retry_after is None else retry_after
        try:
            asked = float(asked)
        except (TypeError, ValueError):
            asked = WINDOW / self._per_minute
        wait = cap_retry_after(asked) or 0.0
        with self._lock:
            self.penalties += 1
            store = self._store()
            store.pause(store.now() + wait)
            listeners = list(self._listeners) if asked > LONG_PAUSE else []
        for listener in listeners:
            try:
                listener(asked, wait)
            except Exception:  # a listener's bug must not break the request that was paused
                log.exception("rate budget listener failed")
        return wait


_REGISTRY: dict[str, RateBudget] = {}
_REGISTRY_LOCK = threading.Lock()


def key_hash(api_key: str) -> str:
    """How a key is named wherever it is stored or shared: never the key itself."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


def budget_for(api_key: str, per_minute: int, clock: Clock = SYSTEM_CLOCK) -> RateBudget:
    """The process-wide budget for ``api_key`` (keyed by a hash, never the key)."""
    ident = key_hash(api_key) + f"@{id(clock)}"
    with _REGISTRY_LOCK:
        budget = _REGISTRY.get(ident)
        if budget is None:
            budget = _REGISTRY[ident] = RateBudget(per_minute, clock)
            budget.key_hash = key_hash(api_key)
        else:
            budget.set_rate(max(budget.per_minute, per_minute))
        return budget
