"""The download step: fetch, check and unpack a finished job's results (no request slot).

Files get our own names (``files.result_name``), are checked before anyone
opens them, and are recorded in the journal one by one, so a retry or a
restart fetches only what is missing. A failure that cannot be cured by
trying again (an unsafe archive, a corrupt model, a file over the size cap)
ends the job at once; whatever the cause, a job that gives up leaves no
half-written file behind. Thumbnails are a bonus: one that fails is
reported and skipped, never the reason a job fails.
"""

from __future__ import annotations

import errno
import logging
from pathlib import Path

from ..errors import (
    BridgeError,
    CancelledError,
    ConfigError,
    DownloadError,
    ExpiredError,
    LinkRefusedError,
    TransportError,
)
from ..status import Asset, usable_url
from . import files as resultfiles
from .model import CANCELLED, DONE, DOWNLOADING, Event
from .step_context import DOWNLOAD, Next, StepContext, expire, fail, is_permanent, retry

log = logging.getLogger("bridge.engine")

MAX_DOWNLOAD_ATTEMPTS = 5
THUMBNAIL_KIND = "thumbnail"


def download(ctx: StepContext, job_id: str, client, cancel) -> Next | None:
    row = ctx.journal.row(job_id)
    if row is None or row["state"] != DOWNLOADING:
        return None
    out_dir = Path(row["output_dir"])
    assets = list(row["assets"])
    files = list(row["files"])
    counters: dict[str, int] = {}
    thumbnails = 0

    def record(new: list[Path]) -> bool:
        files.extend(str(p) for p in new)
        if not ctx.journal.update(job_id, ctx.clock.wall(), only_states=[DOWNLOADING],
                                  assets=assets, files=files):
            return False  # cancelled while we were downloading
        if new:
            ctx.emit(Event("downloaded", job_id, row["task_id"], DOWNLOADING, 100,
                           files=[str(p) for p in new]))
        return True
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for asset in assets:
            kind = str(asset.get("asset_type") or "file")
            part = resultfiles.kind_part(kind)   # numbered as named: no two share a file
            counters[part] = counters.get(part, 0) + 1
            if not asset.get("done"):
                if cancel.is_set():
                    return None
                _check_address(asset.get("url"), row["task_id"])
                name = resultfiles.result_name(job_id, kind, counters[part],
                                               Asset(asset["url"]).extension())
                try:
                    new = _fetch(client, asset["url"], kind, out_dir, name)
                except LinkRefusedError as exc:
                    # A signed link past its time: fresh ones from the service, once.
                    _relink(client, row["task_id"], assets, exc)
                    if not record([]):
                        return None
                    try:
                        new = _fetch(client, asset["url"], kind, out_dir, name)
                    except LinkRefusedError as again:
                        raise _refused(again, row["task_id"], "Fresh addresses from the "
                                       "service were refused too") from None
                asset["done"] = True
                asset["files"] = [str(p) for p in new]   # which address each file came from
                if not record(new):
                    return None
            if asset.get("thumbnail"):
                thumbnails += 1
                if not asset.get("thumbnail_done"):
                    if cancel.is_set():
                        return None
                    new = _fetch_thumbnail(ctx, client, job_id, row, asset, out_dir, thumbnails)
                    asset["thumbnail_done"] = True
                    asset["thumbnail_files"] = [str(p) for p in new]
                    if not record(new):
                        return None
    except ExpiredError:
        return expire(ctx, job_id, {**row, "files": files})
    except CancelledError:
        now = ctx.journal.row(job_id)
        if now is not None and now["state"] == CANCELLED:  # not a shutdown: nobody resumes it
            resultfiles.remove_partials(out_dir, job_id)
        return None
    except (DownloadError, TransportError, ConfigError, OSError) as exc:
        return _failed_attempt(ctx, job_id, {**row, "files": files}, out_dir, exc)
    if ctx.journal.update(job_id, ctx.clock.wall(), only_states=[DOWNLOADING], state=DONE,
                          progress=100, attempts=0, error=""):
        ctx.emit(Event("finished", job_id, row["task_id"], DONE, 100, eta_s=0.0, files=files,
                       message=f"{len(files)} file(s) in {out_dir}."))
    return None


