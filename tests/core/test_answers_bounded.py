"""Issue 20, items 3, 4, 5 and 9: no answer can bloat or hang a call, and a request
refused on this machine is known never to have left it.

Against the scripted loopback server of ``conftest.py`` and the emulator's
fault injection: real HTTP, no real waiting beyond what the answers take.
"""

from __future__ import annotations

import gzip
import json
import threading
import time

import pytest

from bridge.api.tencent import TencentRapidRequest
from bridge.client import client_for
from bridge.clock import FakeClock
from bridge.config import Settings, load_settings
from bridge.errors import (
    AnswerTooLargeError,
    BadRequestError,
    ConfigError,
    NotSentError,
    ServerError,
    UncertainDeliveryError,
    UnreadableAnswerError,
)
from bridge.safetext import service_text
from bridge.transport import MAX_ANSWER_BYTES, Transport


def transport(url: str, token: str = "secret-token-1234") -> Transport:
    return Transport(url, token, clock=FakeClock(), max_retries=0)


# -- item 3: a cap on JSON answers, decompressed bytes counted ------------------------

def test_a_status_answer_over_the_cap_is_refused_not_read_whole(server):
    big = json.dumps({"status": "IN_PROGRESS", "pad": "x" * (MAX_ANSWER_BYTES + 1000)}).encode()
    server.answers.append((200, {"Content-Type": "application/json"}, big))
    with pytest.raises(AnswerTooLargeError) as info:
        transport(server.url).get("/v1/generation-request/t/status/")
    assert isinstance(info.value, ServerError) and "MB" in str(info.value)


def test_a_small_gzip_answer_that_inflates_past_the_cap_is_refused(server):
    inflated = b'{"status": "FINISHED", "pad": "' + b" " * (64 * 1024 ** 2) + b'"}'
    packed = gzip.compress(inflated, 9)
    assert len(packed) < 200 * 1024
    server.answers.append((200, {"Content-Type": "application/json",
                                 "Content-Encoding": "gzip"}, packed))
    with pytest.raises(AnswerTooLargeError):
        transport(server.url).get("/v1/generation-request/t/status/")


def test_a_submit_answered_over_the_cap_is_uncertain_never_resent(server):
    big = json.dumps({"task_id": "t-1", "pad": "x" * (MAX_ANSWER_BYTES + 10)}).encode()
    server.answers.append((200, {"Content-Type": "application/json"}, big))
    with pytest.raises(UncertainDeliveryError):
        transport(server.url).post("/v1/3d-models/tencent/generate/rapid/", {"prompt": "a"})
    assert len([s for s in server.seen if s[0] == "POST"]) == 1


def test_an_error_answer_over_the_cap_keeps_its_status_meaning(server):
    big = b"<html><title>Bad</title>" + b"x" * (MAX_ANSWER_BYTES + 10)
    server.answers.append((400, {"Content-Type": "text/html"}, big))
    with pytest.raises(BadRequestError):
        transport(server.url).get("/v1/generation-request/t/status/")


# -- item 4: a crafted HTML page is cleaned in linear time ------------------------------

CRAFTED = {
    "unclosed titles": "<html>" + "<title" * 50_000,
    "unclosed tags": "<html><body>" + "<" * 300_000,
    "unclosed scripts": "<html>" + "<script>" * 37_000,
}


def _timed(fn, limit: float) -> float:
    done = threading.Event()
    started = time.monotonic()

    def run():
        fn()
        done.set()
    threading.Thread(target=run, daemon=True).start()
    assert done.wait(limit), f"still cleaning after {limit} s"
    return time.monotonic() - started


@pytest.mark.parametrize("page", CRAFTED.values(), ids=CRAFTED.keys())
def test_a_crafted_error_page_does_not_hang_the_client(emulator, settings, fake_clock, page):
    emulator.faults.raw_errors(1, 400, page)
    client = client_for("3daistudio", settings, clock=fake_clock)

    def status():
        with pytest.raises(BadRequestError):
            client.status("t-1")
    assert _timed(status, 3.0) < 3.0


def test_the_cut_leaves_no_part_of_a_key_at_the_edge():
    key = "sk-live-0123456789abcdef"
    for shift in range(0, len(key) + 2):
        text = "a" * (64 * 1024 - shift) + key + "b" * 100
        cleaned = service_text(text, key, limit=10 ** 6)
        assert "sk-live" not in cleaned and "0123456789abcdef" not in cleaned


# -- item 5: deeply nested JSON ends the call with a clear error ------------------------

def test_deeply_nested_json_is_a_clear_error_not_a_recursion_error(server):
    nested = b"[" * 100_000 + b"]" * 100_000
    server.answers.append((200, {"Content-Type": "application/json"}, nested))
    with pytest.raises(UnreadableAnswerError) as info:
        transport(server.url).get("/v1/generation-request/t/status/")
    assert "nested" in str(info.value)


def test_nesting_deep_enough_for_scrubbing_to_recurse_is_refused_too(server):
    nested = b'{"a":' * 900 + b'"x"' + b"}" * 900
    server.answers.append((200, {"Content-Type": "application/json"}, nested))
    with pytest.raises(UnreadableAnswerError):
        transport(server.url).get("/v1/generation-request/t/status/")


def test_a_submit_answered_with_nested_json_is_uncertain(server):
    server.answers.append((200, {"Content-Type": "application/json"},
                           b"[" * 100_000 + b"]" * 100_000))
    with pytest.raises(UncertainDeliveryError):
        transport(server.url).post("/v1/3d-models/tencent/generate/rapid/", {"prompt": "a"})


# -- item 9: a key that cannot be sent is refused where it is set; never UNKNOWN -----------

BAD_KEYS = {"zero-width space": "test\u200b-key-1234", "line break": "test-key\n-1234",
            "non-latin-1": "test-key-\u0416-1234", "inner space": "test key 1234"}


@pytest.mark.parametrize("key", BAD_KEYS.values(), ids=BAD_KEYS.keys())
def test_a_malformed_key_is_refused_when_it_is_set(key, tmp_path):
    with pytest.raises(ConfigError) as info:
        load_settings({"3D_AI_STUDIO_API_KEY": key}, dotenv=tmp_path / "none")
    assert key not in str(info.value) and "position" in str(info.value)
    with pytest.raises(ConfigError):
        Settings(api_key=key).require_key()


UNSENDABLE = {k: v for k, v in BAD_KEYS.items() if k != "inner space"}


@pytest.mark.parametrize("key", UNSENDABLE.values(), ids=UNSENDABLE.keys())
def test_a_header_refused_locally_is_not_sent_not_uncertain(server, key):
    with pytest.raises(NotSentError):
        transport(server.url, token=key).post("/v1/3d-models/tencent/generate/rapid/",
                                              {"prompt": "a chair"})
    assert not server.seen


def test_a_client_with_a_bad_key_refuses_before_building_a_request(settings, fake_clock):
    settings.api_key = "test-key\u200b"
    with pytest.raises(ConfigError):
        client_for("3daistudio", settings, clock=fake_clock).submit(
            TencentRapidRequest(prompt="a chair"))
