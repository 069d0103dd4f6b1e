"""The state of a remote task, the same shape whichever service runs it.

Normalising is where a service's answer turns into our data, so it is also
where its text is made safe: the transport has already scrubbed the
credential from every string; here failure reasons and metadata lose control
characters and are cut to a sane length, asset types become short tokens,
and only http(s) URLs count as results.
"""

from __future__ import annotations

import dataclasses
import posixpath
from urllib.parse import urlparse

from .safetext import service_text

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
    #: Results listed with an address that is not a usable URL (left out of ``results``).
    unusable: int = 0

    @property
    def done(self) -> bool:
        """Terminal *and* usable: a FINISHED job with no results yet is not done."""
        return self.state == FAILED or (self.state == FINISHED and bool(self.results))


REASON_LIMIT = 500


def _reason(value) -> str | None:
    text = service_text(value, limit=REASON_LIMIT) if value else ""
    return text or None


def usable_url(value) -> str | None:
    """``value`` as an http(s) URL that can be fetched (host and port readable), else None.

    ``http://[cdn…`` starts like a URL but no library can open it; refused here, where
    the answer turns into our data, it never reaches a download.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text.lower().startswith(("http://", "https://")) or len(text) > 8192:
        return None
    if any(c.isspace() or ord(c) < 0x21 or ord(c) == 0x7f for c in text):
        return None
    try:
        parts = urlparse(text)
        if not parts.hostname:
            return None
        _ = parts.port   # raises for a port that is no number
    except ValueError:
        return None
    return text


_url = usable_url


def _asset_type(value) -> str:
    text = service_text(value, limit=40).upper().replace(" ", "_")
    return text or "3D_MODEL"


def _metadata(value, depth: int = 0):
    """Metadata with every string made printable; nesting kept shallow."""
    if isinstance(value, str):
        return service_text(value, limit=REASON_LIMIT)
    if depth >= 4:
        return None
    if isinstance(value, dict):
        return {service_text(k, limit=80): _metadata(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_metadata(v, depth + 1) for v in value[:100]]
    return value if isinstance(value, (int, float, bool)) or value is None else None


def from_studio(task_id: str, body: dict) -> TaskStatus:
    """Normalise a 3D AI Studio status answer."""
    state = str(body.get("status") or PENDING).upper()
    if state not in (PENDING, IN_PROGRESS, FINISHED, FAILED):
        state = IN_PROGRESS
    results = []
    unusable = 0
    items = body.get("results")
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        url = _url(item.get("asset")) or _url(item.get("asset_url"))
        if not url and (item.get("asset") or item.get("asset_url")):
            unusable += 1
        if url:
            metadata = _metadata(item.get("metadata"))
            results.append(Asset(url=url, asset_type=_asset_type(item.get("asset_type")),
                                 thumbnail=_url(item.get("thumbnail")),
                                 metadata=metadata if isinstance(metadata, dict) else {}))
    return TaskStatus(task_id, state, _progress(body.get("progress")),
                      _reason(body.get("failure_reason")), results, unusable)


_IMAGE3D_STATES = {"queued": PENDING, "pending": PENDING, "processing": IN_PROGRESS,
                   "running": IN_PROGRESS, "success": FINISHED, "succeeded": FINISHED,
                   "completed": FINISHED, "failed": FAILED, "error": FAILED}


def from_image3d(task_id: str, body: dict) -> TaskStatus:
    """Normalise an image3d.io status answer (both page versions' words)."""
    state = _IMAGE3D_STATES.get(str(body.get("status") or "queued").lower(), IN_PROGRESS)
    url = _url(body.get("model_url"))
    results = [Asset(url=url, asset_type="3D_MODEL")] if url else []
    unusable = 1 if body.get("model_url") and not url else 0
    reason = body.get("error") or body.get("failure_reason") or body.get("message")
    return TaskStatus(task_id, state, _progress(body.get("progress")),
                      _reason(reason) if state == FAILED else None, results, unusable)


def _progress(value) -> int:
    try:
        return max(0, min(100, int(float(value))))
    except (TypeError, ValueError, OverflowError):   # None, "abc", "nan", "inf"
        return 0
