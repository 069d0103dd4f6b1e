"""The 3D AI Studio side over real HTTP: auth, wallet, validation, money, time."""

import pytest
from emu_helpers import KEY, SAMPLES, data_url, finish, get, post, submit

RAPID = "/v1/3d-models/tencent/generate/rapid/"
STATUS = "/v1/generation-request/{}/status/"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "test-key"}])
def test_wrong_or_missing_key_is_401_and_never_echoed(emulator, headers):
    resp = post(emulator, RAPID, {"prompt": "a chair"}, headers=headers)
    assert resp.status_code == 401
    assert resp.json()["code"] == "invalid_api_key"
    assert "wrong" not in resp.text and "test-key" not in resp.text
    assert emulator.accepted == []


@pytest.mark.parametrize("path", ["/account/user/wallet/", "/user/wallet/"])
def test_wallet_answers_balance_as_string(emulator, path):
    body = get(emulator, path).json()
    assert body["balance"] == "1000000.00"
    assert isinstance(body["rate_limit"], int)


@pytest.mark.parametrize("path, body, wrong", [
    ("/v1/3d-models/trellis2/generate/", {"image": "IMG", "enable_pbr": True}, "enable_pbr"),
    ("/v1/3d-models/tripo/text-to-3d/", {"prompt": "a cat", "version": "v3.1"}, "version"),
    ("/v1/images/gemini/2.5/flash/generate/", {"prompt": "a cat", "count": 2}, "count"),
    ("/v1/tools/bake-texture/", {"original_url": "https://x.test/a.glb", "retopo_url": "https://x.test/b.glb",
                                 "high_poly_model_url": "https://x.test/a.glb"}, "high_poly_model_url"),
])
def test_unknown_wire_names_are_rejected(emulator, path, body, wrong):
    body = {k: (data_url(SAMPLES / "chair.png") if v == "IMG" else v) for k, v in body.items()}
    resp = post(emulator, path, body)
    assert resp.status_code == 400
    assert resp.json()["code"] == "validation_failed"
    assert wrong in resp.json()["message"]
    assert emulator.accepted == []


