"""Submit, wait, download: the one place the CLI waits for a job.

The job engine (``bridge.engine``) will own waiting, journaling and resuming;
until the CLI moves onto it, :func:`run_to_completion` is the whole of that
behaviour, kept small so it can be swapped for ``JobEngine.submit`` +
``JobEngine.wait`` in one place.
"""

from __future__ import annotations

import re
import threading
import zipfile
from pathlib import Path
from typing import Callable

from ..api.base import ApiRequest
from ..client import ProviderClient, client_for
from ..clock import SYSTEM_CLOCK, Clock
from ..config import Settings
from ..errors import DownloadError
from ..imagefile import sniff_image_type
from ..status import TaskStatus

Progress = Callable[[str], None]
DEFAULT_TIMEOUT = 3600.0


def _quiet(_message: str) -> None:
    pass


def run_to_completion(request: ApiRequest, settings: Settings, output_dir: str | Path,
                      on_progress: Progress | None = None, *, clock: Clock = SYSTEM_CLOCK,
                      timeout: float = DEFAULT_TIMEOUT,
                      cancel: threading.Event | None = None) -> list[Path]:
    """Submit ``request``, poll until done, download every result; the saved files."""
    say = on_progress or _quiet
    client = client_for(request, settings, clock=clock, cancel=cancel)
    submission = client.submit(request)
    task_id = submission.task_id
    say(f"Submitted {request.LABEL}: task {task_id}")
    last = [None]

    def report(status: TaskStatus) -> None:
        line = f"{task_id}: {status.state} {status.progress}%"
        if line != last[0]:  # one line per change, not one per poll
            last[0] = line
            say(line)

    status = client.wait(task_id, poll_interval=settings.poll_interval, timeout=timeout,
                         on_status=report, cancel=cancel)
    return download_results(client, status, output_dir, say)


def safe_stem(text: str) -> str:
    """A file-name-safe version of a task id or asset type."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "result"


def _ext_from_content(path: Path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(16)
    if head.startswith(b"glTF"):
        return "glb"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    image = sniff_image_type(head)
    if image:
        return "jpg" if image == "jpeg" else image
    if head.lstrip().startswith(b"{"):
        return "json"
    return "bin"


def _check_file(path: Path, ext: str) -> None:
    """Refuse a file whose bytes contradict its type (an error page saved as .glb)."""
    if path.stat().st_size == 0:
        raise DownloadError(f"The downloaded file {path.name} is empty.")
    with open(path, "rb") as fh:
        head = fh.read(4)
    if ext == "glb" and head != b"glTF":
        raise DownloadError(f"The downloaded file {path.name} is not a GLB model.")
    if ext == "zip" and not zipfile.is_zipfile(path):
        raise DownloadError(f"The downloaded file {path.name} is not a valid ZIP archive.")


def download_results(client: ProviderClient, status: TaskStatus, output_dir: str | Path,
                     on_progress: Progress | None = None) -> list[Path]:
    """Save every result asset as ``<task_id>_<asset_type lower>_<n>.<ext>``.

    The URL only lends its extension when it is plain alphanumerics; otherwise
    the bytes decide, so a crafted URL can never choose a path or a suffix.
    """
    say = on_progress or _quiet
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    saved: list[Path] = []
    for asset in status.results:
        kind = safe_stem(asset.asset_type.lower())
        counts[kind] = counts.get(kind, 0) + 1
        stem = f"{safe_stem(status.task_id)}_{kind}_{counts[kind]}"
        ext = asset.extension()
        if ext:
            dest = client.download(asset.url, out / f"{stem}.{ext}")
        else:
            temp = client.download(asset.url, out / f"{stem}.download")
            ext = _ext_from_content(temp)
            dest = temp.replace(out / f"{stem}.{ext}")
        _check_file(dest, ext)
        say(f"Saved {dest}")
        saved.append(dest)
    return saved
