"""Jobs an engine stops working on without ending them, and why.

Two reasons, both written on the job before it is let go (its lease released,
so another process may take it up; this engine does not claim it again):

- it waits for a key (none set here, or the service refused the one we have
  while following a paid task): taken up again when the key changes
  (:meth:`LetGo.key_changed`);
- a step crashed on something this version cannot handle (a request type
  written by a newer version, a bug): retrying here would crash again, so the
  message says what happened and the job stays in the journal, unfinished, for
  ``resume`` or a newer version. Never a silent retry loop.
"""

from __future__ import annotations

import logging
import threading

from ..errors import ConfigError
from .journal import DamagedRowError, Journal, JournalError
from .model import ACTIVE_STATES, KEY_MISSING_NOTE, Event
from .step_context import KEY_WAIT, LET_GO, Next

log = logging.getLogger("bridge.engine")


class LetGo:
    """The jobs one engine let go; ``table`` is its :class:`~.table.JobTable`."""

    def __init__(self, journal: Journal, owner: str, table):
        self.journal, self.owner, self.table = journal, owner, table
        self._lock = threading.Lock()
        self._key_waits: dict[str, str] = {}     # job id -> provider
        self._stuck: dict[str, str] = {}         # job id -> the step that crashed

    def __contains__(self, job_id: str) -> bool:
        with self._lock:
            return job_id in self._key_waits or job_id in self._stuck

    def waits_for_key(self, job_id: str) -> bool:
        with self._lock:
            return job_id in self._key_waits

    def key_wait(self, job_id: str, provider: str) -> None:
        with self._lock:
            self._key_waits[job_id] = provider

    def stuck(self, job_id: str, step: str) -> None:
        with self._lock:
            self._stuck[job_id] = step

    def key_changed(self) -> None:
        """A new key, token or URL: the jobs waiting for one may go on."""
        with self._lock:
            self._key_waits.clear()

    def release(self, job_id: str, action: str) -> None:
        """A step ended with KEY_WAIT or LET_GO: stop holding the job, free its lease."""
        if action == KEY_WAIT:
            self.key_wait(job_id, self.table.provider(job_id) or "3daistudio")
        else:
            self.stuck(job_id, "step")
        self.table.drop(job_id)
        self.journal.release(self.owner, [job_id])

    def no_key(self, job_id: str, exc: ConfigError, now: float, emit) -> Next:
        """No usable key for the job's provider in this process: say so on the job; the
        KEY_WAIT returned leaves it to a process that has one, and to this one when the
        key changes."""
        message = f"{KEY_MISSING_NOTE}: {exc}"
        if self.journal.update(job_id, now, only_states=ACTIVE_STATES, error=message):
            row = self.journal.row(job_id)
            emit(Event("progress", job_id, row and row["task_id"], row and row["state"],
                       int(row["progress"] or 0) if row else 0, message=message))
        return Next(KEY_WAIT)

    def damaged(self, job_id: str, exc: DamagedRowError, notices) -> None:
        """A claimed job whose row cannot be read: named once, let go, never rewritten."""
        self.stuck(job_id, "resume")
        self.journal.release(self.owner, [job_id])
        notices.say(f"damaged-{job_id}", str(exc))

    def crashed(self, job_id: str, step: str, exc: BaseException, now: float, clean,
                emit) -> Next:
        """A step raised what no step expects: say so on the job and let it go."""
        self.stuck(job_id, step)
        record_crash(self.journal, job_id, step, exc, now, clean, emit)
        return Next(LET_GO)


def crash_message(step: str, exc: BaseException) -> str:
    what = {"submit": "sending", "poll": "following", "download": "downloading",
            "inputs": "preparing"}.get(step, step)
    said = " ".join(str(exc).split())[:200] or "no message"
    sent = " Nothing was sent for it." if step in ("submit", "inputs") else ""
    return (f"Internal error while {what} this job ({type(exc).__name__}: {said}).{sent} "
            "This program stopped working on it; it stays in the journal unfinished, so "
            "`python -m bridge resume` (or a newer version of the add-on or the CLI) can "
            "take it up.")


def record_crash(journal: Journal, job_id: str, step: str, exc: BaseException, now: float,
                 clean, emit) -> None:
    """Write why the job was let go on it (best effort) and tell it.

    A damaged row is only named: nothing is written to it.
    """
    if isinstance(exc, DamagedRowError):
        emit(Event("progress", job_id, message=clean(str(exc))))
        return
    log.error("job %s: %s step crashed", job_id, step, exc_info=exc)
    message = clean(crash_message(step, exc))
    try:
        row = journal.row(job_id)
        if row is None or not journal.update(job_id, now, only_states=ACTIVE_STATES,
                                             error=message):
            return
    except (JournalError, DamagedRowError):
        return
    emit(Event("progress", job_id, row.get("task_id"), row.get("state"),
               int(row.get("progress") or 0), message=message))
