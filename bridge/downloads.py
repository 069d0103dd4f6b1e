"""Result downloads: stream to a ``.part``, resume, stop at the cap, never linger.

Called through :meth:`Transport.download`, whose session, timeouts, retry
count and cancel event it uses.

- No ``Authorization`` header goes to asset URLs: they are pre-signed and
  some CDNs reject (or log) credentials they did not ask for.
- A cut-off transfer resumes with ``Range`` (up to the transport's retries).
- The answer's head must come within the API deadline; then the body must
  keep a minimum throughput (:mod:`bridge.httpdeadline`), so a big file on a
  slow line completes while a trickle is cut.
- A file over ``max_bytes`` stops as soon as the cap is crossed (or before
  reading, when its declared size is over): :class:`DownloadTooLargeError`,
  never retried.
- A failed download removes its ``.part`` (a full disk must not stay full);
  only a cancelled or interrupted one keeps it, for the next attempt to resume.
"""

from __future__ import annotations

import errno
import logging
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING

import requests

from .errors import (
    BridgeError,
    CancelledError,
    DownloadError,
    DownloadTooLargeError,
    DownloadWriteError,
    ExpiredError,
    LinkRefusedError,
)
from .httpdeadline import Deadline, deadline_scope

if TYPE_CHECKING:
    from .transport import Transport

log = logging.getLogger("bridge.transport")

# Small enough that a cut-off transfer keeps most of what arrived (the last
# partial chunk is lost when the connection drops mid-read).
CHUNK = 64 * 1024


def download(t: "Transport", url: str, dest: str | os.PathLike, *, max_bytes: int,
             expected_size: int | None = None) -> Path:
    """Fetch ``url`` to ``dest`` atomically; the path written."""
    dest = Path(dest)
    part = dest.with_name(dest.name + ".part")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        return _attempts(t, url, dest, part, max_bytes, expected_size)
    except (CancelledError, KeyboardInterrupt):
        raise   # an interruption: the .part stays for the resume
    except BridgeError:
        remove_partial(part)
        raise
    except requests.RequestException as exc:
        remove_partial(part)
        raise DownloadError(f"Download failed: {t._scrubbed(exc)}") from None
    except OSError as exc:   # our side: the folder or the disk
        remove_partial(part)
        raise write_error(dest.parent, exc) from None


def _attempts(t: "Transport", url: str, dest: Path, part: Path, max_bytes: int,
              expected_size: int | None) -> Path:
    attempt = 0
    while True:
        have = part.stat().st_size if part.exists() else 0
        headers = {"User-Agent": t.user_agent}
        if have:
            headers["Range"] = f"bytes={have}-"
        deadline = Deadline(t.deadline, min_rate=t.download_min_rate, window=t.download_window)
        try:
            with deadline_scope(deadline), t.session.get(
                    url, headers=headers, stream=True, timeout=t.timeout) as resp:
                # The answer's head arrived in time; from here the body must keep flowing.
                deadline.extend_to(math.inf)
                deadline.start_rate_rule()
                have = _check_answer(resp, part, have, max_bytes)
                total = content_total(resp, have)
                written = _write_body(t, resp, part, have, max_bytes, deadline)
                if deadline.expired:   # a close-delimited body cut short looks complete
                    raise _stalled(t, deadline)
                if total is not None and written != total:
                    raise DownloadError(f"Download cut off at {written} of {total} bytes.")
                if expected_size is not None and written != expected_size:
                    raise DownloadError(f"Downloaded {written} bytes, expected {expected_size}.")
            os.replace(part, dest)
            return dest
        except (ExpiredError, CancelledError, DownloadTooLargeError, LinkRefusedError):
            raise   # trying the same address again cannot help
        except (requests.RequestException, DownloadError) as exc:
            if deadline.expired:   # stalled: a retry now would only stall again
                raise _stalled(t, deadline) from None
            if attempt >= t.max_retries:
                if isinstance(exc, DownloadError):
                    raise
                raise DownloadError(f"Download failed: {t._scrubbed(exc)}") from None
            t.stats["retries"] += 1
            t._sleep(t.backoff(attempt))
            attempt += 1
        except OSError:
            if deadline.expired:   # the cut socket surfaced as a bare OSError
                raise _stalled(t, deadline) from None
            raise


