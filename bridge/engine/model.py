"""What the engine tells the world: job states, events and journal records.

Kept free of threads and SQLite so the add-on's pump and the CLI can import
it cheaply and tests can build records by hand.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

WAITING = "WAITING"          # journaled, waits for other jobs' result addresses: nothing sent
QUEUED = "QUEUED"            # journaled, no POST yet: safe to send
SUBMITTING = "SUBMITTING"    # POST under way: if we crash here the job becomes UNKNOWN
RUNNING = "RUNNING"          # the service gave us a task id
DOWNLOADING = "DOWNLOADING"  # finished on the service, fetching results
DONE = "DONE"
FAILED = "FAILED"
CANCELLED = "CANCELLED"
EXPIRED = "EXPIRED"
UNKNOWN = "UNKNOWN"          # the POST may or may not have created a task: never resent

ACTIVE_STATES = (WAITING, QUEUED, SUBMITTING, RUNNING, DOWNLOADING)
#: Not sent yet: cancelling costs nothing, and nothing is charged.
UNSENT_STATES = (WAITING, QUEUED)
TERMINAL_STATES = (DONE, FAILED, CANCELLED, EXPIRED, UNKNOWN)

EVENT_KINDS = ("submitted", "progress", "downloaded", "finished", "failed",
               "cancelled", "expired", "unknown", "notice")
#: An event about the engine, not one job (``job_id`` is ""): a locked journal, a
#: long pause the service asked for, a worker thread that had to be restarted.
NOTICE = "notice"

CANCEL_NOTE = ("Cancelled locally: the service has no cancel endpoint, so the job may still "
               "run there, and credits already spent are not refunded by cancelling.")
UNSENT_CANCEL_NOTE = "Cancelled before it was sent: nothing was charged."
UNKNOWN_NOTE = ("The submit may have reached the service but its answer was lost. It was not "
                "sent again so you are not charged twice: check the job list on the "
                "service's website (3daistudio.com / image3d.io).")
REFUND_NOTE = "Credits for failed jobs are refunded automatically."
#: The start of a job's error while it waits for a key: none is set in this process
#: (KEY_MISSING_NOTE), or the service refused the one it has while following a paid task
#: (KEY_REFUSED_NOTE). The job stays unfinished in the journal, its task kept; a key
#: change in the add-on, or ``python -m bridge resume`` with a valid key, goes on with it.
KEY_MISSING_NOTE = "Waiting for an API key"
KEY_REFUSED_NOTE = "Waiting for a valid API key"
#: Where the add-on's user sets the key (the job list says so while a job waits for one).
KEY_PLACE = "Preferences › Add-ons › AI Studio Bridge"


def waits_for_key(state: str, error: str) -> bool:
    """True for an unfinished job that is held back only for want of a (valid) key."""
    return state in ACTIVE_STATES and str(error or "").startswith(
        (KEY_MISSING_NOTE, KEY_REFUSED_NOTE))


#: How long the service keeps a finished job's result files (their URLs answer 410 after).
RESULT_LIFETIME_S = 24 * 3600.0
#: ``JobRecord.origin`` of a task submitted elsewhere and followed here (``JobEngine.adopt``).
ADOPTED = "adopted"


@dataclasses.dataclass
class Event:
    """One thing that happened to a job, for the main thread."""

    kind: str
    job_id: str
    task_id: str | None = None
    state: str | None = None
    progress: int = 0
    eta_s: float | None = None
    files: list[str] = dataclasses.field(default_factory=list)
    message: str = ""


@dataclasses.dataclass
class JobRecord:
    """One journal row, decoded."""

    job_id: str
    task_id: str | None
    provider: str
    kind: str
    label: str
    state: str
    progress: int
    credits_low: int | None
    credits_high: int | None
    files: list[str]
    error: str
    created_at: float
    updated_at: float
    output_dir: str
    request: dict[str, Any]
    meta: dict[str, Any]
    #: The service's result files: ``{"url", "asset_type", "files": [downloaded paths]}``
    #: (plus ``thumbnail``/``thumbnail_files`` when it had a preview).
    assets: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    #: Request field → id of the job whose result address fills it (chained jobs).
    inputs: dict[str, str] = dataclasses.field(default_factory=dict)
    #: False for a step whose files nobody needs: it ends DONE with ``assets`` only.
    download: bool = True
    #: Wall-clock time the engine first saw the job finished on the service.
    finished_at: float | None = None
    #: Wall-clock time the result URLs stop working (24 h after the service finished,
    #: counted from the last time it was seen unfinished, so never late). None when not
    #: known: not finished yet, or a task adopted already finished (``origin`` adopted).
    expires_at: float | None = None
    #: "submit" (sent by an engine) or "adopted" (submitted elsewhere, followed here).
    origin: str = "submit"
    #: Shared by the steps of one chain (``JobEngine.submit_chain``); "" otherwise.
    chain: str = ""

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def waiting_for_key(self) -> bool:
        """Unfinished, held back for want of a valid key (see :data:`KEY_REFUSED_NOTE`)."""
        return waits_for_key(self.state, self.error)

    def urls_fresh(self, now: float, margin_s: float = 600.0) -> bool:
        """The result URLs still work at wall time ``now`` with ``margin_s`` to spare."""
        return self.expires_at is not None and now + margin_s < self.expires_at

    def model_url(self, fmt: str | None = None) -> str | None:
        """The address of the job's 3D model result (of format ``fmt`` when given)."""
        return pick_model_url(self.assets, fmt)

    def file_assets(self) -> dict[str, dict[str, Any]]:
        """Each downloaded file → ``{"url", "asset_type", "expires_at"}`` of the result it came from.

        A file unpacked from an archive maps to the archive's address; a
        thumbnail to the thumbnail's. Rows written before assets listed their
        files are matched by the result names (``<job>_<type>_<n>.<ext>``).
        """
        out: dict[str, dict[str, Any]] = {}
        counters: dict[str, int] = {}
        for asset in self.assets:
            kind = str(asset.get("asset_type") or "file")
            part = _kind_part(kind)   # numbered as the download named them
            counters[part] = counters.get(part, 0) + 1
            info = {"url": asset.get("url"), "asset_type": kind, "expires_at": self.expires_at}
            listed = asset.get("files")
            for path in listed if listed is not None else \
                    _named_like(self.files, self.job_id, kind, counters[part]):
                out[path] = info
            if asset.get("thumbnail"):
                for path in asset.get("thumbnail_files") or ():
                    out[path] = {"url": asset["thumbnail"], "asset_type": "THUMBNAIL",
                                 "expires_at": self.expires_at}
        return out

    def asset_of(self, path: str | Path) -> dict[str, Any] | None:
        """The result (``url``, ``asset_type``, ``expires_at``) a downloaded file came from."""
        return self.file_assets().get(str(path))


