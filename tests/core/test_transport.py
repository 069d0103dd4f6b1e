"""Transport rules over real loopback HTTP, with a scripted server."""

import socket

import pytest

from bridge.clock import FakeClock
from bridge.errors import (
    ApiError,
    AuthError,
    DownloadError,
    NotSentError,
    RateLimitedError,
    ServerError,
    UncertainDeliveryError,
)
from bridge.ratebudget import RateBudget
from bridge.transport import Transport

KEY = "sk-test-0123456789abcdef0123456789"


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
    with pytest.raises(NotSentError) as info:
        t.post("/v1/x/", {})
    assert t.stats["requests"] == 3
    # Said in words, not as urllib3's wrapper objects.
    assert f"Could not reach http://127.0.0.1:{port}: the connection was refused" in str(info.value)
    assert "object at 0x" not in str(info.value) and "Errno" not in str(info.value)


def test_an_unknown_host_is_told_as_a_name_that_could_not_be_looked_up(monkeypatch):
    def no_such_name(*_args, **_kw):   # what the resolver says offline; no lookup leaves the machine
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    t = make("http://no-such-host.invalid", max_retries=0)
    with pytest.raises(NotSentError) as info:
        t.get("/account/user/wallet/")
    assert "its name could not be looked up (no internet connection, or a mistyped address)" \
        in str(info.value)


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


def test_a_redirected_submit_is_neither_followed_nor_resent(server):
    # requests would turn a redirected POST into a GET: the job would be neither sent
    # nor refused. A redirect means the service did not act: say which URL to use.
    server.answers = [(301, {"Location": "https://api.example.com/v1/x/"}, b"")]
    t = make(server.url)
    with pytest.raises(ApiError) as info:
        t.post("/v1/x/", {"prompt": "cat"})
    assert not isinstance(info.value, UncertainDeliveryError)
    assert [entry[0] for entry in server.seen] == ["POST"]
    assert "redirect" in str(info.value) and "https://api.example.com/v1/x/" in str(info.value)


def test_answers_are_scrubbed_of_the_key_as_they_are_decoded(server):
    server.answers = [(200, {}, {"balance": "5", "note": f"key {KEY.upper()} ok",
                                 "nested": [{"echo": f"Bearer {KEY}"}]})]
    body = make(server.url).get("/w")
    assert KEY.lower() not in repr(body).lower()
    assert body["balance"] == "5" and body["note"] == "key *** ok"
