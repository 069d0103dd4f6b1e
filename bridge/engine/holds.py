"""Jobs a command queued but did not send: only the user's word sends them later.

A CLI command journals its job before sending it. When the command ends
before the POST left — Ctrl-C, ``--timeout``, the service out of reach, a
kill — the job must not be sent later by whichever process opens the journal
next (another command, a batch, Blender on a shared journal): the user gave
up on it. Such jobs carry ``meta[POLICY] = ASK``:

- the command that queued it cancels it itself when it gives up
  (:func:`abandon`), marked :data:`NOT_SENT`;
- a process that finds it orphaned (its owner killed) cancels it the same
  way instead of sending it (:func:`held_for_user`), unless it is a later step
  of a chain already under way: a chain is resumable by design (README), so
  the step that was paid for is not wasted;
- ``python -m bridge resume JOB`` puts it back in the queue (:func:`revive`);
  a batch run again sends its items again.

Jobs the add-on queues carry no policy: Blender resumes them on its next
start by design (README, "Resume Jobs on Start").
"""

from __future__ import annotations

from typing import Iterable

from .journal import Journal
from .model import CANCELLED, QUEUED, UNSENT_CANCEL_NOTE, UNSENT_STATES, WAITING, JobRecord

POLICY = "unsent"        # meta key: what happens to the job if its command ends before sending
ASK = "ask"              # only the user's word sends it then
NOT_SENT = "not_sent"    # meta flag: cancelled before the POST left (nothing was charged)

INTERRUPTED_NOTE = ("Not sent: the command was stopped before the request left; nothing was "
                    "charged. `python -m bridge resume {job}` sends it.")
ORPHAN_NOTE = ("Not sent: the command that queued it ended before sending it; nothing was "
               "charged. `python -m bridge resume {job}` sends it.")
BATCH_NOTE = ("Not sent: the batch was stopped before this item's request left; nothing was "
              "charged. Run the same batch command again to send it.")


def ask_meta(meta: dict | None = None) -> dict:
    """``meta`` for a job that only its own command (or the user's word) may send."""
    return {**(meta or {}), POLICY: ASK}


def held_for_user(journal: Journal, row: dict) -> bool:
    """An orphaned row that must not be sent by whoever found it (see the module text)."""
    if row.get("state") not in UNSENT_STATES or (row.get("meta") or {}).get(POLICY) != ASK:
        return False
    if row.get("chain"):
        return not any(r.task_id for r in journal.records_in_chain(row["chain"]))
    return True


def cancel_unsent(journal: Journal, job_id: str, note: str, now: float) -> bool:
    """Cancel ``job_id`` if (and only if) it was not sent yet; True when it was."""
    row = journal.row(job_id)
    if row is None or row["state"] not in UNSENT_STATES:
        return False
    meta = {**(row["meta"] or {}), NOT_SENT: True}
    return journal.update(job_id, now, only_states=UNSENT_STATES, state=CANCELLED,
                          error=note.replace("{job}", job_id), meta=meta)


def abandon(journal: Journal, job_ids: Iterable[str], now: float,
            note: str = INTERRUPTED_NOTE) -> list[str]:
    """The command gives up: cancel its jobs not sent yet; their ids.

    A later step of a chain whose earlier step was sent stays as it is, for
    ``resume`` to finish (nothing is lost that was paid for).
    """
    dropped = []
    for job_id in job_ids:
        row = journal.row(job_id)
        if row is None or (row.get("chain") and any(
                r.task_id for r in journal.records_in_chain(row["chain"]))):
            continue
        if cancel_unsent(journal, job_id, note, now):
            dropped.append(job_id)
    return dropped


def revivable(record: JobRecord) -> bool:
    """Cancelled before it was sent: sending it now cannot charge twice."""
    return record.state == CANCELLED and not record.task_id and (
        bool(record.meta.get(NOT_SENT)) or record.error == UNSENT_CANCEL_NOTE)


def revive(journal: Journal, job_id: str, now: float) -> list[str]:
    """The user's word (``resume JOB``, the same batch again): send the job after all; the ids.

    A job (or chain) cancelled before it was sent is queued again; one still
    queued by a command that died loses its policy. Any engine may send it now.
    """
    record = journal.record(job_id)
    if record is None:
        return []
    steps = journal.records_in_chain(record.chain) if record.chain else [record]
    revived = []
    for step in steps:
        meta = {k: v for k, v in step.meta.items() if k not in (POLICY, NOT_SENT)}
        if revivable(step):
            done = journal.update(step.job_id, now, only_states=[CANCELLED], state=WAITING
                                  if step.inputs else QUEUED, error="", attempts=0, meta=meta,
                                  lease_owner=None, lease_until=0)
        elif step.state in UNSENT_STATES and POLICY in step.meta:
            done = journal.update(step.job_id, now, only_states=UNSENT_STATES, meta=meta)
        else:
            done = False
        if done:
            revived.append(step.job_id)
    return revived


def not_sent_line(record: JobRecord) -> str:
    """How ``jobs`` and ``resume`` name a job that was never sent."""
    return f"not sent — `python -m bridge resume {record.job_id}` to send"
