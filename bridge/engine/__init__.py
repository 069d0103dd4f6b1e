"""The job engine: background submits, polls and downloads, with a SQLite journal.

See docs/ARCHITECTURE.md ("Job engine") for the interface the add-on and
the CLI code against, and for how the parts below fit together (no part
imports the engine; each is handed what it needs).
"""

import logging

from .engine import JobEngine
from .journal import JournalError, JournalLockedError
from .model import (
           ACTIVE_STATES,
           CANCELLED,
           DONE,
           DOWNLOADING,
           EVENT_KINDS,
           EXPIRED,
           FAILED,
           NOTICE,
           QUEUED,
           RUNNING,
           SUBMITTING,
           TERMINAL_STATES,
           UNKNOWN,
           Event,
           JobRecord,
)

__all__ = ["JobEngine", "Event", "JobRecord", "JournalError", "JournalLockedError",
           "ACTIVE_STATES", "TERMINAL_STATES", "EVENT_KINDS", "NOTICE",
           "QUEUED", "SUBMITTING", "RUNNING", "DOWNLOADING", "DONE", "FAILED", "CANCELLED",
           "EXPIRED", "UNKNOWN"]

# A library does not print: the user hears of trouble through events (notices
# included), and a host that wants the engine's log configures logging itself.
logging.getLogger("bridge.engine").addHandler(logging.NullHandler())
logging.getLogger("bridge.ratebudget").addHandler(logging.NullHandler())
