"""Image tools: background removal and enhancement.

A picture is given as ``image_url`` (an http(s) or data URL, in a JSON body)
or ``image_file`` (a local path, sent as the multipart file ``image_file``).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from ..errors import ValidationError
from .base import ApiRequest, Credits, check_choice
from .checks import check_bool, check_image_input

QUALITIES = ("low", "medium", "high")


@dataclasses.dataclass
class _ImageTool(ApiRequest):
    KIND: ClassVar[str] = "tool"
    TYPICAL_SECONDS: ClassVar[float] = 15.0
    FILE_FIELDS: ClassVar[dict[str, str]] = {"image_file": "image_file"}

    image_url: str | None = None
    image_file: str | None = None

    def validate(self) -> None:
        check_image_input(self.image_url, self.image_file)


@dataclasses.dataclass
class RemoveBackgroundRequest(_ImageTool):
    ENDPOINT: ClassVar[str] = "/v1/tools/remove-bg/"
    LABEL: ClassVar[str] = "Remove background"

    quality: str | None = None
    return_mask: bool | None = None

    def validate(self) -> None:
        super().validate()
        check_choice(self.quality, "quality", QUALITIES)
        check_bool(self.return_mask, "return_mask")

    def credits(self) -> Credits:
        # The table gives 3–5; the ends belong to the lowest and highest quality.
        if self.quality == "low":
            return Credits(3, 3, "low quality")
        if self.quality == "high":
            return Credits(5, 5, "high quality")
        return Credits(3, 5, "by quality")


@dataclasses.dataclass
class ImageEnhanceRequest(_ImageTool):
    ENDPOINT: ClassVar[str] = "/v1/tools/image-enhance/"
    LABEL: ClassVar[str] = "Image enhance"
    TYPICAL_SECONDS: ClassVar[float] = 25.0

    enhance: bool | None = None
    mode: str | None = None
    remove_bg: bool | None = None
    remove_bg_quality: str | None = None

    def validate(self) -> None:
        super().validate()
        check_bool(self.enhance, "enhance")
        check_choice(self.mode, "mode", ("enhance", "restore"))
        check_bool(self.remove_bg, "remove_bg")
        check_choice(self.remove_bg_quality, "remove_bg_quality", QUALITIES)
        if self.remove_bg_quality is not None and not self.remove_bg:
            raise ValidationError("remove_bg_quality only applies with remove_bg.")

    def credits(self) -> Credits:
        if self.remove_bg:
            return Credits(20, 20, "15 + 5 background removal")
        return Credits(15, 15, "+5 with background removal")
