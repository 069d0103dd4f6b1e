"""The state of a remote task, the same shape whichever service runs it."""

from __future__ import annotations

import dataclasses
import posixpath
from urllib.parse import urlparse

PENDING = "PENDING"
IN_PROGRESS = "IN_PROGRESS"
FINISHED = "FINISHED"
FAILED = "FAILED"
TERMINAL = (FINISHED, FAILED)

ASSET_TYPES = ("3D_MODEL", "SCALED_3D_MODEL", "EDITED_IMAGE", "IMAGE", "ARCHIVE")


@dataclasses.dataclass
class Asset:
    url: str
    asset_type: str = "3D_MODEL"
    thumbnail: str | None = None
    metadata: dict = dataclasses.field(default_factory=dict)

    def extension(self) -> str:
        """Lower-case extension from the URL path (``glb``, ``zip``, ``png``) or ''."""
        ext = posixpath.splitext(urlparse(self.url).path)[1].lower().lstrip(".")
        return ext if ext.isalnum() and len(ext) <= 5 else ""


@dataclasses.dataclass
class TaskStatus:
    task_id: str
    state: str
    progress: int = 0
    failure_reason: str | None = None
    results: list[Asset] = dataclasses.field(default_factory=list)

    @property
    def done(self) -> bool:
        """Terminal *and* usable: a FINISHED job with no results yet is not done."""
        return self.state == FAILED or (self.state == FINISHED and bool(self.results))


def from_studio(task_id: str, body: dict) -> TaskStatus:
    """Normalise a 3D AI Studio status answer."""
    state = str(body.get("status") or PENDING).upper()
    if state not in (PENDING, IN_PROGRESS, FINISHED, FAILED):
        state = IN_PROGRESS
    results = []
    for item in body.get("results") or []:
        if not isinstance(item, dict):
            continue
        url = item.get("asset") or item.get("asset_url")
        if url:
            results.append(Asset(url=url, asset_type=str(item.get("asset_type") or "3D_MODEL"),
                                 thumbnail=item.get("thumbnail"),
                                 metadata=item.get("metadata") or {}))
    return TaskStatus(task_id, state, _progress(body.get("progress")),
                      body.get("failure_reason"), results)


_IMAGE3D_STATES = {"queued": PENDING, "pending": PENDING, "processing": IN_PROGRESS,
                   "running": IN_PROGRESS, "success": FINISHED, "succeeded": FINISHED,
                   "completed": FINISHED, "failed": FAILED, "error": FAILED}


def from_image3d(task_id: str, body: dict) -> TaskStatus:
    """Normalise an image3d.io status answer (both page versions' words)."""
    state = _IMAGE3D_STATES.get(str(body.get("status") or "queued").lower(), IN_PROGRESS)
    url = body.get("model_url")
    results = [Asset(url=url, asset_type="3D_MODEL")] if url else []
    reason = body.get("error") or body.get("failure_reason") or body.get("message")
    return TaskStatus(task_id, state, _progress(body.get("progress")),
                      reason if state == FAILED else None, results)


def _progress(value) -> int:
    try:
        return max(0, min(100, int(float(value))))
    except (TypeError, ValueError):
        return 0
