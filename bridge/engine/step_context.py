"""What a job step is given, and the outcomes every step shares.

A step (:mod:`.submitting`, :mod:`.polling`, :mod:`.fetching`) reads its
job's journal row, talks to the service once (or downloads), writes what it
learnt to the journal *before* telling anybody, and returns what should
happen next as a :class:`Next` — or None when the job has ended or is no
longer ours. It is handed a :class:`StepContext` (the journal, the clock,
where events go and a few numbers), never the engine, so each step can be
read and tested alone. The rules the steps keep:

- a job with a task id is never submitted again;
- a submit whose answer was lost makes the job UNKNOWN, never resent;
- state changes are guarded by the state we expect, so a cancel written by
  the main thread or another process always wins;
- what a paid submit taught us (its task id) is never dropped: if the
  journal is locked it waits in memory (:meth:`StepContext.settle`);
- an error marked ``permanent`` is never retried.
"""

from __future__ import annotations

import dataclasses
import random
from typing import Any, Callable

from ..api.base import ApiRequest
from ..clock import Clock
from ..errors import BridgeError
from .journal import Journal, JournalError
from .model import DOWNLOADING, EXPIRED, FAILED, RUNNING, Event
from .schedule import retry_delay

SUBMIT, POLL, DOWNLOAD = "submit", "poll", "download"
#: A waiting job looks at the jobs whose result addresses it needs (local: no API call).
INPUTS = "inputs"
#: Steps that never call the service: they take no request slot.
LOCAL_ACTIONS = (DOWNLOAD, INPUTS)
#: The job waits for the journal to take a write that must not be lost.
PARKED = "parked"
#: The job waits for a valid key: this engine lets it go (lease released) until the
#: key changes; another process with a valid key may take it up at once.
KEY_WAIT = "key-wait"
#: The job is let go for good by this engine (a step it cannot do; the job says why).
LET_GO = "let-go"


@dataclasses.dataclass
class Next:
    action: str
    delay: float = 0.0
    likely_done: bool = False


@dataclasses.dataclass
class Write:
    """One guarded journal UPDATE; when ``required`` and the guard fails, nothing after it happens."""

    fields: dict[str, Any]
    only_states: tuple[str, ...] | None = None
    required: bool = False


@dataclasses.dataclass
class Settlement:
    """Writes that record what the service did, the events that tell it, and what comes next."""

    job_id: str
    writes: list[Write]
    events: list[Event] = dataclasses.field(default_factory=list)
    then: Next | None = None

    def apply(self, journal: Journal, now: float, emit: Callable[[Event], None]) -> Next | None:
        """Write (all at once), then tell; None if a required guard did not match (cancelled)."""
        if not journal.update_all(self.job_id, now, [(w.fields, w.only_states, w.required)
                                                     for w in self.writes]):
            return None
        for event in self.events:
            emit(event)
        return self.then


@dataclasses.dataclass
class StepContext:
    journal: Journal
    clock: Clock
    emit: Callable[[Event], None]
    owner: str
    rng: random.Random
    request_of: Callable[[str, dict], ApiRequest]
    slot_seconds: Callable[[], float]
    busy_jobs: Callable[[], int]
    poll_floor: Callable[[], float]
    progress_every: Callable[[], float]
    #: Keeps a settlement the journal refused (locked) until it can be written.
    defer: Callable[[Settlement], None]
    note_finished: Callable[[str], None] = lambda job_id: None
    #: Removes credentials from any text that came from the service or the network.
    clean: Callable[[str], str] = lambda text: text

    def settle(self, settlement: Settlement) -> Next | None:
        """Apply ``settlement`` now, or park the job until the journal takes it."""
        try:
            return settlement.apply(self.journal, self.clock.wall(), self.emit)
        except JournalError:
            self.defer(settlement)
            return Next(PARKED)


def is_permanent(exc: BaseException) -> bool:
    """The shared convention: an error whose ``permanent`` is truthy can never succeed."""
    return bool(getattr(exc, "permanent", False))


def retry(ctx: StepContext, job_id: str, row: dict, action: str, exc: BridgeError,
          state: str) -> Next:
    attempts = int(row.get("attempts") or 0) + 1
    text = ctx.clean(str(exc))
    ctx.journal.update(job_id, ctx.clock.wall(), only_states=[state], attempts=attempts,
                       error=text)
    delay = retry_delay(attempts, ctx.rng)
    ctx.emit(Event("progress", job_id, row.get("task_id"), state, int(row.get("progress") or 0),
                   message=f"{text} Trying again in {delay:.0f} s."))
    return Next(action, delay)


def fail(ctx: StepContext, job_id: str, row: dict, message: str) -> None:
    message = ctx.clean(message)
    if ctx.journal.update(job_id, ctx.clock.wall(), only_states=[RUNNING, DOWNLOADING],
                          state=FAILED, error=message):
        ctx.emit(Event("failed", job_id, row.get("task_id"), FAILED, int(row.get("progress") or 0),
                       files=list(row.get("files") or []), message=message))
    return None


def expire(ctx: StepContext, job_id: str, row: dict) -> None:
    kept = list(row.get("files") or [])
    message = ("The results have expired on the service (HTTP 410): they are kept for 24 hours "
               "after the job finishes.")
    if kept:
        message += f" {len(kept)} file(s) downloaded before that stay available."
    if ctx.journal.update(job_id, ctx.clock.wall(), only_states=[RUNNING, DOWNLOADING],
                          state=EXPIRED, error=message):
        ctx.emit(Event("expired", job_id, row.get("task_id"), EXPIRED, int(row.get("progress") or 0),
                       files=kept, message=message))
    return None