def _check_answer(resp: requests.Response, part: Path, have: int, max_bytes: int) -> int:
    """Refuse what cannot be used; the byte offset the body starts at."""
    if resp.status_code == 410:
        raise ExpiredError("The result file has expired on the server (HTTP 410).", status=410)
    if resp.status_code == 416 and have:
        part.unlink()  # our partial file is bogus; start over
        raise DownloadError("The server refused to resume; restarting.")
    if resp.status_code in (401, 403):
        raise LinkRefusedError(f"The file host refused the result's address (HTTP "
                               f"{resp.status_code}): its signed link has probably expired.")
    if resp.status_code >= 400:
        raise DownloadError(f"Download failed with HTTP {resp.status_code}.")
    if have and resp.status_code != 206:
        have = 0  # server ignored Range: rewrite from the start
    if resp.status_code == 206 and range_start(resp) != have:
        part.unlink(missing_ok=True)
        raise DownloadError("The server sent a different part of the file; restarting.")
    total = content_total(resp, have)
    if total is not None and total > max_bytes:
        raise DownloadTooLargeError(
            f"The result file is {size_text(total)}, over the {size_text(max_bytes)} limit; "
            "it was not downloaded.")
    return have


def _write_body(t: "Transport", resp: requests.Response, part: Path, have: int, max_bytes: int,
                deadline: Deadline) -> int:
    with open(part, "ab" if have else "wb") as fh:
        written = have
        for chunk in resp.iter_content(CHUNK):
            if t.cancel is not None and t.cancel.is_set():
                raise CancelledError("Download cancelled.")
            written += len(chunk)
            if written > max_bytes:
                raise DownloadTooLargeError(
                    f"The result file is larger than the {size_text(max_bytes)} limit; "
                    "the download was stopped there.")
            fh.write(chunk)
            deadline.progress(len(chunk))
    return written


def _stalled(t: "Transport", deadline: Deadline) -> DownloadError:
    if deadline.cut_reason == "slow":
        return DownloadError(
            f"The download stalled: less than {t.download_min_rate / 1024:.0f} KiB/s arrived "
            f"over {t.download_window:.0f} s, so it was stopped.")
    return DownloadError(f"The file server did not start sending within {t.deadline:.0f} s, "
                         "so the download was stopped.")


def content_total(resp: requests.Response, have: int) -> int | None:
    """Full size of the file from Content-Range or Content-Length, if stated."""
    crange = resp.headers.get("Content-Range", "")
    if "/" in crange:
        tail = crange.rsplit("/", 1)[1]
        if tail.isdigit():
            return int(tail)
    length = resp.headers.get("Content-Length")
    if length and length.isdigit() and resp.headers.get("Content-Encoding") in (None, "identity"):
        return int(length) + (have if resp.status_code == 206 else 0)
    return None


def range_start(resp: requests.Response) -> int | None:
    crange = resp.headers.get("Content-Range", "")
    try:
        return int(crange.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None


def size_text(nbytes: float) -> str:
    for unit, size in (("GiB", 1024 ** 3), ("MiB", 1024 ** 2), ("KiB", 1024)):
        if nbytes >= size:
            return f"{nbytes / size:.1f} {unit}"
    return f"{nbytes:.0f} bytes"


def remove_partial(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.warning("Could not remove the partial download %s", path)


def write_error(folder: Path, exc: OSError) -> DownloadWriteError:
    """A disk or folder problem as one sentence that names the folder."""
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        text = f"The disk holding {folder} is full ({reason}), so the result could not be saved."
    elif exc.errno == errno.EROFS:
        text = f"{folder} is on a read-only disk, so the result could not be saved."
    elif exc.errno in (errno.EACCES, errno.EPERM):
        text = f"No permission to write in {folder}, so the result could not be saved."
    elif exc.errno in (errno.ENOTDIR, errno.EEXIST):
        text = f"{folder} is not a folder (a file is in the way), so the result could not be saved."
    else:
        text = f"Could not write the result to {folder}: {reason}."
    return DownloadWriteError(text)


__all__ = ["download", "content_total", "range_start", "size_text", "CHUNK"]
