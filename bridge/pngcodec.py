"""A small PNG reader and writer in pure Python (zlib + numpy).

The add-on composites pictures over grey before upload and the emulator
reads pictures to build meshes from their silhouettes; neither may depend on
Pillow (not bundled with Blender's Python, and extensions must not ship
wheels we can avoid). So this module covers what those callers meet in
practice: non-interlaced PNGs of 8-bit grey, grey+alpha, RGB, RGBA, and
palette images (1/2/4/8-bit, with tRNS transparency); 16-bit samples are
reduced to their high byte. Interlaced (Adam7) files are refused with a
clear error rather than decoded wrongly.

decode_png(bytes) -> numpy uint8 array HxWx3 (no alpha) or HxWx4 (alpha).
encode_png(array) -> bytes, from HxWx3 / HxWx4 (or HxW grey) uint8.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np

from .errors import BridgeError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# colour type -> samples per pixel
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


class PngError(BridgeError):
    """The bytes are not a PNG this codec can read, or the array can't be written."""


def _chunks(data: bytes):
    if not data.startswith(PNG_SIGNATURE):
        raise PngError("Not a PNG file (bad signature).")
    pos = len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length:
            raise PngError("The PNG file is truncated.")
        yield kind, body
        pos += 12 + length
        if kind == b"IEND":
            return
    raise PngError("The PNG file is truncated (no IEND chunk).")


def _paeth_row(raw: bytearray, prior: bytes, bpp: int) -> None:
    """Undo the Paeth filter in place.

    Each byte depends on the already-decoded byte to its left, so this is a
    sequential loop; it is the slow path but PNG encoders use it a lot.
    """
    n = len(raw)
    for i in range(bpp):
        raw[i] = (raw[i] + prior[i]) & 0xFF
    for i in range(bpp, n):
        a = raw[i - bpp]
        b = prior[i]
        c = prior[i - bpp]
        p = a + b - c
        pa = p - a if p > a else a - p
        pb = p - b if p > b else b - p
        pc = p - c if p > c else c - p
        if pa <= pb and pa <= pc:
            pred = a
        elif pb <= pc:
            pred = b
        else:
            pred = c
        raw[i] = (raw[i] + pred) & 0xFF


def _average_row(raw: bytearray, prior: bytes, bpp: int) -> None:
    for i in range(len(raw)):
        left = raw[i - bpp] if i >= bpp else 0
        raw[i] = (raw[i] + ((left + prior[i]) >> 1)) & 0xFF


