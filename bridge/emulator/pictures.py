"""Pictures the emulator returns: generated from a prompt, edited, or rendered.

Generated pictures are procedural (a gradient and a few shapes seeded by
the prompt), so the same prompt gives the same PNG; edits composite over
studio grey or tint the input visibly; renders are flat-shaded orthographic
silhouettes of a mesh, made by splatting surface samples into a z-buffer
(no rasteriser needed, and fast enough for a thumbnail).
"""

from __future__ import annotations

import numpy as np

from ..pngcodec import composite_over, encode_png
from .mesh import face_normals
from .shapes import prompt_rng

STUDIO_GREY = (0xBE, 0xBE, 0xBE)
MAX_SIDE = 512  # generated pictures stay small; resolution options are not emulated

_RATIOS = {"21:9": (21, 9), "16:9": (16, 9), "3:2": (3, 2), "4:3": (4, 3), "5:4": (5, 4),
           "1:1": (1, 1), "4:5": (4, 5), "3:4": (3, 4), "2:3": (2, 3), "9:16": (9, 16),
           "1:4": (1, 4), "4:1": (4, 1), "1:8": (1, 8), "8:1": (8, 1),
           "portrait_4_3": (3, 4), "portrait_16_9": (9, 16), "landscape_4_3": (4, 3),
           "landscape_16_9": (16, 9)}


def picture_size(ratio: str | None) -> tuple[int, int]:
    """(width, height) for an aspect ratio or Seedream size name; square otherwise."""
    w, h = _RATIOS.get(ratio or "", (1, 1))
    scale = MAX_SIDE / max(w, h)
    return max(16, int(round(w * scale))), max(16, int(round(h * scale)))


def generate_picture(prompt: str, size: tuple[int, int] = (MAX_SIDE, MAX_SIDE), index: int = 0) -> bytes:
    """A deterministic RGB PNG for ``prompt`` (``index`` varies it for num_images > 1)."""
    rng = prompt_rng(f"{prompt}\x00{index}")
    w, h = size
    top, bottom = rng.uniform(40, 230, 3), rng.uniform(40, 230, 3)
    t = np.linspace(0.0, 1.0, h)[:, None, None]
    img = np.broadcast_to(top * (1 - t) + bottom * t, (h, w, 3)).copy()
    yy, xx = np.mgrid[0:h, 0:w]
    for _ in range(int(rng.integers(3, 7))):
        colour = rng.uniform(0, 255, 3)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        r = rng.uniform(0.08, 0.3) * min(w, h)
        if rng.random() < 0.5:
            inside = (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
        else:
            inside = (abs(xx - cx) < r) & (abs(yy - cy) < r * rng.uniform(0.3, 1.0))
        img[inside] = colour
    return encode_png(img.astype(np.uint8))


def over_grey(pixels: np.ndarray) -> bytes:
    """The picture flattened over studio grey #BEBEBE (what the miniature flow prepares)."""
    return encode_png(composite_over(pixels, STUDIO_GREY))


def tinted(pixels: np.ndarray, prompt: str) -> bytes:
    """A visible, prompt-dependent colour shift (alpha kept): an honest stand-in for an edit."""
    tint = prompt_rng(prompt).uniform(0, 255, 3)
    out = pixels.astype(np.float32).copy()
    out[..., :3] = out[..., :3] * 0.6 + tint * 0.4
    return encode_png(out.astype(np.uint8))


_VIEWS = {  # angle -> (right axis, up axis, towards-viewer axis), in model space
    "front": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "back": ((-1, 0, 0), (0, 1, 0), (0, 0, -1)),
    # The subject faces +Z, so its own left side is +X: "left" looks at that side.
    "left": ((0, 0, -1), (0, 1, 0), (1, 0, 0)),
    "right": ((0, 0, 1), (0, 1, 0), (-1, 0, 0)),
    "top": ((1, 0, 0), (0, 0, -1), (0, 1, 0)),
}


def _view_axes(angle: str) -> np.ndarray:
    if angle in _VIEWS:
        return np.array(_VIEWS[angle], dtype=np.float64)
    # 3/4, isometric and turntables: a view from front-right and a little above.
    toward = np.array([1.0, 0.6 if angle == "isometric" else 0.35, 1.0])
    toward /= np.linalg.norm(toward)
    right = np.cross([0.0, 1.0, 0.0], toward)
    right /= np.linalg.norm(right)
    return np.array([right, np.cross(toward, right), toward])


def render_mesh(tris: np.ndarray, angle: str = "3/4", size: int = 256, colour=(200, 170, 140),
                background=(255, 255, 255, 0), samples: int = 150_000) -> bytes:
    """A flat-shaded orthographic RGBA PNG of the triangles, seen from ``angle``."""
    t = np.asarray(tris, dtype=np.float64)
    axes = _view_axes(angle)
    rng = np.random.default_rng(0)
    area = 0.5 * np.linalg.norm(np.cross(t[:, 1] - t[:, 0], t[:, 2] - t[:, 0]), axis=1)
    if area.sum() <= 0:
        raise ValueError("the mesh has no area to render")
    pick = rng.choice(len(t), size=samples, p=area / area.sum())
    a, b = rng.random((2, samples))
    flip = a + b > 1
    a[flip], b[flip] = 1 - a[flip], 1 - b[flip]
    chosen = t[pick]
    pts = (chosen[:, 0] + a[:, None] * (chosen[:, 1] - chosen[:, 0])
           + b[:, None] * (chosen[:, 2] - chosen[:, 0]))
    view = pts @ axes.T                          # (x right, y up, z toward viewer)
    light = np.clip(face_normals(t)[pick] @ axes.T @ np.array([0.3, 0.5, 0.8]), 0.0, 1.0)
    shade = 0.35 + 0.65 * light
    lo, hi = view[:, :2].min(axis=0), view[:, :2].max(axis=0)
    span = max(hi - lo) * 1.1 or 1.0
    centre = (lo + hi) / 2
    px = ((view[:, 0] - centre[0]) / span + 0.5) * (size - 1)
    py = (0.5 - (view[:, 1] - centre[1]) / span) * (size - 1)
    ix, iy = np.clip(np.rint(px).astype(int), 0, size - 1), np.clip(np.rint(py).astype(int), 0, size - 1)
    order = np.argsort(view[:, 2])               # far first, so near samples land last
    img = np.zeros((size, size, 4), dtype=np.uint8)
    img[:] = background
    rgb = (np.array(colour, dtype=np.float64)[None, :] * shade[:, None]).astype(np.uint8)
    img[iy[order], ix[order], :3] = rgb[order]
    img[iy[order], ix[order], 3] = 255
    return encode_png(img)