def _relink(client, task_id: str, assets: list[dict], refused: LinkRefusedError) -> None:
    """Ask the service for the task's status once more and take its fresh result addresses
    (same order and types) for what is not downloaded yet.

    Raises a permanent error naming ``download --task-id`` when that was done before
    (a restart between) or the service cannot help.
    """
    if any(a.get("relinked") for a in assets):
        raise _refused(refused, task_id, "Fresh addresses from the service were refused before")
    try:
        fresh = list(client.status(task_id).results)
    except CancelledError:
        raise
    except BridgeError as exc:
        raise _refused(refused, task_id, "Asking the service for fresh addresses failed "
                       f"({exc.message.rstrip('.')})") from None
    for n, asset in enumerate(assets):
        asset["relinked"] = True
        if not asset.get("done") and n < len(fresh) and \
                fresh[n].asset_type == str(asset.get("asset_type") or fresh[n].asset_type):
            asset["url"] = fresh[n].url


class _Refused(DownloadError):
    permanent = True
    advice = ""


def _refused(exc: LinkRefusedError, task_id: str, what: str) -> _Refused:
    return _Refused(f"{exc.message} {what}, so it was not tried again. The service keeps the "
                    f"results 24 hours after the job finished: `python -m bridge download "
                    f"--task-id {task_id}` fetches them later.")


class _BadAddress(DownloadError):
    permanent = True


def _check_address(url, task_id: str) -> None:
    """A result address we can fetch (a journal of an earlier version may hold any)."""
    if usable_url(url) is None:
        raise _BadAddress(
            f"The service listed a result at an address that is not a valid URL "
            f"({str(url)[:60]!r}). Try `python -m bridge download --task-id {task_id}` later, "
            "or look the task up on the service's website.", advice="")


def _failed_attempt(ctx: StepContext, job_id: str, row: dict, out_dir: Path,
                    exc: Exception) -> Next | None:
    disk_full = isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)
    if isinstance(exc, OSError):  # disk full, no permission: say where
        exc = DownloadError(f"Could not write the results to {out_dir}: {exc.strerror or exc}.",
                            advice="Free some space there (or fix its permissions); the "
                                   "download is tried again." if disk_full else None)
    if disk_full:
        # Keeping a half file would keep the disk full; the next try starts afresh.
        resultfiles.remove_partials(out_dir, job_id)
    attempts = int(row.get("attempts") or 0) + 1
    if is_permanent(exc) or attempts >= MAX_DOWNLOAD_ATTEMPTS:
        resultfiles.remove_partials(out_dir, job_id)
        if is_permanent(exc):
            message = (f"{exc.message if isinstance(exc, BridgeError) else exc} This cannot "
                       "succeed by downloading again, so the job stops here.")
        else:
            message = (f"{exc} Gave up after {attempts} tries; the results stay on the service "
                       "for 24 hours after the job finished.")
        return fail(ctx, job_id, row, message)
    return retry(ctx, job_id, {**row, "attempts": attempts - 1}, DOWNLOAD, exc, DOWNLOADING)


def _fetch(client, url: str, asset_type: str, out_dir: Path, name: str) -> list[Path]:
    """Download one asset under our own name, check it, unpack archives; the new paths."""
    dest = out_dir / name
    client.download(url, dest)
    sniffed = resultfiles.sniff_ext(dest)
    if sniffed and dest.suffix.lstrip(".") != sniffed and not (
            sniffed == "jpg" and dest.suffix == ".jpeg"):
        # The URL's extension lied (or there was none): the content decides.
        renamed = dest.with_suffix("." + sniffed)
        dest.replace(renamed)
        dest = renamed
    try:
        resultfiles.check_file(dest, asset_type)
    except resultfiles.IntegrityError:
        dest.unlink(missing_ok=True)  # never leave a file that failed its check
        raise
    if dest.suffix == ".zip":
        return [dest, *resultfiles.extract_zip(dest)]
    return [dest]


def _fetch_thumbnail(ctx: StepContext, client, job_id: str, row: dict, asset: dict,
                     out_dir: Path, n: int) -> list[Path]:
    """The asset's preview picture as ``<job_id>_thumbnail_<n>.<ext>``; [] if it fails."""
    url = str(asset["thumbnail"])
    name = resultfiles.result_name(job_id, THUMBNAIL_KIND, n, "png")
    try:
        _check_address(url, str(row["task_id"]))
        name = resultfiles.result_name(job_id, THUMBNAIL_KIND, n, Asset(url).extension() or "png")
        return _fetch(client, url, "IMAGE", out_dir, name)
    except CancelledError:
        raise
    except (BridgeError, OSError) as exc:
        log.info("job %s: thumbnail %d skipped: %s", job_id, n, exc)
        for stale in out_dir.glob(name.rsplit(".", 1)[0] + ".*"):
            stale.unlink(missing_ok=True)
        ctx.emit(Event("progress", job_id, row["task_id"], DOWNLOADING, 100,
                       message=f"The preview thumbnail could not be downloaded "
                               f"({ctx.clean(str(exc))}); "
                               "the results themselves are not affected."))
        return []
