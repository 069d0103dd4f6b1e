"""Image generation and editing: Gemini 3 Pro, 3.1 Flash, 2.5 Flash, Seedream v5 lite.

Each model has a generate and an edit endpoint with the same options; edit
adds the input pictures (``images`` for Gemini, ``image_urls`` for Seedream).
Prices are per output image, so ``num_images`` multiplies them.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from ..errors import ValidationError
from .base import ApiRequest, Credits, check_choice, check_text
from .checks import check_bool, check_image_list, check_int

PROMPT_LIMIT = 10_000   # no documented limit; this only stops pasting a whole file
OUTPUT_FORMATS = ("png", "jpeg", "webp")
ASPECT_RATIOS = ("auto", "21:9", "16:9", "3:2", "4:3", "5:4", "1:1", "4:5", "3:4", "2:3", "9:16")
FLASH31_EXTRA_RATIOS = ("1:4", "4:1", "1:8", "8:1")
SEEDREAM_SIZES = ("square_hd", "square", "portrait_4_3", "portrait_16_9", "landscape_4_3",
                  "landscape_16_9", "auto_2K", "auto_3K")
GEMINI_EDIT_MAX = 14
SEEDREAM_EDIT_MAX = 14  # undocumented for Seedream; kept equal to Gemini's documented cap


@dataclasses.dataclass
class _GeminiImage(ApiRequest):
    KIND: ClassVar[str] = "image"
    TYPICAL_SECONDS: ClassVar[float] = 25.0
    RATIOS: ClassVar[tuple[str, ...]] = ASPECT_RATIOS
    RESOLUTIONS: ClassVar[tuple[str, ...]] = ()

    prompt: str = ""
    output_format: str | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    num_images: int | None = None

    def validate(self) -> None:
        check_text(self.prompt, "prompt", PROMPT_LIMIT, required=True)
        check_choice(self.output_format, "output_format", OUTPUT_FORMATS)
        check_choice(self.aspect_ratio, "aspect_ratio", self.RATIOS)
        if self.resolution is not None and not self.RESOLUTIONS:
            raise ValidationError(f"{self.LABEL} has no resolution option.")
        check_choice(self.resolution, "resolution", self.RESOLUTIONS)
        check_int(self.num_images, "num_images", 1, 4)

    def _count(self) -> int:
        return self.num_images or 1

    def _per_image(self) -> Credits:
        raise NotImplementedError

    def credits(self) -> Credits:
        each = self._per_image()
        n = self._count()
        note = f"{n} × {each.note}" if n > 1 else each.note
        return Credits(each.low * n, each.high * n, note)

    def expected_seconds(self) -> float:
        return self.TYPICAL_SECONDS + 10.0 * (self._count() - 1)


class _GeminiEdit:
    """Mixin: the edit endpoints add ``images`` (1–14 pictures)."""

    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("images",)

    def validate(self) -> None:
        super().validate()
        check_image_list(self.images, "images", 1, GEMINI_EDIT_MAX)


# -- Gemini 3 Pro -------------------------------------------------------------------

@dataclasses.dataclass
class Gemini3ProImageRequest(_GeminiImage):
    ENDPOINT: ClassVar[str] = "/v1/images/gemini/3/pro/generate/"
    LABEL: ClassVar[str] = "Gemini 3 Pro image"
    TYPICAL_SECONDS: ClassVar[float] = 40.0
    RESOLUTIONS: ClassVar[tuple[str, ...]] = ("1K", "2K", "4K")

    def _per_image(self) -> Credits:
        if self.resolution == "4K":
            return Credits(80, 80, "80 per 4K image")
        return Credits(50, 50, "50 per 1K/2K image")


@dataclasses.dataclass
class Gemini3ProEditRequest(_GeminiEdit, Gemini3ProImageRequest):
    ENDPOINT: ClassVar[str] = "/v1/images/gemini/3/pro/edit/"
    LABEL: ClassVar[str] = "Gemini 3 Pro edit"

    images: list[str] | None = None


# -- Gemini 3.1 Flash ---------------------------------------------------------------

@dataclasses.dataclass
class Gemini31FlashImageRequest(_GeminiImage):
    ENDPOINT: ClassVar[str] = "/v1/images/gemini/3.1/flash/generate/"
    LABEL: ClassVar[str] = "Gemini 3.1 Flash image"
    RATIOS: ClassVar[tuple[str, ...]] = ASPECT_RATIOS + FLASH31_EXTRA_RATIOS
    RESOLUTIONS: ClassVar[tuple[str, ...]] = ("512px", "1K", "2K", "4K")

    def _per_image(self) -> Credits:
        # The table gives "10–25 by resolution": the ends are the smallest and largest.
        if self.resolution == "512px":
            return Credits(10, 10, "10 per 512px image")
        if self.resolution == "4K":
            return Credits(25, 25, "25 per 4K image")
        return Credits(10, 25, "10–25 per image by resolution")


@dataclasses.dataclass
class Gemini31FlashEditRequest(_GeminiEdit, Gemini31FlashImageRequest):
    ENDPOINT: ClassVar[str] = "/v1/images/gemini/3.1/flash/edit/"
    LABEL: ClassVar[str] = "Gemini 3.1 Flash edit"

    images: list[str] | None = None


# -- Gemini 2.5 Flash ---------------------------------------------------------------

@dataclasses.dataclass
class Gemini25FlashImageRequest(_GeminiImage):
    ENDPOINT: ClassVar[str] = "/v1/images/gemini/2.5/flash/generate/"
    LABEL: ClassVar[str] = "Gemini 2.5 Flash image"
    TYPICAL_SECONDS: ClassVar[float] = 15.0

    def _per_image(self) -> Credits:
        return Credits(5, 5, "5 per image")


@dataclasses.dataclass
class Gemini25FlashEditRequest(_GeminiEdit, Gemini25FlashImageRequest):
    ENDPOINT: ClassVar[str] = "/v1/images/gemini/2.5/flash/edit/"
    LABEL: ClassVar[str] = "Gemini 2.5 Flash edit"

    images: list[str] | None = None


# -- Seedream v5 lite ---------------------------------------------------------------

@dataclasses.dataclass
class SeedreamImageRequest(ApiRequest):
    ENDPOINT: ClassVar[str] = "/v1/images/seedream/v5/lite/generate/"
    KIND: ClassVar[str] = "image"
    LABEL: ClassVar[str] = "Seedream v5 lite image"
    TYPICAL_SECONDS: ClassVar[float] = 30.0

    prompt: str = ""
    image_size: str | None = None
    num_images: int | None = None
    seed: int | None = None
    enable_safety_checker: bool | None = None

    def validate(self) -> None:
        check_text(self.prompt, "prompt", PROMPT_LIMIT, required=True)
        check_choice(self.image_size, "image_size", SEEDREAM_SIZES)
        check_int(self.num_images, "num_images", 1, 6)
        check_int(self.seed, "seed", 0, 2**31 - 1)
        check_bool(self.enable_safety_checker, "enable_safety_checker")

    def credits(self) -> Credits:
        n = self.num_images or 1
        return Credits(10 * n, 10 * n, f"10 per image × {n}" if n > 1 else "10 per image")

    def expected_seconds(self) -> float:
        return self.TYPICAL_SECONDS + 8.0 * ((self.num_images or 1) - 1)


@dataclasses.dataclass
class SeedreamEditRequest(SeedreamImageRequest):
    ENDPOINT: ClassVar[str] = "/v1/images/seedream/v5/lite/edit/"
    LABEL: ClassVar[str] = "Seedream v5 lite edit"
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("image_urls",)

    #: Sources: web URLs pass through, local pictures become data URLs.
    image_urls: list[str] | None = None

    def validate(self) -> None:
        super().validate()
        check_image_list(self.image_urls, "image_urls", 1, SEEDREAM_EDIT_MAX)
