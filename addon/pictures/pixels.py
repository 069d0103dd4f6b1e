"""Blender pixel arrays to the bytes a PNG holds (plain numpy, no bpy).

``Image.pixels`` gives floats, bottom row first: byte images as their
stored values over 255 (sRGB, straight alpha), float images (16-bit PNG,
EXR…) scene-linear with premultiplied alpha. Both become HxWx4 uint8, top
row first, straight alpha, sRGB: what the service and a PNG file expect.
Used by the helper Blender and by the add-on's helper thread, which
converts pixels the main thread only copied.
"""

from __future__ import annotations

import numpy as np


def srgb_from_linear(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return np.where(x <= 0.0031308, x * 12.92, 1.055 * np.power(x, 1 / 2.4) - 0.055)


def to_rgba_bytes(flat: np.ndarray, width: int, height: int, channels: int,
                  is_float: bool) -> np.ndarray:
    px = np.asarray(flat, np.float32).reshape(height, width, channels)[::-1]
    rgba = np.ones((height, width, 4), np.float32)
    if channels >= 3:
        rgba[..., :min(channels, 4)] = px[..., :4]
    else:   # grey (+ alpha): spread the one channel
        rgba[..., :3] = px[..., :1]
        if channels == 2:
            rgba[..., 3] = px[..., 1]
    if is_float:
        alpha = rgba[..., 3:4]
        rgb = np.divide(rgba[..., :3], alpha, out=np.zeros_like(rgba[..., :3]), where=alpha > 0)
        rgba[..., :3] = srgb_from_linear(rgb)
    return np.clip(np.rint(rgba * 255.0), 0, 255).astype(np.uint8)
