"""Download threads: fetch, check and unpack results (they take no request slot).

Each job being downloaded gets its own client and cancel event, so
cancelling one job stops its transfer without touching the others.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from ..errors import ConfigError
from . import steps
from .schedule import retry_delay

if TYPE_CHECKING:
    from .engine import JobEngine

log = logging.getLogger("bridge.engine")


def worker(eng: "JobEngine") -> None:
    try:
        while not eng._stop.is_set():
            job_id = eng._downloads.get()
            if job_id is None or eng._stop.is_set():
                return
            with eng._lock:
                if job_id not in eng._held:
                    continue
                stop = eng._job_cancel[job_id] = threading.Event()
            try:
                client = eng.client_factory(eng._provider_of(job_id), eng.settings,
                                            eng.clock, stop)
                following = steps.download(eng, job_id, client, stop)
            except ConfigError as exc:
                following = steps.Next(steps.DOWNLOAD, 60.0)
                log.info("job %s: cannot download yet: %s", job_id, exc)
            except Exception:  # keep the thread alive; the download is retried
                log.exception("job %s: download step crashed", job_id)
                following = steps.Next(steps.DOWNLOAD, retry_delay(3, eng.rng))
            finally:
                with eng._lock:
                    eng._job_cancel.pop(job_id, None)
            if following is not None and following.action == steps.DOWNLOAD:
                eng._schedule(job_id, following)  # retried later via the dispatcher
            else:
                eng._after(job_id, following)
    finally:
        eng.journal.close_thread()
