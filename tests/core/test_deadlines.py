"""Issue 11, item 2: a server that trickles cannot hold a call open.

The emulator's trickle knob sends a whole answer, status line and headers
included, one byte at a time: each read succeeds well within the per-read
timeout, so only a total deadline ends it. These tests run on real time (the
sockets do) with deadlines of a second or two.
"""

import http.server
import threading
import time

import pytest

from bridge.api.tencent import TencentRapidRequest
from bridge.client import client_for
from bridge.errors import DownloadError, TransportError, UncertainDeliveryError


def quick_client(settings, clock, deadline=1.0):
    client = client_for("3daistudio", settings, clock=clock)
    client.transport.deadline = deadline
    client.transport.download_window = 1.0
    client.transport.download_min_rate = 4000     # bytes/s over each 1 s window
    return client


def finished_job(emulator, client):
    sub = client.submit(TencentRapidRequest(prompt="a red armchair"))
    emulator.advance(3600)
    status = client.status(sub.task_id)
    assert status.done
    return sub, status.results[0].url


def watchdog_running() -> bool:
    return any(t.name == "http-deadline-watchdog" for t in threading.enumerate())


def test_a_trickled_status_is_cut_at_its_deadline(emulator, settings, fake_clock):
    client = quick_client(settings, fake_clock)
    sub = client.submit(TencentRapidRequest(prompt="a red armchair"))
    emulator.faults.trickle(1, 0.1)   # ~200 bytes: 20 s if nobody cuts it
    start = time.monotonic()
    with pytest.raises(TransportError) as info:
        client.status(sub.task_id)
    assert time.monotonic() - start < 3.0
    assert "did not answer within 1 s" in str(info.value)
    assert client.status(sub.task_id).state   # the next call is served normally


def test_a_trickled_submit_answer_is_cut_and_the_job_is_never_resent(emulator, settings,
                                                                     fake_clock):
    client = quick_client(settings, fake_clock)
    emulator.faults.trickle(1, 0.1)
    start = time.monotonic()
    with pytest.raises(UncertainDeliveryError) as info:
        client.submit(TencentRapidRequest(prompt="a red armchair"))
    assert time.monotonic() - start < 3.0
    assert len(emulator.accepted) == 1
    assert [e.method for e in emulator.log].count("POST") == 1
    assert "3daistudio.com" in str(info.value)


def test_a_download_whose_head_trickles_is_cut(emulator, settings, fake_clock, tmp_path):
    client = quick_client(settings, fake_clock)
    _, url = finished_job(emulator, client)
    emulator.faults.trickle(1, 0.2, downloads=True)
    start = time.monotonic()
    with pytest.raises(DownloadError) as info:
        client.download(url, tmp_path / "m.glb")
    assert time.monotonic() - start < 3.0
    assert "did not start sending within 1 s" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_a_download_whose_body_trickles_is_cut_by_the_throughput_rule(emulator, settings,
                                                                       fake_clock, tmp_path):
    client = quick_client(settings, fake_clock, deadline=5.0)
    _, url = finished_job(emulator, client)
    emulator.faults.trickle(1, 0.004, downloads=True)   # ~250 bytes/s: the head arrives in time
    start = time.monotonic()
    with pytest.raises(DownloadError) as info:
        client.download(url, tmp_path / "m.glb")
    assert time.monotonic() - start < 5.0
    assert "stalled" in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def slow_file_server():
    """Serves 300 kB at about 300 kB/s: slow, steady, and well above the minimum."""
    payload = bytes(range(256)) * 1200

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            for i in range(0, len(payload), 30_000):
                self.wfile.write(payload[i:i + 30_000])
                self.wfile.flush()
                time.sleep(0.1)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/files/big.glb", payload
    httpd.shutdown()
    httpd.server_close()


def test_a_slow_but_steady_download_completes(settings, slow_file_server, fake_clock, tmp_path):
    url, payload = slow_file_server
    client = client_for("3daistudio", settings, clock=fake_clock)
    client.transport.deadline = 1.0              # only the head must come within this
    client.transport.download_window = 0.5
    client.transport.download_min_rate = 60_000  # well under the 300 kB/s it sends
    out = client.download(url, tmp_path / "big.glb")
    assert out.read_bytes() == payload


def test_the_watchdog_thread_ends_with_the_work(emulator, settings, fake_clock):
    client = quick_client(settings, fake_clock)
    client.wallet()
    deadline = time.monotonic() + 2.0
    while watchdog_running() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not watchdog_running()
