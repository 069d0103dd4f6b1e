"""Test meshes and how to read a result's look, shared by the emulator, engine and CLI tests.

The meshes are built in code (no files in the repository): a dense ball on a
block for retopology, and a ball red above its equator and blue below for
texture edits and bakes. ``colour_at_faces`` reads a textured result the way
a renderer would (the texture at each triangle's UV centroid).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from colour_checks import is_blue, is_red  # noqa: F401  (the tests of these samples use them)

from bridge.emulator.glb import write_glb
from bridge.emulator.mesh import Material, box, sphere
from bridge.emulator.model_read import read_model
from bridge.emulator.polymesh import PolyMesh, concatenate
from bridge.pngcodec import decode_png

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


def grey_ball(rings: int = 10, segments: int = 20) -> PolyMesh:
    """The same ball, coarse and untextured: a low-poly to bake onto."""
    tris = sphere((0, 0.5, 0), 0.5, rings, segments)
    area = np.linalg.norm(np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]), axis=1)
    return PolyMesh.from_triangles(tris[area > 1e-12])


def ball_and_block() -> PolyMesh:
    """A dense ball on a flat block: corners, flats and curves for the retopology."""
    ball = sphere((0, 0.6, 0), 0.35, 48, 96)
    parts = [PolyMesh.from_triangles(box((0, 0.1, 0), (1.0, 0.2, 0.6))), PolyMesh.from_triangles(ball)]
    return concatenate(parts).replace(face_materials=np.zeros(sum(p.face_count for p in parts), np.int64),
                                      materials=[Material("grey")])


def glb_of(mesh: PolyMesh) -> bytes:
    return write_glb(mesh.to_parts())


def write_model(path: Path, mesh: PolyMesh) -> str:
    """``mesh`` as a GLB file at ``path`` (the kind of file an artist exports); the path."""
    Path(path).write_bytes(glb_of(mesh))
    return str(path)


def read_file(path: str | Path) -> PolyMesh:
    return read_model(Path(path).read_bytes())


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
