"""Picking up jobs from the journal: after a restart, or from a process that died.

Run by the engine's dispatcher thread. A job is taken only with its lease
(one conditional UPDATE), so two engines on one journal never work on the
same job; a job found half-submitted is never sent again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import leases, steps
from .model import DOWNLOADING, QUEUED, RUNNING, SUBMITTING, UNKNOWN, UNKNOWN_NOTE, Event

if TYPE_CHECKING:
    from .engine import JobEngine


def renew(eng: "JobEngine") -> None:
    """Extend the leases of our jobs; forget any another engine took (we stalled too long)."""
    with eng._lock:
        held = list(eng._held)
    if not held:
        return
    kept = eng.journal.renew(eng.owner, held, leases.now() + leases.lease_length(eng.clock))
    lost = set(held) - kept
    if lost:
        with eng._lock:
            for job_id in lost:
                eng._held.discard(job_id)
                eng._plan.pop(job_id, None)


def scan(eng: "JobEngine") -> None:
    """Claim every unfinished job nobody is working on."""
    now = leases.now()
    until = now + leases.lease_length(eng.clock)
    candidates = [(job_id, None) for job_id, _ in eng.journal.claimable(now)]
    candidates += [(job_id, owner) for job_id, owner, _ in eng.journal.held_by_others(now, eng.owner)
                   if leases.holder_is_dead(owner)]
    for job_id, dead_owner in candidates:
        with eng._lock:
            if job_id in eng._held:
                continue
        if eng.journal.claim(job_id, eng.owner, until, now, dead_owner):
            _resume(eng, job_id)


def _resume(eng: "JobEngine", job_id: str) -> None:
    row = eng.journal.row(job_id)
    if row is None:
        return
    with eng._lock:
        eng._held.add(job_id)
    state = row["state"]
    if state == SUBMITTING:
        # Somebody crashed between the POST and its answer: a task may exist and be paid for.
        message = "The engine stopped while this job was being submitted. " + UNKNOWN_NOTE
        if eng.journal.update(job_id, eng.clock.wall(), only_states=[SUBMITTING], state=UNKNOWN,
                              error=message):
            eng.emit(Event("unknown", job_id, None, UNKNOWN, message=message))
        eng._forget(job_id)
        return
    eng.emit(Event("progress", job_id, row["task_id"], state, int(row["progress"] or 0),
                   message="Resumed from the journal."))
    action = {QUEUED: steps.SUBMIT, RUNNING: steps.POLL, DOWNLOADING: steps.DOWNLOAD}[state]
    eng._after(job_id, steps.Next(action, 0.0, likely_done=True))
