"""What the engine tells the world: job states, events and journal records.

Kept free of threads and SQLite so the add-on's pump and the CLI can import
it cheaply and tests can build records by hand.
"""

from __future__ import annotations

import dataclasses
from typing import Any

QUEUED = "QUEUED"            # journaled, no POST yet: safe to send
SUBMITTING = "SUBMITTING"    # POST under way: if we crash here the job becomes UNKNOWN
RUNNING = "RUNNING"          # the service gave us a task id
DOWNLOADING = "DOWNLOADING"  # finished on the service, fetching results
DONE = "DONE"
FAILED = "FAILED"
CANCELLED = "CANCELLED"
EXPIRED = "EXPIRED"
UNKNOWN = "UNKNOWN"          # the POST may or may not have created a task: never resent

ACTIVE_STATES = (QUEUED, SUBMITTING, RUNNING, DOWNLOADING)
TERMINAL_STATES = (DONE, FAILED, CANCELLED, EXPIRED, UNKNOWN)

EVENT_KINDS = ("submitted", "progress", "downloaded", "finished", "failed",
               "cancelled", "expired", "unknown", "notice")
#: An event about the engine, not one job (``job_id`` is ""): a locked journal, a
#: long pause the service asked for, a worker thread that had to be restarted.
NOTICE = "notice"

CANCEL_NOTE = ("Cancelled locally: the service has no cancel endpoint, so the job may still "
               "run there, and credits already spent are not refunded by cancelling.")
UNKNOWN_NOTE = ("The submit may have reached the service but its answer was lost. It was not "
                "sent again so you are not charged twice: check the job list on the "
                "service's website (3daistudio.com / image3d.io).")
REFUND_NOTE = "Credits for failed jobs are refunded automatically."


@dataclasses.dataclass
class Event:
    """One thing that happened to a job, for the main thread."""

    kind: str
    job_id: str
    task_id: str | None = None
    state: str | None = None
    progress: int = 0
    eta_s: float | None = None
    files: list[str] = dataclasses.field(default_factory=list)
    message: str = ""


@dataclasses.dataclass
class JobRecord:
    """One journal row, decoded."""

    job_id: str
    task_id: str | None
    provider: str
    kind: str
    label: str
    state: str
    progress: int
    credits_low: int | None
    credits_high: int | None
    files: list[str]
    error: str
    created_at: float
    updated_at: float
    output_dir: str
    request: dict[str, Any]
    meta: dict[str, Any]

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES
