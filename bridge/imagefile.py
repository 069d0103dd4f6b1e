"""Recognise images by their bytes and turn them into data URLs.

File extensions lie (a JPEG saved as ``.png`` is common); the service only
takes PNG, JPEG and WebP, so we look at the magic bytes before spending a
request on a file it will reject.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

from .errors import ValidationError

MIME = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
MAX_IMAGE_BYTES = 20 * 1024 * 1024


def sniff_image_type(data: bytes) -> str | None:
    """``'png'``, ``'jpeg'``, ``'webp'`` or None, from the first bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def read_image(path: str | os.PathLike, what: str = "image") -> tuple[bytes, str]:
    """Bytes and type of an image file; raises :class:`ValidationError` with a clear reason."""
    p = Path(path)
    if not p.is_file():
        raise ValidationError(f"The {what} file {p} does not exist.")
    size = p.stat().st_size
    if size == 0:
        raise ValidationError(f"The {what} file {p.name} is empty.")
    if size > MAX_IMAGE_BYTES:
        raise ValidationError(f"The {what} file {p.name} is {size / 1e6:.1f} MB; the limit is "
                              f"{MAX_IMAGE_BYTES / 1e6:.0f} MB.")
    data = p.read_bytes()
    kind = sniff_image_type(data)
    if kind is None:
        raise ValidationError(f"The {what} file {p.name} is not a PNG, JPEG or WebP image "
                              "(judged by its content, not its name).")
    return data, kind


def data_url(data: bytes, kind: str | None = None) -> str:
    kind = kind or sniff_image_type(data)
    if kind is None:
        raise ValidationError("The image is not a PNG, JPEG or WebP image (by its content).")
    return f"data:{MIME[kind]};base64,{base64.b64encode(data).decode('ascii')}"


def decode_data_url(url: str) -> tuple[bytes, str]:
    """Bytes and MIME type of a ``data:`` URL (used by the emulator and tests)."""
    if not url.startswith("data:") or "," not in url:
        raise ValidationError("Not a data URL.")
    header, _, payload = url.partition(",")
    mime = header[5:].split(";")[0] or "application/octet-stream"
    if ";base64" not in header:
        raise ValidationError("Only base64 data URLs are supported.")
    try:
        return base64.b64decode(payload, validate=True), mime
    except ValueError:
        raise ValidationError("The data URL's base64 payload is corrupt.") from None


def image_source_to_wire(source: str, what: str = "image") -> str:
    """A file path, ``http(s)://`` URL or ``data:`` URL → what goes on the wire.

    Local files become data URLs (validated by content); URLs pass through.
    """
    if not source:
        raise ValidationError(f"No {what} was given.")
    if source.startswith(("http://", "https://")):
        return source
    if source.startswith("data:"):
        data, _ = decode_data_url(source)
        return data_url(data)
    data, kind = read_image(source, what)
    return data_url(data, kind)


def check_image_source(source: str, what: str = "image") -> None:
    """Validate an image source without building the data URL."""
    if not source:
        raise ValidationError(f"No {what} was given.")
    if source.startswith(("http://", "https://")):
        return
    if source.startswith("data:"):
        data, _ = decode_data_url(source)
        if sniff_image_type(data) is None:
            raise ValidationError(f"The {what} is not a PNG, JPEG or WebP image (by its content).")
        return
    read_image(source, what)
