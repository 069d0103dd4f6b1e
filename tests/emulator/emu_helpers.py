"""Small helpers for talking to the emulator with plain ``requests``."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import numpy as np
import requests

from bridge.emulator.gltf_read import read_glb

SAMPLES = Path("/work/shared/samples")
KEY = {"Authorization": "Bearer test-key"}
I3D = {"Authorization": "Bearer i3d-token"}


def data_url(path_or_bytes, mime: str = "image/png") -> str:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def post(emu, path: str, body: dict, headers=KEY) -> requests.Response:
    return requests.post(emu.url + path, json=body, headers=headers, timeout=30)


def get(emu, path: str, headers=KEY) -> requests.Response:
    return requests.get(emu.url + path, headers=headers, timeout=30)


def submit(emu, path: str, body: dict) -> str:
    resp = post(emu, path, body)
    assert resp.status_code == 200, resp.text
    return resp.json()["task_id"]


def finish(emu, task_id: str) -> dict:
    """Move service time past any job's duration and return the FINISHED status body."""
    emu.advance(3600)
    resp = get(emu, f"/v1/generation-request/{task_id}/status/")
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["status"] == "FINISHED", body
    return body


def asset(body: dict, asset_type: str) -> dict:
    found = [r for r in body["results"] if r["asset_type"] == asset_type]
    assert found, f"no {asset_type} in {[r['asset_type'] for r in body['results']]}"
    return found[0]


def fetch(url: str) -> bytes:
    resp = requests.get(url, timeout=30)
    assert resp.status_code == 200, resp.status_code
    return resp.content


def glb_extent(data: bytes) -> np.ndarray:
    tris = read_glb(data).triangles
    return tris.reshape(-1, 3).max(axis=0) - tris.reshape(-1, 3).min(axis=0)


def zip_names(data: bytes) -> list[str]:
    import zipfile
    return zipfile.ZipFile(io.BytesIO(data)).namelist()
