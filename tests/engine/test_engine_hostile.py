"""Hostile answers over real HTTP: a status trickling a byte at a time, Retry-After without a ceiling.

Nothing here may stall: each test has a real-time bound far below what the
hostile answer would cost if the engine gave in to it.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from engine_fakes import make_glb

from bridge.api.tencent import TencentRapidRequest
from bridge.clock import ScaledClock
from bridge.config import Settings
from bridge.emulator import Emulator
from bridge.engine import JobEngine
from bridge.engine.files import check_file
from bridge.ratebudget import RETRY_AFTER_CAP

SCALE = 200.0


@pytest.fixture
def emu():
    with Emulator(api_key="test-key", time_scale=SCALE) as emulator:
        yield emulator
        emulator.faults.stop_trickling()


def engine_on(url: str, home: Path, scale: float, rate_limit: int = 60) -> JobEngine:
    settings = Settings(api_key="test-key", api_url=url, home=home, rate_limit=rate_limit)
    return JobEngine(settings, home=home, clock=ScaledClock(scale)).start()


def status_gets(emu, task_id: str) -> list:
    return [r for r in emu.log if r.method == "GET" and task_id in r.path]


def test_a_trickling_status_does_not_hold_a_finished_job(emu, tmp_path):
    engine = engine_on(emu.url, tmp_path / "home", SCALE)
    try:
        job_a = engine.submit(TencentRapidRequest(prompt="a chair"), output_dir=tmp_path / "a")
        task_a = engine.wait_submitted(job_a, timeout=20_000).task_id
        # ~70-byte status answers at 0.5 s a byte: each poll of A takes over 30 s real.
        emu.faults.trickle_status(task_a, byte_every=0.5)
        started = time.monotonic()
        while not status_gets(emu, task_a) and time.monotonic() - started < 10:
            time.sleep(0.01)
        assert status_gets(emu, task_a), "A was never polled"
        job_b = engine.submit(TencentRapidRequest(prompt="a table"), output_dir=tmp_path / "b")
        [record_b] = engine.wait([job_b], timeout=20_000)   # service seconds: 100 s real
        took = time.monotonic() - started
        assert record_b.state == "DONE", record_b.error
        for path in record_b.files:
            check_file(Path(path))
        # B was submitted, polled and downloaded while A's one status answer was still
        # trickling in: that answer alone needs more than 30 s real.
        assert took < 15, f"B took {took:.1f} s real"
        assert len(status_gets(emu, task_a)) == 1
        assert engine.job(job_a).state == "RUNNING"
        assert len(emu.accepted) == 2
    finally:
        emu.faults.stop_trickling()
        engine.shutdown()


class HostileService:
    """A submit, then a 429 carrying ``retry_after`` on the first status, then a finished job."""

    def __init__(self, retry_after: str):
        self.retry_after = retry_after
        self.log: list[tuple[str, str, int]] = []
        self.glb = make_glb()
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):
                pass

            def _json(self, status, body, headers=()):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers:
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
                service.log.append((self.command, self.path, status))

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._json(200, {"task_id": "t-1", "created_at": ""})

            def do_GET(self):
                if self.path == "/files/m.glb":
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(service.glb)))
                    self.end_headers()
                    self.wfile.write(service.glb)
                    service.log.append(("GET", self.path, 200))
                elif "/status/" in self.path:
                    if not any(s == 429 for _, _, s in service.log):
                        self._json(429, {"code": "rate_limited", "message": "slow down"},
                                   [("Retry-After", service.retry_after)])
                    else:
                        host = self.headers["Host"]
                        self._json(200, {"status": "FINISHED", "progress": 100, "results": [
                            {"asset": f"http://{host}/files/m.glb", "asset_type": "3D_MODEL"}]})
                else:
                    self._json(404, {"code": "not_found", "message": "no"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("retry_after", ["999999", "Thu, 01 Jan 2099 00:00:00 GMT", "inf"])
def test_retry_after_without_a_ceiling_is_capped_and_told(tmp_path, retry_after):
    service = HostileService(retry_after)
    scale = 1000.0   # the cap (300 s) is 0.3 s real; 999999 s would be 17 minutes real
    engine = engine_on(service.url, tmp_path / "home", scale)
    events = []
    try:
        job_id = engine.submit(TencentRapidRequest(prompt="a chair"), output_dir=tmp_path / "out")
        started = time.monotonic()
        [record] = engine.wait([job_id], timeout=50 * RETRY_AFTER_CAP, on_event=events.append)
        took = time.monotonic() - started
    finally:
        engine.shutdown()
        service.close()
    assert record.state == "DONE", record.error
    assert took < 10, f"{took:.1f} s real"
    notices = [e.message for e in events if e.kind == "notice"]
    assert len(notices) == 1, notices
    assert "Retry-After" in notices[0] and "5 minutes" in notices[0]
    assert ("unlimited" in notices[0]) == (retry_after == "inf")
    # One 429, then the same task polled and fetched: nothing sent twice.
    assert [c for c, p, s in service.log if c == "POST"] == ["POST"]
