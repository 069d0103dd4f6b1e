"""image3d.io: text or image mode, qualities of both page versions, raw base64."""

import base64

import pytest

from bridge.api.image3d import Image3dRequest
from bridge.errors import ValidationError


def test_text_mode_payload():
    req = Image3dRequest(prompt="a robot", quality="fast", mesh_only=True)
    assert req.PROVIDER == "image3d"
    assert req.endpoint() == "/api/generate"
    assert req.payload() == {"mode": "text", "prompt": "a robot", "quality": "fast", "mesh_only": True}


def test_image_mode_sends_raw_base64(png, png_data_url):
    body = Image3dRequest(image=png, quality="proplus").payload()
    assert body["mode"] == "image" and body["quality"] == "proplus"
    assert not body["image"].startswith("data:")
    assert base64.b64decode(body["image"]).startswith(b"\x89PNG")
    assert Image3dRequest(image=png_data_url).payload()["image"] == body["image"]
    # The record keeps the path.
    assert Image3dRequest(image=png).to_record()["fields"]["image"] == png


@pytest.mark.parametrize("kw, words", [
    ({}, "prompt is required"),
    ({"mode": "image"}, "image is required"),
    ({"mode": "video", "prompt": "x"}, "mode must be one of image, text"),
    ({"prompt": "x", "quality": "max"}, "quality must be one of fast, standard, pro, ultra, proplus"),
    ({"image": "https://e.x/a.png"}, "not a URL"),
    ({"mode": "text", "prompt": "x", "image": "https://e.x/a.png"}, "prompt only"),
])
def test_refusals(kw, words):
    with pytest.raises(ValidationError, match=words):
        Image3dRequest(**kw).validate()


def test_not_an_image_by_bytes(not_an_image):
    with pytest.raises(ValidationError, match="not a PNG, JPEG or WebP"):
        Image3dRequest(image=not_an_image).payload()


def test_expected_seconds_follow_quality():
    assert Image3dRequest(prompt="x", quality="fast").expected_seconds() < \
        Image3dRequest(prompt="x", quality="ultra").expected_seconds()


def test_cost_is_shown_as_a_plan_generation_not_credits():
    from bridge.api.base import Credits
    from bridge.api.image3d import Image3dRequest
    text = str(Image3dRequest(mode="text", prompt="a lamp").credits())
    assert text.startswith("1 generation ") and "credit" not in text
    assert str(Credits(1, 1)) == "1 credit" and str(Credits(5, 10)) == "5–10 credits"
