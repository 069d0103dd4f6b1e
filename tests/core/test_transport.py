"""Transport rules over real loopback HTTP, with a scripted server."""

import http.server
import json
import socket
import threading

import pytest

from bridge.clock import FakeClock
from bridge.errors import (AuthError, DownloadError, NotSentError, RateLimitedError,
                           ServerError, UncertainDeliveryError)
from bridge.ratebudget import RateBudget
from bridge.transport import Transport

KEY = "sk-test-0123456789abcdef0123456789"


class Script:
    """Answers queued per request; records what arrived."""

    def __init__(self):
        self.answers = []
        self.seen = []


@pytest.fixture
def server():
    script = Script()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            script.seen.append((self.command, self.path, dict(self.headers), body))
            action = script.answers.pop(0) if script.answers else (200, {}, {"ok": True})
            if action == "drop":
                self.close_connection = True
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            status, headers, payload = action
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            if "Range" in self.headers and status == 206:
                start = int(self.headers["Range"].split("=")[1].rstrip("-"))
                total = headers.pop("_total")
                headers["Content-Range"] = f"bytes {start}-{total - 1}/{total}"
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, str(v))
            self.send_header("Content-Length", str(headers.get("_claim", len(data))))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    script.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield script
    httpd.shutdown()
    httpd.server_close()


def make(url, **kw):
    return Transport(url, KEY, clock=FakeClock(), timeout=5, **kw)


def test_get_retries_5xx_then_succeeds(server):
    server.answers = [(503, {}, {}), (502, {}, {}), (200, {}, {"balance": "5"})]
    t = make(server.url)
    assert t.get("/w")["balance"] == "5"
    assert len(server.seen) == 3


def test_post_with_lost_answer_is_uncertain_and_not_repeated(server):
    server.answers = ["drop"]
    t = make(server.url)
    with pytest.raises(UncertainDeliveryError) as info:
        t.post("/v1/x/", {"prompt": "cat"})
    assert len(server.seen) == 1
    assert "not charged twice" in str(info.value)


def test_post_to_a_closed_port_is_retried_then_reported_not_sent():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    t = make(f"http://127.0.0.1:{port}", max_retries=2)
    with pytest.raises(NotSentError):
        t.post("/v1/x/", {})
    assert t.stats["requests"] == 3


def test_429_on_submit_waits_retry_after_and_sends_the_same_request(server):
    server.answers = [(429, {"Retry-After": "20"}, {"code": "rate_limited"}),
                      (200, {}, {"task_id": "t1"})]
    clock = FakeClock()
    budget = RateBudget(100, clock)
    t = Transport(server.url, KEY, clock=clock, budget=budget)
    start = clock.now()
    assert t.post("/v1/x/", {"prompt": "cat"})["task_id"] == "t1"
    assert clock.now() - start >= 20
    assert server.seen[0][3] == server.seen[1][3]
    assert budget.penalties == 1


def test_persistent_429_gives_up_with_rate_limited_error(server):
    server.answers = [(429, {"Retry-After": "1"}, {"code": "rate_limited"})] * 10
    t = make(server.url, max_retries=1)
    with pytest.raises(RateLimitedError):
        t.get("/w")


def test_auth_error_is_not_retried_and_hides_the_key(server):
    server.answers = [(401, {}, {"code": "invalid_api_key", "message": f"bad key {KEY}"})]
    t = make(server.url)
    with pytest.raises(AuthError) as info:
        t.get("/w")
    assert KEY not in str(info.value)
    assert len(server.seen) == 1


def test_post_5xx_retried_then_raised(server):
    server.answers = [(500, {}, {})] * 3
    t = make(server.url, max_retries=2)
    with pytest.raises(ServerError):
        t.post("/v1/x/", {})
    assert len(server.seen) == 3


def test_api_calls_carry_bearer_but_downloads_do_not(server, tmp_path):
    server.answers = [(200, {}, {"ok": 1}), (200, {}, b"GLBDATA")]
    t = make(server.url)
    t.get("/w")
    t.download(server.url + "/files/a.glb", tmp_path / "a.glb")
    assert server.seen[0][2]["Authorization"] == f"Bearer {KEY}"
    assert "Authorization" not in server.seen[1][2]
    assert (tmp_path / "a.glb").read_bytes() == b"GLBDATA"


def test_cut_off_download_resumes_with_range(server, tmp_path):
    payload = bytes(range(256)) * 1200   # 300 KiB: several chunks
    cut = 150_000
    kept = (cut // (64 * 1024)) * 64 * 1024  # whole chunks survive the drop
    server.answers = [(200, {"_claim": len(payload)}, payload[:cut]),
                      (206, {"_total": len(payload)}, payload[kept:])]
    t = make(server.url)
    out = t.download(server.url + "/files/b.glb", tmp_path / "b.glb")
    assert out.read_bytes() == payload
    assert server.seen[1][2]["Range"] == f"bytes={kept}-"
    assert not (tmp_path / "b.glb.part").exists()


def test_download_gives_up_without_leaving_a_half_file(server, tmp_path):
    server.answers = [(500, {}, b"")] * 5
    t = make(server.url, max_retries=1)
    with pytest.raises(DownloadError):
        t.download(server.url + "/files/c.glb", tmp_path / "c.glb")
    assert not (tmp_path / "c.glb").exists()
