"""Blocking on jobs for callers without an event loop: the CLI and background Blender.

The caller's thread drains the engine's events (handing each to
``on_event``) and sleeps on the engine's clock between looks at the journal,
which also shows jobs another process is finishing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from .model import Event, JobRecord

if TYPE_CHECKING:
    from .engine import JobEngine

WAIT_TICK = 0.25         # clock seconds between looks at the journal
ENDING_KINDS = ("finished", "failed", "cancelled", "expired", "unknown")


def until_ended(eng: "JobEngine", job_ids, timeout, on_event, stop) -> list[JobRecord]:
    targets = list(job_ids) if job_ids is not None else eng.journal.unfinished_ids()
    ended: set[str] = set()

    def over(records: list[JobRecord]) -> bool:
        # The journal is written before the event is queued: a job we work on is
        # over for the caller once its last event has been handed over too.
        return all(r.terminal and (r.job_id in ended or r.job_id not in eng._held)
                   for r in records)
    return _loop(eng, targets, over, ended, timeout, on_event, stop)


def until_submitted(eng: "JobEngine", job_id: str, timeout, on_event) -> JobRecord:
    ended: set[str] = set()

    def sent(records: list[JobRecord]) -> bool:
        return bool(records[0].task_id) or (records[0].terminal and job_id in ended)
    [record] = _loop(eng, [job_id], sent, ended, timeout, on_event, None)
    return record


def _loop(eng: "JobEngine", targets: list[str], done: Callable[[list[JobRecord]], bool],
          ended: set[str], timeout, on_event: Callable[[Event], None] | None,
          stop) -> list[JobRecord]:
    deadline = None if timeout is None else eng.clock.now() + timeout

    def hand_over() -> None:
        for event in eng.drain():
            if event.kind in ENDING_KINDS:
                ended.add(event.job_id)
            if on_event is not None:
                on_event(event)
    while True:
        hand_over()
        records = eng.journal.records(job_ids=targets)
        if done(records) or eng._stop.is_set() or (stop is not None and stop.is_set()) or (
                deadline is not None and eng.clock.now() >= deadline):
            hand_over()
            return records
        eng.clock.sleep(WAIT_TICK, stop)
