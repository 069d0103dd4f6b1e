"""Put a picture with transparency on the tutorial's flat studio grey (#BEBEBE).

Used for local picture preparation and for remove-bg results, so the cloud is
not needed (or paid) just to change a background. The pixel maths is the PNG
codec's ``composite_over`` (straight alpha); this module adds the file side.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import ValidationError
from ..imagefile import read_image
from ..pngcodec import composite_over, decode_png, encode_png

GREY = (0xBE, 0xBE, 0xBE)


def over_grey(pixels: np.ndarray, background=GREY) -> np.ndarray:
    """HxWx3 uint8: RGBA flattened over grey; RGB (nothing transparent) unchanged."""
    return composite_over(pixels, background)


def over_grey_png(data: bytes, background=GREY) -> bytes:
    """PNG bytes in, PNG bytes (RGB, on grey) out."""
    return encode_png(over_grey(decode_png(data), background))


def over_grey_file(source: str | os.PathLike, dest: str | os.PathLike | None = None,
                   background=GREY) -> Path:
    """Write *source* composited over grey to *dest* (default ``<name>_grey.png``).

    Only PNG carries the transparency this is for; a JPEG or WebP is refused
    with a clear message instead of being decoded by guesswork.
    """
    data, kind = read_image(source, "picture")
    if kind != "png":
        raise ValidationError(f"Only PNG pictures can be put on grey locally; this one is {kind}.")
    source = Path(source)
    dest = Path(dest) if dest else source.with_name(f"{source.stem}_grey.png")
    tmp = dest.with_name(dest.name + ".part")
    tmp.write_bytes(over_grey_png(data, background))
    os.replace(tmp, dest)   # never leave a half-written picture under the real name
    return dest
