"""What the emulated services remember: jobs, wallets, rate windows, files, logs.

All times are *service time*: ``clock.now() * time_scale``. A test that
shares a FakeClock with its client moves both together; the CLI's default
scale of 60 makes a 6.5-minute miniature finish in 6.5 seconds.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import secrets
import threading
from typing import Any

from ..clock import SYSTEM_CLOCK, Clock

RATE_WINDOW = 60.0
RESULT_LIFETIME = 24 * 3600.0


class Record(dict):
    """A dict whose keys also read as attributes: ``entry["had_auth"]`` or ``entry.had_auth``."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclasses.dataclass
class Job:
    task_id: str
    provider: str                  # "3daistudio" | "image3d"
    endpoint: str
    body: dict
    files: dict                    # multipart field -> bytes
    price: int
    created: float                 # service time
    duration: float
    fail_reason: str | None = None
    result_kind: str = "model"     # which producer in ``results`` builds its files
    refunded: bool = False
    results: list | None = None    # built lazily when first seen finished
    expired: bool = False
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock, repr=False)

    @property
    def finishes(self) -> float:
        return self.created + self.duration


@dataclasses.dataclass
class StoredFile:
    name: str
    data: bytes
    content_type: str
    task_id: str


class EmulatorState:
    def __init__(self, *, credits: float, image3d_credits: float, rate_limit: int | None,
                 time_scale: float, clock: Clock | None):
        self.clock = clock or SYSTEM_CLOCK
        self.time_scale = float(time_scale)
        self.rate_limit = rate_limit
        self.balance = float(credits)
        self.image3d_balance = float(image3d_credits)
        self.jobs: dict[str, Job] = {}
        self.files: dict[str, StoredFile] = {}
        self.accepted: list[Record] = []
        self.log: list[Record] = []
        self._windows: dict[str, collections.deque] = collections.defaultdict(collections.deque)
        self.lock = threading.RLock()
        #: A GLB every 3D generation answers with instead of a shape (heavy-result tests).
        self.model_file: bytes | None = None

    def now(self) -> float:
        return self.clock.now() * self.time_scale

    # -- rate limit -------------------------------------------------------------
    def rate_check(self, key: str) -> float | None:
        """Count one call for ``key``; None if allowed, else seconds until a slot frees.

        The answer is in service seconds: a client on the same time scale
        waits exactly that long on its own (scaled) clock.
        """
        if self.rate_limit is None:
            return None
        now = self.now()
        with self.lock:
            window = self._windows[key]
            while window and window[0] <= now - RATE_WINDOW:
                window.popleft()
            if len(window) >= self.rate_limit:
                return max(1.0, float(math.ceil(window[0] + RATE_WINDOW - now)))
            window.append(now)
            return None

    def set_rate_limit(self, n: int | None) -> None:
        with self.lock:
            self.rate_limit = n
            self._windows.clear()

    # -- wallet -----------------------------------------------------------------
    def charge(self, provider: str, amount: float) -> bool:
        with self.lock:
            attr = "image3d_balance" if provider == "image3d" else "balance"
            if getattr(self, attr) < amount:
                return False
            setattr(self, attr, getattr(self, attr) - amount)
            return True

    def refund(self, job: Job) -> None:
        with self.lock:
            if job.refunded:
                return
            job.refunded = True
            if job.provider == "image3d":
                self.image3d_balance += job.price
            else:
                self.balance += job.price

    # -- jobs -------------------------------------------------------------------
    def add_job(self, job: Job) -> None:
        with self.lock:
            self.jobs[job.task_id] = job
            self.accepted.append(Record(endpoint=job.endpoint, body=job.body, task_id=job.task_id,
                                        provider=job.provider, files=sorted(job.files),
                                        price=job.price))

    def job_expired(self, job: Job) -> bool:
        return job.expired or self.now() >= job.finishes + RESULT_LIFETIME

    def expire(self, task_id: str) -> None:
        with self.lock:
            self.jobs[task_id].expired = True

    # -- files ------------------------------------------------------------------
    def store_file(self, task_id: str, name: str, data: bytes, content_type: str) -> str:
        """The path (``/files/<token>/<name>``) that serves ``data`` without auth."""
        token = secrets.token_urlsafe(16)
        with self.lock:
            self.files[token] = StoredFile(name, data, content_type, task_id)
        return f"/files/{token}/{name}"

    def file_for_path(self, path: str) -> StoredFile | None:
        parts = path.split("/")
        if len(parts) != 4 or parts[1] != "files":
            return None
        stored = self.files.get(parts[2])
        return stored if stored is not None and stored.name == parts[3] else None

    def record_request(self, **fields) -> None:
        with self.lock:
            self.log.append(Record(fields))
