"""Recognise images by their bytes and turn them into data URLs.

File extensions lie (a JPEG saved as ``.png`` is common); the service only
takes PNG, JPEG and WebP, so we look at the magic bytes before spending a
request on a file it will reject. Pictures about to be sent are also read
to the end of their structure (:mod:`bridge.pictureheader`) and measured
against :class:`PictureLimits`: a file cut off in transfer or a 20000×20000
picture is refused here, before it costs anything.
"""

from __future__ import annotations

import base64
import dataclasses
import os
from pathlib import Path

from .errors import ValidationError
from .pictureheader import PictureError, PictureInfo, inspect

MIME = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}
#: The file names a picture is looked for under (batches, drops, results, thumbnails).
PICTURE_EXTS = (".png", ".jpg", ".jpeg", ".webp")
MAX_IMAGE_BYTES = 20 * 1024 * 1024


@dataclasses.dataclass(frozen=True)
class PictureLimits:
    """What an endpoint accepts. The contract pages state no picture limits, so the
    defaults are documented conservative ones, and endpoints with documented limits
    of their own (Tencent Hunyuan) pass theirs."""

    max_bytes: int = MAX_IMAGE_BYTES
    #: Pillow's Image.MAX_IMAGE_PIXELS (89,478,485): past it the Python image
    #: library most services decode with warns of a decompression bomb, and
    #: refuses at twice that.
    max_pixels: int = 89_478_485
    #: 16384 px a side: the WebP format's own maximum (14-bit sizes) and the
    #: largest texture Blender and most GPUs load.
    max_side: int = 16_384
    min_side: int = 1
    source: str = ""   # whose limits, for the message


DEFAULT_LIMITS = PictureLimits()


def sniff_image_type(data: bytes) -> str | None:
    """``'png'``, ``'jpeg'``, ``'webp'`` or None, from the first bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


def check_regular_file(p: Path, what: str) -> None:
    """Refuse a path that is not an existing regular file, saying what it is instead."""
    if p.is_dir():
        raise ValidationError(f"The {what} {p} is a folder, not a picture.")
    if not p.exists():
        raise ValidationError(f"The {what} file {p} does not exist.")
    if not p.is_file():
        raise ValidationError(f"The {what} {p} is not a regular file.")


def read_image(path: str | os.PathLike, what: str = "image",
               max_bytes: int = MAX_IMAGE_BYTES) -> tuple[bytes, str]:
    """Bytes and type of an image file; raises :class:`ValidationError` with a clear reason."""
    p = Path(path)
    check_regular_file(p, what)
    size = p.stat().st_size
    if size == 0:
        raise ValidationError(f"The {what} file {p.name} is empty.")
    if size > max_bytes:
        raise ValidationError(f"The {what} file {p.name} is {size / 1e6:.1f} MB; the limit is "
                              f"{max_bytes / 1e6:.0f} MB.")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise ValidationError(f"The {what} file {p} cannot be read: {exc.strerror or exc}.") from None
    kind = sniff_image_type(data)
    if kind is None:
        raise ValidationError(f"The {what} file {p.name} is not a PNG, JPEG or WebP image "
                              "(judged by its content, not its name).")
    return data, kind


def check_picture(data: bytes, kind: str, what: str, limits: PictureLimits = DEFAULT_LIMITS,
                  name: str = "") -> PictureInfo:
    """The picture's size, after checking it is whole and within ``limits``."""
    label = f"The {what}" + (f" file {name}" if name else "")
    try:
        info = inspect(data, kind)
    except PictureError as exc:
        raise ValidationError(f"{label} is not a usable {kind.upper()} picture: {exc}. "
                              "Save or export it again.") from None
    whose = f" ({limits.source})" if limits.source else ""
    size = f"{info.width}×{info.height} pixels"
    if max(info.width, info.height) > limits.max_side:
        raise ValidationError(f"{label} is {size}; the largest side allowed is "
                              f"{limits.max_side:,} pixels{whose}. Scale it down first.")
    if info.width * info.height > limits.max_pixels:
        raise ValidationError(f"{label} is {size}, over the {limits.max_pixels:,}-pixel limit"
                              f"{whose}. Scale it down first.")
    if min(info.width, info.height) < limits.min_side:
        raise ValidationError(f"{label} is {size}; each side needs at least "
                              f"{limits.min_side} pixels{whose}.")
    if len(data) > limits.max_bytes:
        raise ValidationError(f"{label} is {len(data) / 1e6:.1f} MB; the limit is "
                              f"{limits.max_bytes / 1e6:.0f} MB{whose}.")
    return info


def read_picture(path: str | os.PathLike, what: str = "image",
                 limits: PictureLimits = DEFAULT_LIMITS) -> tuple[bytes, str]:
    """:func:`read_image` plus the whole-file and size checks: for pictures about to be sent."""
    data, kind = read_image(path, what, max(limits.max_bytes, MAX_IMAGE_BYTES))
    check_picture(data, kind, what, limits, Path(path).name)
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


def _data_url_picture(source: str, what: str, limits: PictureLimits) -> tuple[bytes, str]:
    data, _ = decode_data_url(source)
    kind = sniff_image_type(data)
    if kind is None:
        raise ValidationError(f"The {what} is not a PNG, JPEG or WebP image (by its content).")
    check_picture(data, kind, what, limits)
    return data, kind


def image_source_to_wire(source: str, what: str = "image",
                         limits: PictureLimits = DEFAULT_LIMITS) -> str:
    """A file path, ``http(s)://`` URL or ``data:`` URL → what goes on the wire.

    Local files become data URLs (validated by content); URLs pass through.
    """
    if not source:
        raise ValidationError(f"No {what} was given.")
    if source.startswith(("http://", "https://")):
        return source
    if source.startswith("data:"):
        return data_url(*_data_url_picture(source, what, limits))
    data, kind = read_picture(source, what, limits)
    return data_url(data, kind)


def check_image_source(source: str, what: str = "image",
                       limits: PictureLimits = DEFAULT_LIMITS) -> None:
    """Validate an image source without building the data URL."""
    if not source:
        raise ValidationError(f"No {what} was given.")
    if source.startswith(("http://", "https://")):
        return
    if source.startswith("data:"):
        _data_url_picture(source, what, limits)
        return
    read_picture(source, what, limits)