def _unfilter(data: bytes, height: int, stride: int, bpp: int) -> np.ndarray:
    if len(data) < height * (stride + 1):
        raise PngError("The PNG image data is shorter than its size says.")
    out = np.zeros((height, stride), dtype=np.uint8)
    prior = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        start = y * (stride + 1)
        ftype = data[start]
        line = np.frombuffer(data, dtype=np.uint8, count=stride, offset=start + 1)
        if ftype == 0:
            row = line.copy()
        elif ftype == 1:
            # Sub: a running sum per channel, which numpy does with wrap-around.
            padded = np.zeros(((stride + bpp - 1) // bpp) * bpp, dtype=np.uint8)
            padded[:stride] = line
            row = np.cumsum(padded.reshape(-1, bpp), axis=0, dtype=np.uint8).reshape(-1)[:stride]
        elif ftype == 2:
            row = line + prior
        elif ftype == 3:
            buf = bytearray(line.tobytes())
            _average_row(buf, prior.tobytes(), bpp)
            row = np.frombuffer(bytes(buf), dtype=np.uint8)
        elif ftype == 4:
            buf = bytearray(line.tobytes())
            _paeth_row(buf, prior.tobytes(), bpp)
            row = np.frombuffer(bytes(buf), dtype=np.uint8)
        else:
            raise PngError(f"Unknown PNG filter type {ftype} in row {y}.")
        out[y] = row
        prior = out[y]
    return out


def _unpack_low_depth(rows: np.ndarray, width: int, depth: int) -> np.ndarray:
    """Sub-byte samples (1/2/4 bits, big-endian within a byte) -> one byte each."""
    bits = np.unpackbits(rows, axis=1)
    height = rows.shape[0]
    bits = bits[:, :width * depth].reshape(height, width, depth)
    weights = (1 << np.arange(depth - 1, -1, -1)).astype(np.uint8)
    return (bits * weights).sum(axis=2).astype(np.uint8)


def decode_png(data: bytes) -> np.ndarray:
    """HxWx3 or HxWx4 uint8 pixels of a PNG (alpha kept when the file has any)."""
    header = None
    palette = None
    trns = None
    idat = []
    for kind, body in _chunks(data):
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body[:13])
        elif kind == b"PLTE":
            palette = np.frombuffer(body, dtype=np.uint8).reshape(-1, 3)
        elif kind == b"tRNS":
            trns = body
        elif kind == b"IDAT":
            idat.append(body)
    if header is None:
        raise PngError("The PNG file has no IHDR chunk.")
    width, height, depth, ctype, _comp, _filt, interlace = header
    if ctype not in _CHANNELS:
        raise PngError(f"Unsupported PNG colour type {ctype}.")
    if interlace:
        raise PngError("Interlaced PNG files are not supported; save it without interlacing.")
    if width == 0 or height == 0:
        raise PngError("The PNG image is empty.")
    allowed = (1, 2, 4, 8) if ctype == 3 else (1, 2, 4, 8, 16) if ctype == 0 else (8, 16)
    if depth not in allowed:
        raise PngError(f"Unsupported PNG bit depth {depth} for colour type {ctype}.")
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as exc:
        raise PngError(f"The PNG image data is corrupt ({exc}).") from None

    channels = _CHANNELS[ctype]
    bits_per_pixel = channels * depth
    stride = (width * bits_per_pixel + 7) // 8
    bpp = max(1, bits_per_pixel // 8)
    rows = _unfilter(raw, height, stride, bpp)

    if depth == 16:
        samples = rows.reshape(height, width, channels, 2)[..., 0]
    elif depth < 8:
        samples = _unpack_low_depth(rows, width, depth)[..., None]
        if ctype == 0:
            # Scale grey levels up to the full 0..255 range.
            samples = (samples.astype(np.uint16) * 255 // ((1 << depth) - 1)).astype(np.uint8)
    else:
        samples = rows[:, :width * channels].reshape(height, width, channels)

    if ctype == 3:
        if palette is None:
            raise PngError("The palette PNG has no PLTE chunk.")
        index = samples[..., 0]
        if int(index.max()) >= len(palette):
            raise PngError("The palette PNG refers to colours its palette lacks.")
        rgb = palette[index]
        if trns is None:
            return np.ascontiguousarray(rgb)
        alpha_table = np.full(len(palette), 255, dtype=np.uint8)
        alpha_table[:len(trns)] = np.frombuffer(trns[:len(palette)], dtype=np.uint8)
        return np.dstack([rgb, alpha_table[index]])
    if ctype == 0:
        grey = samples[..., 0]
        rgb = np.dstack([grey, grey, grey])
        if trns is not None and len(trns) >= 2:
            key = struct.unpack(">H", trns[:2])[0]
            key = key >> 8 if depth == 16 else key * 255 // ((1 << depth) - 1) if depth < 8 else key
            return np.dstack([rgb, np.where(grey == key, 0, 255).astype(np.uint8)])
        return rgb
    if ctype == 4:
        grey = samples[..., 0]
        return np.dstack([grey, grey, grey, samples[..., 1]])
    if ctype == 2 and trns is not None and len(trns) >= 6:
        key = np.array(struct.unpack(">HHH", trns[:6]))
        if depth == 16:
            key = key >> 8
        transparent = np.all(samples == key.astype(np.uint8), axis=2)
        return np.dstack([samples, np.where(transparent, 0, 255).astype(np.uint8)])
    return np.ascontiguousarray(samples)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def encode_png(pixels: np.ndarray, level: int = 6) -> bytes:
    """A PNG of an HxWx3 (RGB) or HxWx4 (RGBA) uint8 array; HxW is written as RGB grey."""
    arr = np.asarray(pixels)
    if arr.ndim == 2:
        arr = np.dstack([arr, arr, arr])
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise PngError(f"Can only write HxWx3 or HxWx4 pixel arrays, not shape {arr.shape}.")
    if arr.dtype != np.uint8:
        if np.issubdtype(arr.dtype, np.floating):
            arr = np.clip(np.rint(arr), 0, 255)
        arr = arr.astype(np.uint8)
    height, width, channels = arr.shape
    if height == 0 or width == 0:
        raise PngError("Cannot write an empty image.")
    rows = np.ascontiguousarray(arr).reshape(height, width * channels)
    # The Sub filter (difference to the pixel on the left) vectorises and
    # compresses pictures far better than no filter at all.
    sub = rows.copy()
    sub[:, channels:] = rows[:, channels:] - rows[:, :-channels]
    filtered = np.empty((height, width * channels + 1), dtype=np.uint8)
    filtered[:, 0] = 1
    filtered[:, 1:] = sub
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6 if channels == 4 else 2, 0, 0, 0)
    return (PNG_SIGNATURE + _chunk(b"IHDR", ihdr)
            + _chunk(b"IDAT", zlib.compress(filtered.tobytes(), level))
            + _chunk(b"IEND", b""))


def composite_over(pixels: np.ndarray, background=(0xBE, 0xBE, 0xBE)) -> np.ndarray:
    """An RGBA picture flattened over a solid colour (RGB out); RGB passes through."""
    arr = np.asarray(pixels)
    if arr.ndim != 3 or arr.shape[2] == 3:
        return arr
    alpha = arr[..., 3:4].astype(np.uint16)
    rgb = arr[..., :3].astype(np.uint16)
    bg = np.array(background, dtype=np.uint16).reshape(1, 1, 3)
    out = (rgb * alpha + bg * (255 - alpha) + 127) // 255
    return out.astype(np.uint8)
