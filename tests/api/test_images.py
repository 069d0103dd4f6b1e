"""Gemini and Seedream image requests: per-model options, edits, per-image prices."""

import pytest

from bridge.api.images import (
    Gemini3ProEditRequest,
    Gemini3ProImageRequest,
    Gemini25FlashEditRequest,
    Gemini25FlashImageRequest,
    Gemini31FlashEditRequest,
    Gemini31FlashImageRequest,
    SeedreamEditRequest,
    SeedreamImageRequest,
)
from bridge.errors import ValidationError


def test_gemini3pro_generate_payload_and_price():
    req = Gemini3ProImageRequest(prompt="sunset", output_format="webp", aspect_ratio="16:9",
                                 resolution="4K", num_images=2)
    assert req.endpoint() == "/v1/images/gemini/3/pro/generate/"
    assert req.payload() == {"prompt": "sunset", "output_format": "webp", "aspect_ratio": "16:9",
                             "resolution": "4K", "num_images": 2}
    assert (req.credits().low, req.credits().high) == (160, 160)
    assert Gemini3ProImageRequest(prompt="x", resolution="2K").credits().low == 50
    assert Gemini3ProImageRequest(prompt="x").credits().low == 50


def test_gemini31flash_prices_follow_resolution():
    assert Gemini31FlashImageRequest(prompt="x", resolution="512px").credits().high == 10
    assert Gemini31FlashImageRequest(prompt="x", resolution="4K", num_images=3).credits().low == 75
    mid = Gemini31FlashImageRequest(prompt="x", resolution="1K").credits()
    assert (mid.low, mid.high) == (10, 25) and "resolution" in mid.note


def test_gemini25flash_price_and_no_resolution():
    assert Gemini25FlashImageRequest(prompt="x", num_images=4).credits().low == 20
    with pytest.raises(ValidationError, match="has no resolution option"):
        Gemini25FlashImageRequest(prompt="x", resolution="1K").validate()


@pytest.mark.parametrize("cls, kw, words", [
    (Gemini3ProImageRequest, {"prompt": ""}, "prompt is required"),
    (Gemini3ProImageRequest, {"prompt": "x", "num_images": 5}, "num_images must be between 1 and 4"),
    (Gemini3ProImageRequest, {"prompt": "x", "resolution": "512px"}, "resolution must be one of 1K, 2K, 4K"),
    (Gemini3ProImageRequest, {"prompt": "x", "aspect_ratio": "1:4"}, "aspect_ratio must be one of auto"),
    (Gemini25FlashImageRequest, {"prompt": "x", "aspect_ratio": "8:1"}, "aspect_ratio must be one of"),
    (Gemini31FlashImageRequest, {"prompt": "x", "output_format": "gif"},
     "output_format must be one of png, jpeg, webp"),
    (SeedreamImageRequest, {"prompt": "x", "num_images": 7}, "num_images must be between 1 and 6"),
    (SeedreamImageRequest, {"prompt": "x", "image_size": "16:9"}, "image_size must be one of square_hd"),
])
def test_image_refusals(cls, kw, words):
    with pytest.raises(ValidationError, match=words):
        cls(**kw).validate()


def test_flash31_takes_the_extra_ratios():
    for ratio in ("1:4", "4:1", "1:8", "8:1"):
        Gemini31FlashImageRequest(prompt="x", aspect_ratio=ratio).validate()


def test_gemini_edit_sends_images_as_data_urls(png, jpeg):
    for cls, path in ((Gemini3ProEditRequest, "/v1/images/gemini/3/pro/edit/"),
                      (Gemini31FlashEditRequest, "/v1/images/gemini/3.1/flash/edit/"),
                      (Gemini25FlashEditRequest, "/v1/images/gemini/2.5/flash/edit/")):
        req = cls(prompt="grey background", images=[png, jpeg, "https://e.x/c.png"])
        assert req.endpoint() == path
        body = req.payload()
        assert set(body) == {"prompt", "images"}
        assert body["images"][0].startswith("data:image/png;base64,")
        assert body["images"][1].startswith("data:image/jpeg;base64,")
        assert body["images"][2] == "https://e.x/c.png"


def test_gemini_edit_limits(png, not_an_image):
    with pytest.raises(ValidationError, match="images is required"):
        Gemini3ProEditRequest(prompt="x").validate()
    with pytest.raises(ValidationError, match="1 to 14 images; got 15"):
        Gemini3ProEditRequest(prompt="x", images=[png] * 15).validate()
    with pytest.raises(ValidationError, match="not a PNG, JPEG or WebP"):
        Gemini25FlashEditRequest(prompt="x", images=[not_an_image]).validate()
    Gemini3ProEditRequest(prompt="x", images=[png] * 14).validate()


def test_edit_price_is_the_generate_price():
    assert Gemini3ProEditRequest(prompt="x", images=["https://e.x/a.png"], num_images=2).credits().low == 100


def test_seedream_generate_and_edit(png):
    gen = SeedreamImageRequest(prompt="warrior", image_size="auto_3K", num_images=6, seed=1,
                               enable_safety_checker=False)
    assert gen.endpoint() == "/v1/images/seedream/v5/lite/generate/"
    assert gen.payload() == {"prompt": "warrior", "image_size": "auto_3K", "num_images": 6,
                             "seed": 1, "enable_safety_checker": False}
    assert gen.credits().low == 60
    edit = SeedreamEditRequest(prompt="make it blue", image_urls=["https://e.x/a.png", png])
    assert edit.endpoint() == "/v1/images/seedream/v5/lite/edit/"
    body = edit.payload()
    assert set(body) == {"prompt", "image_urls"}
    assert body["image_urls"][0] == "https://e.x/a.png"
    assert body["image_urls"][1].startswith("data:image/png;base64,")
    with pytest.raises(ValidationError, match="image_urls is required"):
        SeedreamEditRequest(prompt="x").validate()
