"""The jobs one engine holds, and what each does next: the engine's only shared memory.

Every thread (dispatcher, API callers, downloaders, resume scans) and the
main thread (submit, cancel) meet here, so the lock lives here and nowhere
else. A job is *held* while this engine owns its lease; a held job is either
*planned* (its next step is due at a clock time), *busy* (a step runs now)
or *parked* (waiting for the journal to take a write that must not be lost).
"""

from __future__ import annotations

import threading

from ..api.base import ApiRequest
from .step_context import DOWNLOAD, LOCAL_ACTIONS, Next


class JobTable:
    def __init__(self):
        self._lock = threading.Lock()
        self._held: dict[str, str] = {}            # job_id -> provider
        self._plan: dict[str, Next] = {}           # job_id -> next step, .delay = due clock time
        self._requests: dict[str, ApiRequest] = {}  # submitted here: no need to rebuild
        self._cancel: dict[str, threading.Event] = {}

    # -- holding ------------------------------------------------------------------
    def hold(self, job_id: str, provider: str, request: ApiRequest | None = None) -> bool:
        """Start holding a job; False if it was held already."""
        with self._lock:
            if job_id in self._held:
                return False
            self._held[job_id] = provider
            if request is not None:
                self._requests[job_id] = request
            return True

    def drop(self, job_id: str) -> None:
        """Forget everything about a job (it ended, or is somebody else's now)."""
        with self._lock:
            self._held.pop(job_id, None)
            self._plan.pop(job_id, None)
            self._requests.pop(job_id, None)

    def is_held(self, job_id: str) -> bool:
        return job_id in self._held

    def held(self) -> list[str]:
        with self._lock:
            return list(self._held)

    def count(self) -> int:
        return len(self._held)

    def provider(self, job_id: str) -> str | None:
        return self._held.get(job_id)

    def request(self, job_id: str) -> ApiRequest | None:
        return self._requests.get(job_id)

    # -- planning -------------------------------------------------------------------
    def plan(self, job_id: str, step: Next, now: float) -> bool:
        """Plan ``step`` for ``step.delay`` seconds after ``now``; False if not held."""
        with self._lock:
            if job_id not in self._held:
                return False
            self._plan[job_id] = Next(step.action, now + step.delay, step.likely_done)
            return True

    def unplan(self, job_id: str) -> None:
        with self._lock:
            self._plan.pop(job_id, None)

    def take_due_downloads(self, now: float) -> list[str]:
        return self.take_due(DOWNLOAD, now)

    def take_due(self, action: str, now: float) -> list[str]:
        """Jobs whose planned ``action`` is due, taken off the plan to run now."""
        with self._lock:
            due = [j for j, s in self._plan.items() if s.action == action and s.delay <= now]
            for job_id in due:
                del self._plan[job_id]
            return due

    def hurry(self, action: str, now: float) -> None:
        """Make every planned ``action`` due now (something it waits for just happened)."""
        with self._lock:
            for job_id, step in list(self._plan.items()):
                if step.action == action and step.delay > now:
                    self._plan[job_id] = Next(action, now, step.likely_done)

    def due_calls(self, now: float) -> list[tuple[str, Next]]:
        """Planned API steps that are due (a snapshot; take one with :meth:`take`)."""
        with self._lock:
            return [(j, s) for j, s in self._plan.items()
                    if s.action not in LOCAL_ACTIONS and s.delay <= now]

    def next_due_in(self, now: float, default: float) -> float:
        with self._lock:
            return min((s.delay - now for s in self._plan.values()), default=default)

    def take(self, job_id: str, step: Next) -> bool:
        """Remove ``step`` from the plan to run it; False if it changed meanwhile."""
        with self._lock:
            if self._plan.get(job_id) is not step:
                return False
            del self._plan[job_id]
            return True

    # -- cancelling running downloads ------------------------------------------------
    def cancel_event(self, job_id: str) -> threading.Event:
        with self._lock:
            event = self._cancel[job_id] = threading.Event()
            return event

    def release_cancel(self, job_id: str) -> None:
        with self._lock:
            self._cancel.pop(job_id, None)

    def signal_cancel(self, job_id: str | None = None) -> None:
        """Stop the running download of ``job_id`` (every job's when None)."""
        with self._lock:
            events = list(self._cancel.values()) if job_id is None else \
                [e for j, e in self._cancel.items() if j == job_id]
        for event in events:
            event.set()
