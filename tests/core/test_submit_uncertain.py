"""Issue 11, item 1: a submit the service may have acted on is never sent twice.

Against the emulator, which accepts and charges the job and then answers
without a task id (a proxy's HTML page, JSON without ``task_id``, garbage) or
with a gateway error: the client must raise UncertainDeliveryError after ONE
POST and say where to look. A 5xx that the service itself gave (it failed, no
task exists) is retried, as the contract says.
"""

import json

import pytest

from bridge.api.image3d import Image3dRequest
from bridge.api.tencent import TencentRapidRequest
from bridge.client import client_for
from bridge.errors import UncertainDeliveryError

PORTAL = ("<!DOCTYPE html><html><head><title>Hotel WiFi - please sign in</title></head>"
          "<body><form>...</form></body></html>")
HOSTILE_2XX = {
    "html page": (PORTAL, "text/html"),
    "json without task_id": (json.dumps({"status": "queued", "id": 7}), "application/json"),
    "garbage": (b"\x00\xff\xfe garbage", "application/octet-stream"),
    "empty": ("", "text/plain"),
    "unusable task id": (json.dumps({"task_id": "../../etc/passwd"}), "application/json"),
    "task id not a string": (json.dumps({"task_id": {"id": 1}}), "application/json"),
    "json list": (json.dumps([{"task_id": "abc"}]), "application/json"),
}


def posts(emulator):
    return [entry for entry in emulator.log if entry.method == "POST"]


def submit(settings, clock, request=None):
    client = client_for(request or "3daistudio", settings, clock=clock)
    return client.submit(request or TencentRapidRequest(prompt="a red armchair"))


@pytest.mark.parametrize("body, content_type", HOSTILE_2XX.values(), ids=HOSTILE_2XX.keys())
def test_a_2xx_without_a_readable_task_id_is_sent_once_and_points_to_the_dashboard(
        emulator, settings, fake_clock, body, content_type):
    emulator.faults.answer_submits_with(1, body, content_type=content_type)
    before = emulator.balance
    with pytest.raises(UncertainDeliveryError) as info:
        submit(settings, fake_clock)
    assert len(posts(emulator)) == 1 and len(emulator.accepted) == 1
    assert emulator.balance == before - 35          # charged once, never twice
    text = str(info.value)
    assert "3daistudio.com" in text and "not sent again" in text


def test_the_proxy_page_is_named_by_its_title_not_dumped(emulator, settings, fake_clock):
    emulator.faults.answer_submits_with(1, PORTAL)
    with pytest.raises(UncertainDeliveryError) as info:
        submit(settings, fake_clock)
    assert "Hotel WiFi - please sign in" in str(info.value) and "<form>" not in str(info.value)


def test_image3d_points_to_its_own_site(emulator, settings, fake_clock):
    emulator.faults.answer_submits_with(1, PORTAL)
    with pytest.raises(UncertainDeliveryError) as info:
        submit(settings, fake_clock, Image3dRequest(prompt="a red armchair"))
    assert len(posts(emulator)) == 1 and len(emulator.accepted) == 1
    assert "image3d.io" in str(info.value)


@pytest.mark.parametrize("status", [502, 504])
def test_a_gateway_error_may_hide_an_accepted_task(emulator, settings, fake_clock, status):
    emulator.faults.answer_submits_with(
        1, f"<html><head><title>{status} Gateway problem</title></head></html>", status=status)
    with pytest.raises(UncertainDeliveryError) as info:
        submit(settings, fake_clock)
    assert len(posts(emulator)) == 1 and len(emulator.accepted) == 1
    assert f"HTTP {status}" in str(info.value) and "3daistudio.com" in str(info.value)


@pytest.mark.parametrize("status", [500, 503])
def test_the_service_saying_it_failed_is_retried(emulator, settings, fake_clock, status):
    # The service (or its load balancer) answered before doing any work: no task exists.
    emulator.faults.raw_errors(1, status, "<html><title>Service Unavailable</title></html>")
    sub = submit(settings, fake_clock)
    assert len(posts(emulator)) == 2 and len(emulator.accepted) == 1
    assert sub.task_id == emulator.accepted[0].task_id


def test_a_gateway_status_in_the_services_own_words_is_retried(emulator, settings, fake_clock):
    emulator.faults.server_errors(1, status=502)   # JSON {"code": "server_error", ...}
    sub = submit(settings, fake_clock)
    assert len(posts(emulator)) == 2 and sub.task_id == emulator.accepted[0].task_id


def test_a_good_answer_still_works(emulator, settings, fake_clock):
    sub = submit(settings, fake_clock)
    assert sub.task_id == emulator.accepted[0].task_id and sub.created_at
