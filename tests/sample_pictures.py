"""Small, structurally whole pictures for tests (PNG decodable; JPEG and WebP well-formed
headers around placeholder data), plus the broken ones the checks must refuse."""

from __future__ import annotations

import struct
import zlib

import numpy as np

from bridge.pngcodec import encode_png


def png_bytes(width: int = 128, height: int = 128) -> bytes:
    """A real PNG: an opaque block on a transparent field."""
    pixels = np.zeros((height, width, 4), dtype=np.uint8)
    pixels[height // 4: 3 * height // 4, width // 4: 3 * width // 4] = (150, 90, 40, 255)
    return encode_png(pixels)


def _chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


def png_claiming(width: int, height: int) -> bytes:
    """A well-formed PNG whose header claims ``width``×``height`` (tiny data: a bomb's shape)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _chunk(b"IEND", b""))


def jpeg_bytes(width: int = 160, height: int = 160) -> bytes:
    """Baseline JPEG structure: SOI, APP0, DQT, SOF0, SOS, data, EOI."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + b"\x01" * 64
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 8, 1) + b"\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + app0 + dqt + sof + sos + b"\x12\x34\x56\x78" * 8 + b"\xff\xd9"


def webp_bytes(width: int = 160, height: int = 160) -> bytes:
    """A lossless (VP8L) WebP header around placeholder data."""
    bits = (width - 1) | ((height - 1) << 14) | (1 << 28)
    payload = b"\x2f" + struct.pack("<I", bits) + b"\x00" * 4
    chunk = b"VP8L" + struct.pack("<I", len(payload)) + payload + b"\x00" * (len(payload) % 2)
    return b"RIFF" + struct.pack("<I", 4 + len(chunk)) + b"WEBP" + chunk
