"""Read a picture's size from its header and check the file is whole.

PNG, JPEG and WebP, by their structure alone (no pixel decoding, no
Pillow): fast enough for a 20 MB file, and enough to catch what the
service would charge for and then fail on — a file cut off in transfer, a
broken header, a 20000×20000 picture.
"""

from __future__ import annotations

import dataclasses
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# JPEG start-of-frame markers carry the size (C4 DHT, C8 JPG and CC DAC are not frames).
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_STANDALONE = {0x01, *range(0xD0, 0xD9)}   # TEM, RST0-7, SOI: no length field


class PictureError(ValueError):
    """The bytes are not a whole, readable picture; the text says what is wrong."""


@dataclasses.dataclass(frozen=True)
class PictureInfo:
    kind: str      # "png", "jpeg", "webp"
    width: int
    height: int


def inspect(data: bytes, kind: str) -> PictureInfo:
    """Size of a picture already sniffed as ``kind``; raises :class:`PictureError`."""
    reader = {"png": _png, "jpeg": _jpeg, "webp": _webp}[kind]
    width, height = reader(data)
    if width <= 0 or height <= 0:
        raise PictureError(f"its header gives a size of {width}×{height} pixels")
    return PictureInfo(kind, width, height)


def _png(data: bytes) -> tuple[int, int]:
    pos, size, seen_idat, width, height = 8, len(data), False, 0, 0
    first = True
    while True:
        if pos + 8 > size:
            raise PictureError(f"the file is cut off after {size} bytes (no IEND chunk)")
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        end = pos + 12 + length
        if end > size:
            raise PictureError(f"the file is cut off after {size} bytes, inside its "
                               f"{ctype.decode('latin-1')!r} chunk")
        body = data[pos + 8:pos + 8 + length]
        critical = ctype[:1].isupper()
        if critical and zlib.crc32(ctype + body) != struct.unpack(">I", data[end - 4:end])[0]:
            raise PictureError(f"its {ctype.decode('latin-1')!r} chunk is corrupt (checksum)")
        if first:
            if ctype != b"IHDR" or length != 13:
                raise PictureError("its header (IHDR) is missing")
            width, height = struct.unpack(">II", body[:8])
            first = False
        elif ctype == b"IDAT":
            seen_idat = True
        elif ctype == b"IEND":
            if not seen_idat:
                raise PictureError("it has no image data (IDAT)")
            return width, height
        pos = end


def _jpeg(data: bytes) -> tuple[int, int]:
    pos, size, frame = 2, len(data), None
    while True:
        if pos + 2 > size:
            raise PictureError(f"the file is cut off after {size} bytes, before its image data")
        if data[pos] != 0xFF:
            raise PictureError(f"its header is broken (no marker at byte {pos})")
        marker = data[pos + 1]
        if marker == 0xFF:   # fill byte
            pos += 1
            continue
        if marker in _STANDALONE:
            pos += 2
            continue
        if marker == 0xD9:
            raise PictureError("it ends before any image data")
        if pos + 4 > size:
            raise PictureError(f"the file is cut off after {size} bytes")
        length = struct.unpack(">H", data[pos + 2:pos + 4])[0]
        if length < 2 or pos + 2 + length > size:
            raise PictureError(f"the file is cut off after {size} bytes, inside a header segment")
        if marker in _SOF:
            if length < 7:
                raise PictureError("its frame header is broken")
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            frame = (width, height)
        if marker == 0xDA:   # start of scan: entropy-coded data follows
            if frame is None:
                raise PictureError("its header is broken (image data before the frame header)")
            # Inside the scan data FF is always followed by 00 or RSTn, so the
            # last FF D9 after the scan's start is the real end of the image.
            if data.rfind(b"\xff\xd9") < pos + 2 + length:
                raise PictureError(f"the file is cut off after {size} bytes (no end marker)")
            return frame
        pos += 2 + length


def _webp(data: bytes) -> tuple[int, int]:
    size = len(data)
    if size < 30:
        raise PictureError(f"the file is cut off after {size} bytes")
    riff_size = struct.unpack("<I", data[4:8])[0]
    if riff_size + 8 > size:
        raise PictureError(f"the file is cut off after {size} bytes of {riff_size + 8}")
    fourcc, chunk_size = data[12:16], struct.unpack("<I", data[16:20])[0]
    if 20 + chunk_size > size:
        raise PictureError(f"the file is cut off after {size} bytes, inside its first chunk")
    if fourcc == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            raise PictureError("its VP8 header is broken")
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if fourcc == b"VP8L":
        if data[20] != 0x2F:
            raise PictureError("its VP8L header is broken")
        bits = struct.unpack("<I", data[21:25])[0]
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if fourcc == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    raise PictureError(f"its first chunk {fourcc.decode('latin-1')!r} is not a WebP image")


__all__ = ["inspect", "PictureInfo", "PictureError"]
