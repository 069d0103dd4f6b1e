"""Helpers for the model-tool tests: test models, uploads, reading results back."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import requests

from bridge.emulator.glb import write_glb
from bridge.emulator.mesh import Material, box, sphere
from bridge.emulator.model_read import read_model
from bridge.emulator.polymesh import PolyMesh, concatenate
from bridge.pngcodec import decode_png
from emu_helpers import KEY, fetch, finish

CONVERT = "/v1/tools/convert/"
TOPOLOGY = "/v1/3d-models/tencent/topology/"
TEXTURE_EDIT = "/v1/3d-models/tencent/texture-edit/"
BAKE = "/v1/tools/bake-texture/"
STATUS = "/v1/generation-request/{}/status/"

RED_LINEAR = (0.8, 0.02, 0.02, 1.0)
BLUE_LINEAR = (0.02, 0.05, 0.8, 1.0)


def two_colour_ball(rings: int = 40, segments: int = 80) -> PolyMesh:
    """A ball (radius 0.5 m, resting on y = 0) red above its equator, blue below; ~6k triangles."""
    tris = sphere((0, 0.5, 0), 0.5, rings, segments)
    area = np.linalg.norm(np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]), axis=1)
    tris = tris[area > 1e-12]
    top = tris[:, :, 1].mean(axis=1) > 0.5
    return PolyMesh.from_triangles(tris, None, np.where(top, 0, 1),
                                   [Material("red", RED_LINEAR), Material("blue", BLUE_LINEAR)])


def ball_and_block() -> PolyMesh:
    """A dense ball on a flat block: corners, flats and curves for the retopology."""
    ball = sphere((0, 0.6, 0), 0.35, 48, 96)
    parts = [PolyMesh.from_triangles(box((0, 0.1, 0), (1.0, 0.2, 0.6))), PolyMesh.from_triangles(ball)]
    return concatenate(parts).replace(face_materials=np.zeros(sum(p.face_count for p in parts), np.int64),
                                      materials=[Material("grey")])


def glb_of(mesh: PolyMesh) -> bytes:
    return write_glb(mesh.to_parts())


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


def texture_pixels(mesh: PolyMesh) -> np.ndarray:
    assert mesh.texture_png is not None, "the result carries no texture"
    return decode_png(mesh.texture_png)[..., :3]


def colour_at_faces(mesh: PolyMesh) -> np.ndarray:
    """(T, 3) sRGB 0–255 texture colour at each triangle's UV centroid."""
    pixels = texture_pixels(mesh)
    uv = mesh.uvs.mean(axis=1)
    rows = np.clip((uv[:, 1] * pixels.shape[0]).astype(int), 0, pixels.shape[0] - 1)
    cols = np.clip((uv[:, 0] * pixels.shape[1]).astype(int), 0, pixels.shape[1] - 1)
    return pixels[rows, cols].astype(float)


def is_red(rgb) -> np.ndarray:
    rgb = np.asarray(rgb, dtype=float)
    return (rgb[..., 0] > 1.8 * rgb[..., 1]) & (rgb[..., 0] > 1.8 * rgb[..., 2]) & (rgb[..., 0] > 80)


def is_blue(rgb) -> np.ndarray:
    rgb = np.asarray(rgb, dtype=float)
    return (rgb[..., 2] > 1.8 * rgb[..., 0]) & (rgb[..., 2] > 1.4 * rgb[..., 1]) & (rgb[..., 2] > 80)


def zip_entries(data: bytes) -> dict[str, bytes]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name) for name in archive.namelist()}
