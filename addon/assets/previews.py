"""An asset's preview picture, from a file: never rendered from the live object.

Blender renders a missing ID preview in a job on another thread that reads
the live scene (docs/ARCHITECTURE.md, "Previews"); that crashed Blender 4.3
in a real window. So an AI Studio asset's preview is always set from a
picture file (the service's thumbnail, the picture the helper Blender
rendered while importing, or the picture the job was sent from) through the
ID's preview pixels. ``preview_ensure()`` here only allocates the empty
preview; the pixels of both sizes are set before control returns to
Blender, which marks them user-made (``is_image_custom``/``is_icon_custom``)
so Blender never renders them. Without a picture, a flat grey tile is set
for the same reason.

``bpy.ops.ed.lib_id_load_custom_preview`` does the same from a file (4.2,
4.3 and 5.0), but it needs ``temp_override(id=…)``, and an operator run
inside an override reads the override without the GIL while our threads
run (docs/ARCHITECTURE.md, "Threads and bpy.ops"); this path needs no
operator.
"""

from __future__ import annotations

import math
import os

import bpy
import numpy as np

IMAGE_PX = 256   # the largest preview Blender shows in the Asset Browser
ICON_PX = 32
GREY = (0.5, 0.5, 0.5, 1.0)


def _square(pixels: np.ndarray) -> np.ndarray:
    """Pad a (h, w, 4) picture to a square with transparency, centred."""
    h, w = pixels.shape[:2]
    side = max(h, w)
    if h == w:
        return pixels
    out = np.zeros((side, side, 4), np.float32)
    top, left = (side - h) // 2, (side - w) // 2
    out[top:top + h, left:left + w] = pixels
    return out


def _shrink(pixels: np.ndarray, limit: int) -> np.ndarray:
    """Box-average a square picture down to at most *limit* pixels a side."""
    side = pixels.shape[0]
    step = max(1, math.ceil(side / limit))
    if step == 1:
        return pixels
    cut = (side // step) * step
    view = pixels[:cut, :cut].reshape(cut // step, step, cut // step, step, 4)
    return view.mean(axis=(1, 3)).astype(np.float32)


def read_pixels(path: str) -> np.ndarray | None:
    """The picture at *path* as (h, w, 4) floats (Blender's bottom-up rows), or None."""
    if not path or not os.path.isfile(path):
        return None
    try:
        image = bpy.data.images.load(path, check_existing=False)
    except RuntimeError:
        return None
    try:
        w, h = image.size
        if not w or not h:
            return None
        flat = np.empty(w * h * image.channels, np.float32)
        image.pixels.foreach_get(flat)
        pixels = flat.reshape(h, w, image.channels)
        if image.channels != 4:
            rgba = np.ones((h, w, 4), np.float32)
            rgba[..., :min(3, image.channels)] = pixels[..., :3]
            pixels = rgba
        return pixels
    finally:
        bpy.data.images.remove(image)


def _set(preview, which: str, pixels: np.ndarray) -> None:
    h, w = pixels.shape[:2]
    setattr(preview, f"{which}_size", (w, h))
    getattr(preview, f"{which}_pixels_float").foreach_set(np.ascontiguousarray(pixels).ravel())


def set_from_pixels(idb, pixels: np.ndarray | None) -> bool:
    """Give *idb* these pixels as its preview (a grey tile for None); True when a picture."""
    found = pixels is not None
    if not found:
        pixels = np.tile(np.array(GREY, np.float32), (ICON_PX, ICON_PX, 1))
    square = _square(pixels)
    idb.preview_ensure()   # allocation only: both sizes are set below, before any draw
    preview = idb.preview
    _set(preview, "image", _shrink(square, IMAGE_PX))
    _set(preview, "icon", _shrink(square, ICON_PX))
    return found


def set_from_file(idb, path: str) -> bool:
    """*idb*'s preview from the picture at *path* (grey when there is none); True: a picture."""
    return set_from_pixels(idb, read_pixels(path))


def copy(source, dest) -> None:
    """*dest* gets *source*'s preview (both user-made, never rendered)."""
    prv = source.preview
    if prv is None or not prv.image_size[0]:
        set_from_pixels(dest, None)
        return
    w, h = prv.image_size
    pixels = np.empty(w * h * 4, np.float32)
    prv.image_pixels_float.foreach_get(pixels)
    set_from_pixels(dest, pixels.reshape(h, w, 4))
