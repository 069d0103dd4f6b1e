"""Calls made by task id or for the account, outside any job: still one budget per key.

``balance``, ``status`` (``--poll`` too) and ``download`` ask the service
directly, not through the job engine. Their requests count in the key's rate
budget that Blender, batch runs and other CLI processes share through the
job journal, so running them beside those never earns a 429. No journal is
created for them: without one, the process counts its own requests only.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from typing import Callable, Iterator

from ..client import ProviderClient, client_for
from ..clock import Clock
from ..config import Settings
from ..engine.journal import FILENAME, Journal
from ..engine.ledger import JournalRateStore
from ..errors import JournalError

log = logging.getLogger("bridge.cli")


@contextlib.contextmanager
def direct_client(provider: str, settings: Settings, clock: Clock,
                  notify: Callable[[str], None]) -> Iterator[ProviderClient]:
    """A client for *provider* whose API calls take their slots in the shared budget."""
    client = client_for(provider, settings, clock=clock, notify=notify)
    budget = getattr(getattr(client, "transport", None), "budget", None)
    journal, store = None, None
    if budget is not None and budget.key_hash and (settings.home / FILENAME).is_file():
        try:
            journal = Journal(settings.home)
            store = JournalRateStore(journal, budget.key_hash, clock)
            budget.share(store)
        except (JournalError, sqlite3.Error) as exc:   # its own count then: the call still works
            log.info("rate budget not shared: %s", exc)
            journal, store = None, None
    try:
        yield client
    finally:
        if store is not None:
            budget.unshare(store)
        if journal is not None:
            journal.close_thread()
