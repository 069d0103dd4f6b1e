"""Blocking on jobs for callers without an event loop: the CLI and background Blender.

The caller's thread drains the engine's events (handing each to
``on_event``) and sleeps on the engine's clock between looks at the journal,
which also shows jobs another process is finishing. A journal locked by
another program only delays the next look.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Callable

from ..clock import Clock
from .journal import Journal, JournalLockedError
from .model import Event, JobRecord

WAIT_TICK = 0.25         # clock seconds between looks at the journal
SETTLE_WAIT = 0.05       # real seconds to wait for a call or download under way
ENDING_KINDS = ("finished", "failed", "cancelled", "expired", "unknown")


@dataclasses.dataclass
class WaitView:
    """What waiting needs to see of an engine."""

    journal: Journal
    clock: Clock
    drain: Callable[[], list[Event]]
    is_held: Callable[[str], bool]
    stopped: Callable[[], bool]
    busy: Callable[[], bool] = lambda: False
    settled: threading.Event | None = None     # set when a call or download ends
    #: True for a job the engine let go (until the key changes, or after a step crashed
    #: on it): nothing more happens to it in this wait.
    let_go: Callable[[str], bool] = lambda job_id: False


def until_ended(view: WaitView, job_ids, timeout, on_event, stop) -> list[JobRecord]:
    targets = list(job_ids) if job_ids is not None else view.journal.unfinished_ids()
    ended: set[str] = set()

    def over(records: list[JobRecord]) -> bool:
        # The journal is written before the event is queued: a job we work on is
        # over for the caller once its last event has been handed over too.
        # A job the engine let go (waiting for a valid key, or a step it cannot do) goes no
        # further in this wait: it is over too (kept unfinished in the journal for ``resume``).
        return all((r.terminal and (r.job_id in ended or not view.is_held(r.job_id)))
                   or (not r.terminal and view.let_go(r.job_id)) for r in records)
    return _loop(view, targets, over, ended, timeout, on_event, stop)


def until_submitted(view: WaitView, job_id: str, timeout, on_event) -> JobRecord:
    ended: set[str] = set()

    def sent(records: list[JobRecord]) -> bool:
        return bool(records[0].task_id) or (records[0].terminal and job_id in ended)
    [record] = _loop(view, [job_id], sent, ended, timeout, on_event, None)
    return record


def _loop(view: WaitView, targets: list[str], done: Callable[[list[JobRecord]], bool],
          ended: set[str], timeout, on_event: Callable[[Event], None] | None,
          stop) -> list[JobRecord]:
    deadline = None if timeout is None else view.clock.now() + timeout
    records: list[JobRecord] | None = None

    def hand_over() -> None:
        for event in view.drain():
            if event.kind in ENDING_KINDS:
                ended.add(event.job_id)
            if on_event is not None:
                on_event(event)
    while True:
        hand_over()
        try:
            records = view.journal.records(job_ids=targets)
        except JournalLockedError:
            if records is None and deadline is not None and view.clock.now() >= deadline:
                raise
        if records is not None and (
                done(records) or view.stopped() or (stop is not None and stop.is_set()) or (
                deadline is not None and view.clock.now() >= deadline)):
            hand_over()
            return records
        if view.busy() and view.settled is not None:
            # Work under way ends in real time: look again when it does (or soon),
            # so an injected fast clock does not run out the timeout meanwhile.
            view.settled.wait(SETTLE_WAIT)
            view.settled.clear()
            if stop is not None and stop.is_set():
                continue
        view.clock.sleep(WAIT_TICK, stop)