@pytest.mark.parametrize("path, body", [
    (RAPID, {}),                                                        # neither prompt nor image
    (RAPID, {"prompt": "a", "image": "IMG"}),                           # both
    (RAPID, {"image": "data:image/png;base64,bm90IGFuIGltYWdl"}),       # data URL of text
    ("/v1/3d-models/tencent/generate/pro/", {"model": "3.2", "prompt": "a"}),
    ("/v1/3d-models/tencent/generate/pro/", {"model": "3.1", "prompt": "a", "generate_type": "LowPoly"}),
    ("/v1/3d-models/trellis2/generate/", {"image": "IMG", "resolution": 1024}),   # int, wire wants "1024"
    ("/v1/3d-models/tripo/text-to-3d/p1/", {"prompt": "a", "face_limit": 30_000}),
    ("/v1/flow/miniature/", {"image": "IMG", "preset": "miniature_giant"}),
    ("/v1/flow/miniature/", {"image": "IMG", "preset": "miniature_object", "scale": "custom"}),
    ("/v1/tools/calculate-volume/", {"model_url": "https://x.test/a.glb", "target_heights": "1,2,x"}),
])
def test_contract_violations_are_400(emulator, path, body):
    body = {k: (data_url(SAMPLES / "chair.png") if v == "IMG" else v) for k, v in body.items()}
    resp = post(emulator, path, body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["code"] == "validation_failed"


def test_submit_answers_uuid_and_timestamp_and_charges_the_price(emulator):
    resp = post(emulator, "/v1/3d-models/tencent/generate/pro/",
                {"model": "3.0", "prompt": "a vase", "enable_pbr": True})
    body = resp.json()
    assert resp.status_code == 200
    assert len(body["task_id"]) == 36 and body["created_at"].startswith("2027-")
    assert get(emulator, "/account/user/wallet/").json()["balance"] == f"{1_000_000 - 80:.2f}"
    assert emulator.accepted[0]["endpoint"] == "/v1/3d-models/tencent/generate/pro/"
    assert emulator.accepted[0].task_id == body["task_id"]


def test_progress_goes_pending_then_0_33_66_100_over_the_duration(emulator):
    task = submit(emulator, "/v1/flow/miniature/", {"image": data_url(SAMPLES / "robot.png"),
                                                     "preset": "miniature_object", "edition": "fast"})
    seen = []
    for _ in range(10):                          # fast edition: 240 s of service time
        body = get(emulator, STATUS.format(task)).json()
        seen.append((body["status"], body["progress"]))
        emulator.advance(30)
    assert seen[0] == ("PENDING", 0)
    assert [p for _, p in seen] == sorted(p for _, p in seen)
    assert {p for _, p in seen} == {0, 33, 66, 100}
    assert seen[-1] == ("FINISHED", 100)
    assert ("IN_PROGRESS", 33) in seen and ("IN_PROGRESS", 66) in seen
    assert [s for s, _ in seen if s == "FINISHED"] and seen.index(("FINISHED", 100)) >= 7


def test_unknown_task_is_404(emulator):
    assert get(emulator, STATUS.format("00000000-0000-0000-0000-000000000000")).status_code == 404


def test_402_when_the_wallet_cannot_pay_and_nothing_is_accepted(emulator):
    emulator.set_credits(299)
    resp = post(emulator, "/v1/flow/miniature/", {"image": data_url(SAMPLES / "robot.png"),
                                                   "preset": "miniature_object"})
    assert resp.status_code == 402
    assert resp.json()["code"] == "insufficient_credits"
    assert emulator.accepted == [] and emulator.balance == 299


def test_rate_limit_429_with_retry_after_then_window_slides(emulator):
    emulator.set_rate_limit(3)
    for _ in range(3):
        assert get(emulator, "/account/user/wallet/").status_code == 200
    emulator.advance(20)
    resp = get(emulator, "/account/user/wallet/")
    assert resp.status_code == 429
    assert resp.json()["code"] == "rate_limited"
    assert resp.headers["Retry-After"] == "40"
    emulator.advance(40)
    assert get(emulator, "/account/user/wallet/").status_code == 200


def test_retry_after_is_in_service_seconds_on_a_scaled_clock(fake_clock):
    from bridge.emulator import Emulator
    with Emulator(time_scale=60.0, rate_limit=1, clock=fake_clock) as emu:
        assert get(emu, "/account/user/wallet/").status_code == 200
        fake_clock.advance(0.5)                   # 30 service seconds
        resp = get(emu, "/account/user/wallet/")
        assert resp.status_code == 429 and resp.headers["Retry-After"] == "30"


def test_results_expire_after_24_hours(emulator):
    task = submit(emulator, RAPID, {"prompt": "a tree"})
    url = finish(emulator, task)["results"][0]["asset"]
    emulator.advance(23 * 3600)
    assert get(emulator, STATUS.format(task)).status_code == 200
    emulator.advance(3600)
    assert get(emulator, STATUS.format(task)).status_code == 410
    assert get(emulator, url.replace(emulator.url, ""), headers={}).status_code == 410


def test_expire_knob_gives_410_at_once(emulator):
    task = submit(emulator, RAPID, {"prompt": "a tree"})
    emulator.expire(task)
    assert get(emulator, STATUS.format(task)).status_code == 410


def test_files_need_no_auth_and_the_log_records_who_sent_one(emulator):
    task = submit(emulator, RAPID, {"prompt": "a sword"})
    url = finish(emulator, task)["results"][0]["asset"]
    path = url.replace(emulator.url, "")
    assert get(emulator, path, headers={}).content[:4] == b"glTF"
    get(emulator, path, headers=KEY)
    file_entries = [e for e in emulator.log if e.path == path]
    assert [e.had_auth for e in file_entries] == [False, True]
    assert all(e["method"] == "GET" and e["status"] == 200 for e in file_entries)


def test_range_request_resumes_a_download(emulator):
    task = submit(emulator, RAPID, {"prompt": "a chair"})
    path = finish(emulator, task)["results"][0]["asset"].replace(emulator.url, "")
    whole = get(emulator, path, headers={})
    assert whole.headers["Content-Length"] == str(len(whole.content))
    part = get(emulator, path, headers={"Range": "bytes=100-"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-{len(whole.content) - 1}/{len(whole.content)}"
    assert whole.content[:100] + part.content == whole.content
    assert get(emulator, path, headers={"Range": f"bytes={len(whole.content)}-"}).status_code == 416


def test_tools_take_multipart_uploads(emulator, tmp_path):
    import requests
    glb = tmp_path / "box.glb"
    task = submit(emulator, RAPID, {"prompt": "a table"})
    import emu_helpers
    glb.write_bytes(emu_helpers.fetch(finish(emulator, task)["results"][0]["asset"]))
    with open(glb, "rb") as fh:
        resp = requests.post(emulator.url + "/v1/tools/convert/", headers=KEY, timeout=30,
                             data={"output_format": "stl", "unit": "cm"},
                             files={"model_file": ("box.glb", fh, "application/octet-stream")})
    assert resp.status_code == 200, resp.text
    with open(glb, "rb") as fh:
        bad = requests.post(emulator.url + "/v1/tools/convert/", headers=KEY, timeout=30,
                            data={"output_format": "stl", "format": "stl"},
                            files={"model_file": ("box.glb", fh, "application/octet-stream")})
    assert bad.status_code == 400 and "format" in bad.json()["message"]
