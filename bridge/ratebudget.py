"""One request budget per API key, shared by submits and polls.

The service allows a few requests per minute per key (3 by default) and
answers 429 past that. Every API call (not CDN downloads) takes a slot here
first, so the bridge stays under the limit instead of discovering it.
Submits go before polls: a waiting submit blocks new polls from taking the
next slot. A 429 pauses everybody for its ``Retry-After``.
"""

from __future__ import annotations

import collections
import hashlib
import threading

from .clock import SYSTEM_CLOCK, Clock
from .errors import CancelledError, TimeoutError_

SUBMIT = 0
POLL = 1
OTHER = 2

WINDOW = 60.0
# A little slack so our window and the server's never disagree by a tick.
MARGIN = 0.25


class RateBudget:
    def __init__(self, per_minute: int, clock: Clock = SYSTEM_CLOCK):
        self.clock = clock
        self._per_minute = max(1, int(per_minute))
        self._grants: collections.deque[float] = collections.deque()
        self._paused_until = 0.0
        self._waiting = [0, 0, 0]
        self._lock = threading.Lock()
        self.granted = 0
        self.penalties = 0

    @property
    def per_minute(self) -> int:
        return self._per_minute

    def set_rate(self, per_minute: int) -> None:
        with self._lock:
            self._per_minute = max(1, int(per_minute))

    def raise_rate(self, per_minute: int | None) -> None:
        """Adopt a higher limit reported by the wallet; never lowers it."""
        if per_minute and int(per_minute) > self._per_minute:
            self.set_rate(int(per_minute))

    def penalize(self, retry_after: float | None) -> None:
        """The server said 429: nobody sends anything for ``retry_after`` seconds."""
        wait = retry_after if retry_after is not None else WINDOW / self._per_minute
        with self._lock:
            self.penalties += 1
            self._paused_until = max(self._paused_until, self.clock.now() + wait)

    def _wait_time(self, priority: int, now: float) -> float:
        while self._grants and now - self._grants[0] >= WINDOW + MARGIN:
            self._grants.popleft()
        wait = max(0.0, self._paused_until - now)
        if len(self._grants) >= self._per_minute:
            wait = max(wait, self._grants[0] + WINDOW + MARGIN - now)
        if wait == 0.0 and any(self._waiting[p] for p in range(priority)):
            # Somebody more urgent is queued; let them have this slot.
            wait = 0.05
        return wait

    def next_slot_in(self, priority: int = POLL) -> float:
        with self._lock:
            return self._wait_time(priority, self.clock.now())

    def try_acquire(self, priority: int = POLL) -> float:
        """Take a slot now and return 0, or return how long until one frees."""
        with self._lock:
            now = self.clock.now()
            wait = self._wait_time(priority, now)
            if wait == 0.0:
                self._grants.append(now)
                self.granted += 1
            return wait

    def acquire(self, priority: int = POLL, cancel: threading.Event | None = None,
                deadline: float | None = None) -> None:
        """Block (on the injected clock) until a slot is ours."""
        with self._lock:
            self._waiting[priority] += 1
        try:
            while True:
                with self._lock:
                    now = self.clock.now()
                    self._waiting[priority] -= 1
                    wait = self._wait_time(priority, now)
                    self._waiting[priority] += 1
                    if wait == 0.0:
                        self._grants.append(now)
                        self.granted += 1
                        return
                if deadline is not None and now + wait > deadline:
                    raise TimeoutError_("No request slot before the deadline.")
                if self.clock.sleep(min(wait, 1.0), cancel):
                    raise CancelledError("Cancelled while waiting for a request slot.")
        finally:
            with self._lock:
                self._waiting[priority] -= 1


_REGISTRY: dict[str, RateBudget] = {}
_REGISTRY_LOCK = threading.Lock()


def budget_for(api_key: str, per_minute: int, clock: Clock = SYSTEM_CLOCK) -> RateBudget:
    """The process-wide budget for ``api_key`` (keyed by a hash, never the key)."""
    ident = hashlib.sha256(api_key.encode()).hexdigest()[:16] + f"@{id(clock)}"
    with _REGISTRY_LOCK:
        budget = _REGISTRY.get(ident)
        if budget is None:
            budget = _REGISTRY[ident] = RateBudget(per_minute, clock)
        else:
            budget.set_rate(max(budget.per_minute, per_minute))
        return budget