MODEL_ASSET_TYPES = ("3D_MODEL", "SCALED_3D_MODEL")
MODEL_EXTS = ("glb", "gltf", "fbx", "obj", "stl", "ply", "usdz", "3mf", "zip")


def url_ext(url: str) -> str:
    path = str(url).split("?", 1)[0].split("#", 1)[0]
    name = path.rsplit("/", 1)[-1]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext if ext.isalnum() and len(ext) <= 5 else ""


def pick_model_url(assets: list[dict[str, Any]], fmt: str | None = None) -> str | None:
    """The URL of the 3D model among ``assets``: of format ``fmt`` when there is one.

    ``3D_MODEL`` before a scaled copy; without ``fmt`` (or none of that
    format) the first model.
    """
    models = [a for a in assets if str(a.get("asset_type") or "").upper() == "3D_MODEL"]
    models += [a for a in assets if str(a.get("asset_type") or "").upper() in MODEL_ASSET_TYPES[1:]]
    if not models:
        models = [a for a in assets if url_ext(str(a.get("url") or "")) in MODEL_EXTS]
    wanted = (fmt or "").lower().replace("_zip", "")
    if wanted:
        for asset in models:
            if url_ext(str(asset.get("url") or "")) == wanted:
                return str(asset["url"])
    return str(models[0]["url"]) if models else None


def _kind_part(kind: str) -> str:
    """As ``files.kind_part`` (kept free of that module's imports)."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", (kind or "file").lower()).strip("_") or "file"


def _named_like(files: list[str], job_id: str, kind: str, n: int) -> list[str]:
    """Files a download named after asset ``n`` of ``kind`` (and what its archive unpacked)."""
    safe = re.compile(r"[^A-Za-z0-9_-]+")
    stem = f"{safe.sub('_', job_id)}_{safe.sub('_', kind.lower()).strip('_') or 'file'}_{n}"
    out = []
    for path in files:
        parts = Path(path).parts
        name = Path(path).name
        if name.rsplit(".", 1)[0] == stem or stem in parts[:-1]:
            out.append(path)
    return out
