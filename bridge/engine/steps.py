"""One step of one job: submit it, poll it, or fetch its results.

Each step reads the job's journal row, talks to the service once (or
downloads), writes what it learnt to the journal *before* telling anybody,
emits events, and returns what should happen next as a :class:`Next`
(or None when the job has ended or is no longer ours). The engine owns the
threads and the timing; these functions own the rules:

- a job with a task id is never submitted again;
- a submit whose answer was lost makes the job UNKNOWN, never resent;
- state changes are guarded by the state we expect, so a cancel written by
  the main thread or another process always wins.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from ..api.base import ApiRequest
from ..errors import (AuthError, BridgeError, CancelledError, ConfigError, DownloadError,
                      ExpiredError, NotFoundError, NotSentError, RateLimitedError, ServerError,
                      TransportError, UncertainDeliveryError)
from ..status import FAILED as SERVICE_FAILED, FINISHED as SERVICE_FINISHED
from . import files as resultfiles
from .model import (DONE, DOWNLOADING, EXPIRED, FAILED, QUEUED, REFUND_NOTE, RUNNING,
                    SUBMITTING, UNKNOWN, UNKNOWN_NOTE, Event)
from .schedule import EMPTY_RESULTS_DELAY, next_poll_delay, remaining_seconds, retry_delay

if TYPE_CHECKING:
    from .engine import JobEngine

log = logging.getLogger("bridge.engine")

SUBMIT, POLL, DOWNLOAD = "submit", "poll", "download"
MAX_DOWNLOAD_ATTEMPTS = 5
MAX_NOT_FOUND = 3
# Errors after which trying again later can succeed without the user doing anything.
PASSING = (NotSentError, ServerError, RateLimitedError, TransportError)


@dataclasses.dataclass
class Next:
    action: str
    delay: float = 0.0
    likely_done: bool = False


def _retry(eng: "JobEngine", job_id: str, row: dict, action: str, exc: BridgeError,
           state: str) -> Next:
    attempts = int(row.get("attempts") or 0) + 1
    eng.journal.update(job_id, eng.clock.wall(), only_states=[state], attempts=attempts,
                       error=str(exc))
    delay = retry_delay(attempts, eng.rng)
    eng.emit(Event("progress", job_id, row.get("task_id"), state, int(row.get("progress") or 0),
                   message=f"{exc} Trying again in {delay:.0f} s."))
    return Next(action, delay)


# -- submit -------------------------------------------------------------------

def submit(eng: "JobEngine", job_id: str, client) -> Next | None:
    row = eng.journal.row(job_id)
    if row is None or row["state"] != QUEUED or row["task_id"]:
        return None  # cancelled meanwhile, or already sent: never twice
    request = eng.request_of(job_id, row)
    # Written (and synced) before the POST: a crash from here on leaves SUBMITTING → UNKNOWN.
    if not eng.journal.update(job_id, eng.clock.wall(), only_states=[QUEUED], owner=eng.owner,
                              state=SUBMITTING):
        return None
    try:
        sub = client.submit(request)
    except UncertainDeliveryError as exc:
        message = f"{exc.message} {UNKNOWN_NOTE}"
        eng.journal.update(job_id, eng.clock.wall(), only_states=[SUBMITTING], state=UNKNOWN,
                           error=message)
        eng.emit(Event("unknown", job_id, None, UNKNOWN, message=message))
        return None
    except CancelledError:
        eng.journal.update(job_id, eng.clock.wall(), only_states=[SUBMITTING], state=QUEUED)
        return None
    except PASSING as exc:
        # The transport already retried; the server provably created no task.
        eng.journal.update(job_id, eng.clock.wall(), only_states=[SUBMITTING], state=QUEUED)
        return _retry(eng, job_id, row, SUBMIT, exc, QUEUED)
    except ConfigError as exc:  # e.g. online access switched off: nothing was sent
        eng.journal.update(job_id, eng.clock.wall(), only_states=[SUBMITTING], state=QUEUED)
        return _retry(eng, job_id, row, SUBMIT, exc, QUEUED)
    except BridgeError as exc:  # refused (400/401/402/...): nothing was created or charged
        message = f"{exc} Nothing was charged."
        eng.journal.update(job_id, eng.clock.wall(), only_states=[SUBMITTING], state=FAILED,
                           error=message)
        eng.emit(Event("failed", job_id, None, FAILED, message=message))
        return None
    now = eng.clock.wall()
    # The task id is stored whatever happened meanwhile (a cancel): it names a paid job.
    eng.journal.update(job_id, now, task_id=sub.task_id, submitted_at=now, attempts=0, error="")
    if not eng.journal.update(job_id, now, only_states=[SUBMITTING], state=RUNNING):
        return None
    expected = float(row["expected_s"])
    eng.emit(Event("submitted", job_id, sub.task_id, RUNNING, 0, eta_s=expected,
                   message=f"Submitted as task {sub.task_id}."))
    return _poll_next(eng, expected, 0.0, 0)


# -- poll ---------------------------------------------------------------------

def _poll_next(eng: "JobEngine", expected: float, elapsed: float, progress: int) -> Next:
    delay = next_poll_delay(expected, elapsed, progress, slot_s=eng.slot_seconds(),
                            busy_jobs=eng.busy_jobs(), floor_s=eng.min_poll_interval,
                            progress_every_s=eng.settings.poll_interval)
    remaining = remaining_seconds(expected, elapsed, progress)
    return Next(POLL, delay, likely_done=delay >= remaining - 0.5)


def poll(eng: "JobEngine", job_id: str, client) -> Next | None:
    row = eng.journal.row(job_id)
    if row is None or row["state"] != RUNNING or not row["task_id"]:
        return None
    task_id = row["task_id"]
    try:
        status = client.status(task_id)
    except ExpiredError as exc:
        return _expire(eng, job_id, row, exc)
    except NotFoundError as exc:
        if int(row.get("attempts") or 0) + 1 >= MAX_NOT_FOUND:
            return _fail(eng, job_id, row, f"{exc} The job cannot be followed any more.")
        return _retry(eng, job_id, row, POLL, exc, RUNNING)
    except CancelledError:
        return None
    except (AuthError, ConfigError, *PASSING) as exc:
        # A token can be refreshed and a network come back; the task keeps its id.
        return _retry(eng, job_id, row, POLL, exc, RUNNING)
    now = eng.clock.wall()
    elapsed = now - float(row["submitted_at"] or now)
    expected = float(row["expected_s"])
    if status.state == SERVICE_FAILED:
        reason = status.failure_reason or "no reason given"
        return _fail(eng, job_id, row, f"The service reports the job failed: {reason}. {REFUND_NOTE}")
    if status.state == SERVICE_FINISHED and status.results:
        assets = [{"url": a.url, "asset_type": a.asset_type} for a in status.results]
        if eng.journal.update(job_id, now, only_states=[RUNNING], state=DOWNLOADING, progress=100,
                              assets=assets, attempts=0, error=""):
            eng.note_finished(job_id)
            eng.emit(Event("progress", job_id, task_id, DOWNLOADING, 100, eta_s=0.0,
                           message="Finished on the service; downloading the results."))
            return Next(DOWNLOAD)
        return None
    if status.state == SERVICE_FINISHED:
        # Finished before its results were filled in: keep polling, soon.
        progress = max(int(row["progress"] or 0), 99)
        eng.journal.update(job_id, now, only_states=[RUNNING], progress=progress, attempts=0)
        return Next(POLL, max(EMPTY_RESULTS_DELAY, eng.min_poll_interval), likely_done=True)
    progress = max(int(row["progress"] or 0), min(99, status.progress))
    eng.journal.update(job_id, now, only_states=[RUNNING], progress=progress, attempts=0, error="")
    if progress != int(row["progress"] or 0) or row["error"]:
        eta = remaining_seconds(expected, elapsed, progress)
        eng.emit(Event("progress", job_id, task_id, RUNNING, progress, eta_s=eta))
    return _poll_next(eng, expected, elapsed, progress)


def _fail(eng: "JobEngine", job_id: str, row: dict, message: str) -> None:
    if eng.journal.update(job_id, eng.clock.wall(), only_states=[RUNNING, DOWNLOADING],
                          state=FAILED, error=message):
        eng.emit(Event("failed", job_id, row.get("task_id"), FAILED, int(row.get("progress") or 0),
                       files=list(row.get("files") or []), message=message))
    return None


def _expire(eng: "JobEngine", job_id: str, row: dict, exc: BridgeError) -> None:
    kept = list(row.get("files") or [])
    message = ("The results have expired on the service (HTTP 410): they are kept for 24 hours "
               "after the job finishes.")
    if kept:
        message += f" {len(kept)} file(s) downloaded before that stay available."
    if eng.journal.update(job_id, eng.clock.wall(), only_states=[RUNNING, DOWNLOADING],
                          state=EXPIRED, error=message):
        eng.emit(Event("expired", job_id, row.get("task_id"), EXPIRED, int(row.get("progress") or 0),
                       files=kept, message=message))
    return None


# -- download -----------------------------------------------------------------

def download(eng: "JobEngine", job_id: str, client, cancel) -> Next | None:
    row = eng.journal.row(job_id)
    if row is None or row["state"] != DOWNLOADING:
        return None
    out_dir = Path(row["output_dir"])
    assets = list(row["assets"])
    files = list(row["files"])
    counters: dict[str, int] = {}
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for asset in assets:
            kind = str(asset.get("asset_type") or "file")
            counters[kind] = counters.get(kind, 0) + 1
            if asset.get("done"):
                continue
            if cancel.is_set():
                return None
            new = _fetch(client, asset, out_dir, resultfiles.result_name(
                job_id, kind, counters[kind], _url_ext(asset["url"])))
            asset["done"] = True
            files.extend(str(p) for p in new)
            if not eng.journal.update(job_id, eng.clock.wall(), only_states=[DOWNLOADING],
                                      assets=assets, files=files):
                return None  # cancelled while we were downloading
            eng.emit(Event("downloaded", job_id, row["task_id"], DOWNLOADING, 100,
                           files=[str(p) for p in new]))
    except ExpiredError as exc:
        return _expire(eng, job_id, {**row, "files": files}, exc)
    except CancelledError:
        return None
    except (DownloadError, TransportError, ConfigError, OSError) as exc:
        if isinstance(exc, OSError):  # disk full, no permission: say where
            exc = DownloadError(f"Could not write the results to {out_dir}: {exc.strerror or exc}.")
        attempts = int(row.get("attempts") or 0) + 1
        if attempts >= MAX_DOWNLOAD_ATTEMPTS:
            return _fail(eng, job_id, {**row, "files": files},
                         f"{exc} Gave up after {attempts} tries; the results stay on the service "
                         "for 24 hours after the job finished.")
        return _retry(eng, job_id, {**row, "attempts": attempts - 1}, DOWNLOAD, exc, DOWNLOADING)
    if eng.journal.update(job_id, eng.clock.wall(), only_states=[DOWNLOADING], state=DONE,
                          progress=100, attempts=0, error=""):
        eng.emit(Event("finished", job_id, row["task_id"], DONE, 100, eta_s=0.0, files=files,
                       message=f"{len(files)} file(s) in {out_dir}."))
    return None


def _url_ext(url: str) -> str:
    from ..status import Asset
    return Asset(url).extension()


def _fetch(client, asset: dict, out_dir: Path, name: str) -> list[Path]:
    """Download one asset under our own name, check it, unpack archives; the new paths."""
    dest = out_dir / name
    client.download(asset["url"], dest)
    sniffed = resultfiles.sniff_ext(dest)
    if sniffed and dest.suffix.lstrip(".") != sniffed and not (
            sniffed == "jpg" and dest.suffix == ".jpeg"):
        # The URL's extension lied (or there was none): the content decides.
        renamed = dest.with_suffix("." + sniffed)
        dest.replace(renamed)
        dest = renamed
    try:
        resultfiles.check_file(dest, str(asset.get("asset_type") or ""))
    except resultfiles.IntegrityError:
        dest.unlink(missing_ok=True)  # so the retry starts from scratch
        raise
    if dest.suffix == ".zip":
        return [dest, *resultfiles.extract_zip(dest)]
    return [dest]


def request_from_row(row: dict) -> ApiRequest:
    from .. import api  # noqa: F401  (registers every request type)
    return ApiRequest.from_record(row["request"])


__all__ = ["Next", "submit", "poll", "download", "SUBMIT", "POLL", "DOWNLOAD"]
