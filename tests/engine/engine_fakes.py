"""A scripted ProviderClient and result files with real magic bytes, for engine unit tests."""

from __future__ import annotations

import io
import json
import struct
import threading
import zipfile
from pathlib import Path

from bridge.client import Submission, Wallet
from bridge.errors import ExpiredError
from bridge.status import Asset, TaskStatus

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


def make_glb(doc: dict | None = None, version: int = 2, lie_length: int = 0) -> bytes:
    raw = json.dumps(doc or {"asset": {"version": "2.0"}}).encode()
    raw += b" " * (-len(raw) % 4)
    body = struct.pack("<II", len(raw), 0x4E4F534A) + raw
    total = 12 + len(body)
    return struct.pack("<4sII", b"glTF", version, total + lie_length) + body


def make_zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


class FakeService:
    """One fake service shared by every client the engine builds.

    Jobs finish ``duration`` clock seconds after their submit. ``script``
    lists what the next submits do: an exception to raise, or None.
    """

    def __init__(self, clock, duration: float = 90.0, results=None):
        self.clock = clock
        self.duration = duration
        self.results = results if results is not None else [("https://cdn.test/m.glb", "3D_MODEL")]
        self.blobs = {"https://cdn.test/m.glb": make_glb(), "https://cdn.test/p.png": PNG}
        self.submit_script: list = []
        self.status_script: dict[str, list] = {}    # task_id -> [exception | TaskStatus | None]
        self.download_script: dict[str, list] = {}  # url -> [exception | bytes]
        self.failed: dict[str, str] = {}
        self.tasks: dict[str, float] = {}            # task_id -> submit time
        self.submits: list[str] = []                 # task ids handed out
        self.submit_calls = 0
        self.status_calls: list[str] = []
        self.downloads: list[str] = []
        self.on_submit = None                        # hook run before answering a submit
        self.lock = threading.Lock()

    def client(self, provider="3daistudio", settings=None, clock=None, cancel=None):
        return FakeClient(self)


class FakeClient:
    provider = "3daistudio"

    def __init__(self, service: FakeService):
        self.service = service

    def wallet(self):
        return Wallet(balance=100, rate_limit=None)

    def submit(self, request):
        svc = self.service
        with svc.lock:
            svc.submit_calls += 1
            action = svc.submit_script.pop(0) if svc.submit_script else None
        if svc.on_submit is not None:
            svc.on_submit(request)
        if isinstance(action, BaseException):
            raise action
        with svc.lock:
            task_id = f"task-{len(svc.submits) + 1}"
            svc.submits.append(task_id)
            svc.tasks[task_id] = svc.clock.now()
        return Submission(task_id, "", "3daistudio")

    def status(self, task_id):
        svc = self.service
        with svc.lock:
            svc.status_calls.append(task_id)
            script = svc.status_script.get(task_id)
            action = script.pop(0) if script else None
        if isinstance(action, BaseException):
            raise action
        if isinstance(action, TaskStatus):
            return action
        if task_id in svc.failed:
            return TaskStatus(task_id, "FAILED", 40, svc.failed[task_id])
        elapsed = svc.clock.now() - svc.tasks[task_id]
        if elapsed >= svc.duration:
            return TaskStatus(task_id, "FINISHED", 100, None,
                              [Asset(url, kind, *thumbnail) for url, kind, *thumbnail in svc.results])
        return TaskStatus(task_id, "IN_PROGRESS", int(100 * elapsed / svc.duration) // 33 * 33)

    def download(self, url, dest, **kw):
        svc = self.service
        with svc.lock:
            svc.downloads.append(url)
            script = svc.download_script.get(url)
            action = script.pop(0) if script else None
        if isinstance(action, BaseException):
            raise action
        if callable(action):
            return action(Path(dest))
        data = action if isinstance(action, bytes) else svc.blobs[url]
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        return dest


EXPIRED = ExpiredError("The results have expired (HTTP 410).", status=410)
SECRET = "sk-test-secret-key-0123456789"
