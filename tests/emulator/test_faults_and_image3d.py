"""Every fault knob, the image3d.io side, and the command line."""

import subprocess
import sys
from pathlib import Path

import pytest
import requests
from emu_helpers import I3D, SAMPLES, data_url, finish, get, post, submit

from bridge.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
RAPID = "/v1/3d-models/tencent/generate/rapid/"
STATUS = "/v1/generation-request/{}/status/"


def test_server_errors_answer_5xx_and_do_nothing(emulator):
    emulator.faults.server_errors(2, status=503)
    assert post(emulator, RAPID, {"prompt": "a"}).status_code == 503
    assert get(emulator, "/account/user/wallet/").status_code == 503
    assert emulator.accepted == [] and emulator.balance == 1_000_000
    assert post(emulator, RAPID, {"prompt": "a"}).status_code == 200


def test_dropped_connection_before_accept_does_nothing(emulator):
    emulator.faults.drop_connections(1)
    with pytest.raises(requests.ConnectionError):
        post(emulator, RAPID, {"prompt": "a"})
    assert emulator.accepted == [] and emulator.balance == 1_000_000
    assert emulator.log[-1].status == 0


def test_dropped_connection_after_accept_still_charges(emulator):
    emulator.faults.drop_connections(1, after_accept=True)
    assert get(emulator, "/account/user/wallet/").status_code == 200  # GETs are not affected
    with pytest.raises(requests.ConnectionError):
        post(emulator, RAPID, {"prompt": "a"})
    assert len(emulator.accepted) == 1
    assert emulator.balance == 1_000_000 - 35
    assert post(emulator, RAPID, {"prompt": "a"}).status_code == 200


def test_truncated_download_sends_half_then_range_completes_it(emulator):
    task = submit(emulator, RAPID, {"prompt": "a robot"})
    url = finish(emulator, task)["results"][0]["asset"]
    whole = requests.get(url, timeout=30).content
    emulator.faults.truncate_downloads(1)
    got = b""
    with pytest.raises(requests.exceptions.RequestException):
        with requests.get(url, stream=True, timeout=30) as resp:
            assert resp.headers["Content-Length"] == str(len(whole))
            for chunk in resp.iter_content(4096):
                got += chunk
    assert 0 < len(got) < len(whole)
    rest = requests.get(url, headers={"Range": f"bytes={len(got)}-"}, timeout=30)
    assert rest.status_code == 206 and got + rest.content == whole


def test_empty_results_polls_show_finished_without_results(emulator):
    task = submit(emulator, RAPID, {"prompt": "a vase"})
    emulator.advance(600)
    emulator.faults.empty_results_polls(2)
    for _ in range(2):
        body = get(emulator, STATUS.format(task)).json()
        assert body["status"] == "FINISHED" and body["results"] == []
    assert get(emulator, STATUS.format(task)).json()["results"]


def test_failed_job_reports_reason_and_is_refunded(emulator):
    emulator.faults.fail_next_job("GPU on fire")
    task = submit(emulator, RAPID, {"prompt": "a vase", "enable_pbr": True})
    assert emulator.balance == 1_000_000 - 50
    emulator.advance(600)
    body = get(emulator, STATUS.format(task)).json()
    assert body == {"status": "FAILED", "progress": 100, "failure_reason": "GPU on fire", "results": []}
    get(emulator, STATUS.format(task))
    assert emulator.balance == 1_000_000            # refunded exactly once
    other = submit(emulator, RAPID, {"prompt": "a vase"})
    assert finish(emulator, other)["results"]       # only the next job failed


def test_image3d_generate_status_balance(emulator):
    resp = post(emulator, "/api/generate", {"mode": "image", "quality": "fast",
                                            "image": data_url(SAMPLES / "horse.png").split(",", 1)[1]},
                headers=I3D)
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "queued" and body["provider"] == "hunyuan3d-v3"
    first = get(emulator, f"/api/status/{body['task_id']}", headers=I3D).json()
    assert first["status"] == "queued" and first["model_url"] is None
    emulator.advance(60)
    done = get(emulator, f"/api/status/{body['task_id']}", headers=I3D).json()
    assert done["status"] == "success" and done["progress"] == 100
    assert requests.get(done["model_url"], timeout=30).content[:4] == b"glTF"
    balance = get(emulator, "/api/balance", headers=I3D).json()
    assert balance == {"balance": 1_000_000 - 1, "unit": "credits"}


def test_image3d_token_and_validation(emulator):
    assert get(emulator, "/api/balance", headers={"Authorization": "Bearer test-key"}).status_code == 401
    assert post(emulator, "/api/generate", {"mode": "text"}, headers=I3D).status_code == 400
    assert post(emulator, "/api/generate", {"mode": "text", "prompt": "a", "count": 1},
                headers=I3D).status_code == 400
    assert post(emulator, "/api/generate", {"mode": "text", "prompt": "a", "quality": "proplus",
                                            "mesh_only": True}, headers=I3D).status_code == 200


def test_refuses_to_bind_a_public_address():
    from bridge.emulator import Emulator
    with pytest.raises(ConfigError):
        Emulator(host="0.0.0.0")


def test_command_line_prints_url_and_serves_until_stopped():
    proc = subprocess.Popen([sys.executable, "-m", "bridge.emulator", "--port", "0", "--api-key", "k",
                             "--rate-limit", "5", "--credits", "42"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        body = requests.get(url + "/user/wallet/", headers={"Authorization": "Bearer k"}, timeout=10).json()
        assert body == {"balance": "42.00", "rate_limit": 5}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_command_line_refuses_a_public_host():
    done = subprocess.run([sys.executable, "-m", "bridge.emulator", "--host", "0.0.0.0", "--port", "0"],
                          capture_output=True, text=True, timeout=30, cwd=ROOT)
    assert done.returncode == 2 and "loopback" in done.stderr
