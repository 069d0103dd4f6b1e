"""Helpers for the model-tool tests: test models, uploads, reading results back."""

from __future__ import annotations

import io
import zipfile

import requests
from emu_helpers import KEY, fetch, finish
from model_samples import (  # noqa: F401
    BLUE_LINEAR,
    RED_LINEAR,
    ball_and_block,
    colour_at_faces,
    glb_of,
    is_blue,
    is_red,
    texture_pixels,
    two_colour_ball,
)
from service_paths import BAKE, CONVERT, TEXTURE_EDIT, TOPOLOGY  # noqa: F401

from bridge.emulator.model_read import read_model
from bridge.emulator.polymesh import PolyMesh

STATUS = "/v1/generation-request/{}/status/"


def upload(emu, path: str, data: bytes, name: str, **fields) -> str:
    resp = requests.post(emu.url + path, headers=KEY, timeout=60, data={k: str(v) for k, v in fields.items()},
                         files={"model_file": (name, data)})
    assert resp.status_code == 200, resp.text
    return resp.json()["task_id"]


def post_json(emu, path: str, body: dict) -> str:
    resp = requests.post(emu.url + path, headers=KEY, json=body, timeout=60)
    assert resp.status_code == 200, resp.text
    return resp.json()["task_id"]


def result(emu, task_id: str) -> dict:
    """The single result item of a finished job."""
    body = finish(emu, task_id)
    assert len(body["results"]) == 1, body
    return body["results"][0]


def hosted(emu, mesh: PolyMesh, fmt: str = "glb") -> str:
    """The address of ``mesh`` on the service: one convert of an uploaded GLB (how a scene mesh gets one)."""
    return result(emu, upload(emu, CONVERT, glb_of(mesh), "scene_mesh.glb", output_format=fmt))["asset"]


def model_at(url: str) -> PolyMesh:
    return read_model(fetch(url))


def zip_entries(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}
