"""Pictures through Blender's own image I/O: put on grey, or written from pixels.

Blender reads PNG (8 and 16 bit), JPEG, WebP, EXR… so anything it can open
can be flattened on the tutorial's studio grey; the compositing is numpy on
the pixel array (straight alpha in sRGB, as the bridge's ``composite_over``
does it). Runs in the helper Blender; on the main thread only as the
fallback when the helper is unavailable. Temporary datablocks are removed
again, so the fallback leaves the user's file as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

import bpy
import numpy as np

from ...bridge.errors import ValidationError
from ...bridge.pngcodec import composite_over
from .pixels import to_rgba_bytes

GREY = (0xBE, 0xBE, 0xBE)


def rgba_bytes(image) -> np.ndarray:
    """HxWx4 uint8, top row first, straight alpha, sRGB-encoded: what a PNG holds."""
    width, height = image.size
    flat = np.empty(width * height * image.channels, np.float32)
    image.pixels.foreach_get(flat)
    return to_rgba_bytes(flat, width, height, image.channels, image.is_float)


def load_picture(path: str | Path, name: str = ""):
    """An image datablock with its pixels read, or ValidationError if Blender cannot read it."""
    path = Path(path)
    name = name or path.name
    try:
        image = bpy.data.images.load(str(path), check_existing=False)
    except RuntimeError:
        raise ValidationError(f"Blender cannot read the picture {name}: it is not an image "
                              "file Blender knows (PNG, JPEG, WebP, EXR…).") from None
    if image.size[0] == 0 or image.size[1] == 0:   # reading the size loads the file
        bpy.data.images.remove(image)
        raise ValidationError(f"Blender cannot read the picture {name}: the file is damaged "
                              "or not a picture.")
    return image


def write_png(pixels: np.ndarray, dest: str | Path) -> Path:
    """Write HxWx3/4 uint8 (top row first) as a PNG through Blender, atomically."""
    dest = Path(dest)
    height, width, channels = pixels.shape
    flat = np.ones((height, width, 4), np.float32)
    flat[..., :channels] = pixels[::-1] / 255.0
    image = bpy.data.images.new("AISTUDIO_png", width, height, alpha=channels == 4)
    image.pixels.foreach_set(flat.ravel())
    _save_png(image, dest)
    return dest


def _save_png(image, dest: Path) -> None:
    """Save *image*'s buffer as it is as a PNG at *dest*, atomically; the datablock is removed."""
    tmp = dest.with_name(dest.stem + ".part.png")
    try:
        image.filepath_raw = str(tmp)
        image.file_format = "PNG"
        image.save()
    finally:
        bpy.data.images.remove(image)
    os.replace(tmp, dest)   # never a half-written picture under the real name


def picture_to_png(source: str | Path, dest: str | Path, name: str = "") -> dict:
    """*source* (any picture Blender reads) re-encoded as a PNG at *dest*, pixels unchanged:
    a byte picture's buffer is written as it is, without any colour transform."""
    dest = Path(dest)
    image = load_picture(source, name)
    width, height = image.size
    _save_png(image, dest)
    return {"dest": str(dest), "width": int(width), "height": int(height)}


def over_grey_file(source: str | Path, dest: str | Path, background=GREY, name: str = "") -> dict:
    """Write *source* flattened onto *background* as an RGB PNG at *dest* (*name*: for messages)."""
    image = load_picture(source, name)
    try:
        rgba = rgba_bytes(image)
    finally:
        bpy.data.images.remove(image)
    write_png(composite_over(rgba, background), dest)
    return {"dest": str(dest), "width": int(rgba.shape[1]), "height": int(rgba.shape[0])}


def pixels_file_to_png(pixels_path: str | Path, dest: str | Path) -> dict:
    """A picture saved from pixels the main thread read (``.npy``, HxWx4 uint8, top row first)."""
    pixels = np.load(str(pixels_path))
    write_png(pixels, dest)
    return {"dest": str(dest), "width": int(pixels.shape[1]), "height": int(pixels.shape[0])}
