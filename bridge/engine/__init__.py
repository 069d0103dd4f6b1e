"""The job engine: background submits, polls and downloads, with a SQLite journal.

See docs/ARCHITECTURE.md ("Job engine") for the interface the add-on and
the CLI code against.
"""

from .engine import JobEngine
from .model import (ACTIVE_STATES, CANCELLED, DONE, DOWNLOADING, EVENT_KINDS, EXPIRED, FAILED,
                    QUEUED, RUNNING, SUBMITTING, TERMINAL_STATES, UNKNOWN, Event, JobRecord)

__all__ = ["JobEngine", "Event", "JobRecord", "ACTIVE_STATES", "TERMINAL_STATES", "EVENT_KINDS",
           "QUEUED", "SUBMITTING", "RUNNING", "DOWNLOADING", "DONE", "FAILED", "CANCELLED",
           "EXPIRED", "UNKNOWN"]
