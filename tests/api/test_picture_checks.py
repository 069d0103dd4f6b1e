"""Issue 11, item 5: a picture is read to the end of its structure and measured before it
is sent, so a cut-off file or a 20000×20000 picture costs nothing."""

import base64
import struct
import zlib

import pytest
from sample_pictures import jpeg_bytes, png_bytes, png_claiming, webp_bytes

from bridge.api.image_tools import RemoveBackgroundRequest
from bridge.api.tencent import TencentProRequest, TencentRapidRequest
from bridge.api.tools import ConvertRequest
from bridge.api.trellis import Trellis2Request
from bridge.errors import ValidationError
from bridge.imagefile import check_picture, sniff_image_type


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def refused(request, match):
    with pytest.raises(ValidationError, match=match):
        request.validate()
    with pytest.raises(ValidationError, match=match):
        request.payload()   # the body is never built around a bad picture either


@pytest.mark.parametrize("make, size", [
    (lambda: png_bytes(200, 150), (200, 150)),
    (lambda: jpeg_bytes(640, 480), (640, 480)),
    (lambda: webp_bytes(300, 200), (300, 200)),
], ids=["png", "jpeg", "webp"])
def test_whole_pictures_pass_and_their_size_is_read(make, size):
    data = make()
    info = check_picture(data, sniff_image_type(data), "image")
    assert (info.width, info.height) == size


def test_a_real_sample_passes(tmp_path):
    Trellis2Request(image=write(tmp_path, "ok.png", png_bytes(512, 512))).validate()


BROKEN = {
    "png cut after 40 bytes": (png_bytes(256, 256)[:40], "cut off after 40 bytes"),
    "png cut half way": (png_bytes(256, 256)[:300], "cut off"),
    "png without IEND": (png_bytes(256, 256)[:-12], "no IEND"),
    "png header corrupt": (png_bytes(256, 256)[:20] + b"\xff" + png_bytes(256, 256)[21:],
                           "corrupt"),
    "jpeg broken header": (b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 40, "cut off|broken"),
    "jpeg cut off": (jpeg_bytes()[:-20], "no end marker"),
    "jpeg without frame": (b"\xff\xd8\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x12\xff\xd9",
                           "before the frame header"),
    "webp cut off": (webp_bytes()[:26], "cut off"),
    "webp broken vp8": (b"RIFF" + struct.pack("<I", 30) + b"WEBPVP8 " + struct.pack("<I", 18)
                        + b"\x00" * 18, "VP8 header is broken"),
}


@pytest.mark.parametrize("data, match", BROKEN.values(), ids=BROKEN.keys())
def test_broken_pictures_are_refused_by_name(tmp_path, data, match):
    path = write(tmp_path, "subject.bin", data)
    refused(Trellis2Request(image=path), match)
    refused(TencentRapidRequest(image=path), match)


def test_a_broken_picture_in_a_data_url_is_refused():
    data = png_bytes(256, 256)[:40]
    url = "data:image/png;base64," + base64.b64encode(data).decode()
    refused(Trellis2Request(image=url), "cut off after 40 bytes")


def test_a_broken_picture_sent_as_a_file_is_refused(tmp_path):
    refused(RemoveBackgroundRequest(image_file=write(tmp_path, "cut.jpg", jpeg_bytes()[:-20])),
            "no end marker")


@pytest.mark.parametrize("width, height, match", [
    (20_000, 20_000, "20000×20000 pixels; the largest side allowed is 16,384"),
    (16_000, 16_000, "over the 89,478,485-pixel limit"),
    (16_385, 10, "largest side allowed is 16,384"),
])
def test_pictures_past_the_general_limits_are_refused(tmp_path, width, height, match):
    refused(Trellis2Request(image=write(tmp_path, "big.png", png_claiming(width, height))), match)


def test_tencent_endpoints_use_tencents_documented_limits(tmp_path):
    wide = write(tmp_path, "wide.png", png_claiming(6000, 300))
    tiny = write(tmp_path, "tiny.png", png_bytes(100, 100))
    Trellis2Request(image=wide).validate()          # fine elsewhere
    refused(TencentRapidRequest(image=wide), "largest side allowed is 5,000 pixels .Tencent")
    refused(TencentProRequest(model="3.0", image=tiny), "at least 128 pixels")
    views = [{"view_type": "front", "view_image": write(tmp_path, "f.png", png_bytes())},
             {"view_type": "left", "view_image": wide}]
    refused(TencentProRequest(model="3.0", multi_view_images=views), r"view_image \(left\)")


def test_tencent_rapid_takes_six_megabytes_pro_eight(tmp_path):
    filler = b"\x00" * (7 * 1024 * 1024)
    text = struct.pack(">I", len(filler)) + b"zTXt" + filler + \
        struct.pack(">I", zlib.crc32(b"zTXt" + filler))
    heavy = png_bytes(256, 256)
    heavy = heavy[:33] + text + heavy[33:]          # a 7 MB PNG (a big ancillary chunk)
    path = write(tmp_path, "heavy.png", heavy)
    refused(TencentRapidRequest(image=path), "the limit is 6 MB")
    TencentProRequest(model="3.0", image=path).validate()


def test_a_folder_is_called_a_folder(tmp_path):
    refused(Trellis2Request(image=str(tmp_path)), "is a folder, not a picture")
    refused(RemoveBackgroundRequest(image_file=str(tmp_path)), "is a folder, not a picture")
    with pytest.raises(ValidationError, match="is a folder, not a model file"):
        ConvertRequest(model_file=str(tmp_path), output_format="stl").validate()


def test_a_missing_file_still_says_it_does_not_exist(tmp_path):
    refused(Trellis2Request(image=str(tmp_path / "gone.png")), "does not exist")
