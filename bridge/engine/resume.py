"""Picking up jobs from the journal: after a restart, or from a process that died.

A job is taken only with its lease (one conditional UPDATE), so two engines
on one journal never work on the same job; a job found half-submitted is
never sent again. These functions are given the journal and the few facts
they need and answer with ids and steps; the engine decides what to do.
"""

from __future__ import annotations

from typing import Callable, Iterable

from . import leases
from .journal import Journal
from .model import DOWNLOADING, QUEUED, RUNNING, SUBMITTING, UNKNOWN, UNKNOWN_NOTE, WAITING, Event
from .step_context import DOWNLOAD, INPUTS, POLL, SUBMIT, Next

KNOWN_TASK_NOTE = ("Its task id arrived after all (the submit's answer came late): the task is "
                   "followed like any other.")

FIRST_STEP = {WAITING: INPUTS, QUEUED: SUBMIT, RUNNING: POLL, DOWNLOADING: DOWNLOAD}


def renew(journal: Journal, owner: str, held: Iterable[str], until: float) -> set[str]:
    """Extend our leases until ``until``; the ids another engine took meanwhile (we stalled)."""
    held = list(held)
    if not held:
        return set()
    return set(held) - journal.renew(owner, held, until)


def claim_orphans(journal: Journal, owner: str, is_held: Callable[[str], bool],
                  until: float, now: float) -> list[str]:
    """Take the lease of every unfinished job nobody is working on; the ids now ours."""
    candidates = [(job_id, None) for job_id, _ in journal.claimable(now)]
    candidates += [(job_id, holder) for job_id, holder, _ in journal.held_by_others(now, owner)
                   if leases.holder_is_dead(holder)]
    return [job_id for job_id, dead_holder in candidates
            if not is_held(job_id) and journal.claim(job_id, owner, until, now, dead_holder)]


def resumed(journal: Journal, row: dict, wall_now: float) -> tuple[Next | None, Event | None]:
    """What a freshly claimed job (its journal row) does next, and the event that says so.

    ``(None, event)`` when it ended here: found SUBMITTING, its POST's answer
    is lost with the process that sent it, so it becomes UNKNOWN.
    """
    job_id, state = row["job_id"], row["state"]
    if state == SUBMITTING:
        # Somebody crashed between the POST and its answer: a task may exist and be paid for.
        message = "The engine stopped while this job was being submitted. " + UNKNOWN_NOTE
        if journal.update(job_id, wall_now, only_states=[SUBMITTING], state=UNKNOWN, error=message):
            return None, Event("unknown", job_id, None, UNKNOWN, message=message)
        return None, None
    if state not in FIRST_STEP:
        return None, None
    event = Event("progress", job_id, row["task_id"], state, int(row["progress"] or 0),
                  message="Resumed from the journal.")
    return Next(FIRST_STEP[state], 0.0, likely_done=True), event
