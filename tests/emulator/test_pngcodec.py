"""The pure-Python PNG codec the add-on and the emulator share."""

import struct
import zlib

import numpy as np
import pytest
from emu_helpers import SAMPLES

from bridge.pngcodec import PngError, composite_over, decode_png, encode_png


def _png(width, height, ctype, depth, rows, plte=None, trns=None):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    raw = b"".join(b"\x00" + row for row in rows)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, ctype, 0, 0, 0))
    if plte:
        out += chunk(b"PLTE", plte)
    if trns:
        out += chunk(b"tRNS", trns)
    return out + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("channels", [3, 4])
def test_round_trip_is_lossless(channels):
    pixels = np.random.default_rng(1).integers(0, 256, (37, 53, channels), dtype=np.uint8)
    assert np.array_equal(decode_png(encode_png(pixels)), pixels)


def test_palette_with_transparency_and_low_bit_depth():
    # 2-bit palette, 4 pixels in one byte: indices 0,1,2,3
    data = _png(4, 1, 3, 2, [bytes([0b00011011])], plte=bytes([255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]),
                trns=bytes([0, 255]))
    out = decode_png(data)
    assert out.shape == (1, 4, 4)
    assert out[0, :, :3].tolist() == [[255, 0, 0], [0, 255, 0], [0, 0, 255], [9, 9, 9]]
    assert out[0, :, 3].tolist() == [0, 255, 255, 255]


def test_grey_becomes_rgb():
    out = decode_png(_png(2, 1, 0, 8, [bytes([0, 200])]))
    assert out.tolist() == [[[0, 0, 0], [200, 200, 200]]]


def test_samples_match_blender_pixel_for_pixel():
    bpy = pytest.importorskip("bpy")
    path = SAMPLES / "chair.png"
    image = bpy.data.images.load(str(path))
    try:
        w, h = image.size
        ref = np.empty(w * h * 4, dtype=np.float32)
        image.pixels.foreach_get(ref)
        ref = np.rint(ref.reshape(h, w, 4)[::-1] * 255).astype(np.uint8)
    finally:
        bpy.data.images.remove(image)
    assert np.array_equal(decode_png(path.read_bytes()), ref)


def test_refuses_what_it_cannot_read():
    with pytest.raises(PngError):
        decode_png(b"\xff\xd8\xff not a png")
    interlaced = bytearray(_png(1, 1, 2, 8, [b"\x00\x00\x00"]))
    interlaced[28] = 1  # the IHDR interlace byte
    with pytest.raises(PngError, match="Interlaced"):
        decode_png(bytes(interlaced))


def test_composite_over_grey():
    rgba = np.array([[[255, 0, 0, 255], [0, 0, 0, 0], [0, 0, 0, 128]]], dtype=np.uint8)
    assert composite_over(rgba).tolist() == [[[255, 0, 0], [190, 190, 190], [95, 95, 95]]]
