"""Microsoft TRELLIS.2: image-to-3D."""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from ..errors import ValidationError
from .base import ApiRequest, Credits, check_choice, check_image
from .checks import check_bool, check_int, check_url, exactly_one

RESOLUTIONS = ("512", "1024", "1536")
TEXTURE_SIZES = (1024, 2048, 4096)


@dataclasses.dataclass
class Trellis2Request(ApiRequest):
    ENDPOINT: ClassVar[str] = "/v1/3d-models/trellis2/generate/"
    LABEL: ClassVar[str] = "TRELLIS.2"
    TYPICAL_SECONDS: ClassVar[float] = 90.0
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("image",)

    image: str | None = None          # local path or data URL → data URL on the wire
    image_url: str | None = None      # a public http(s) URL, sent as is
    resolution: str | None = None     # a string on the wire: "512" | "1024" | "1536"
    steps: int | None = None
    textures: bool | None = None
    texture_size: int | None = None
    decimation_target: int | None = None
    seed: int | None = None
    generate_thumbnail: bool | None = None

    def validate(self) -> None:
        which = exactly_one({"image": self.image, "image_url": self.image_url}, "An image")
        if which == "image":
            if self.image.startswith(("http://", "https://")):
                raise ValidationError("Give a web address as image_url; image takes a local file "
                                      "or a data URL.")
            check_image(self.image, "image")
        else:
            check_url(self.image_url, "image_url")
        if isinstance(self.resolution, int) and not isinstance(self.resolution, bool):
            raise ValidationError(f"resolution is a string on the wire: use \"{self.resolution}\".")
        check_choice(self.resolution, "resolution", RESOLUTIONS)
        check_int(self.steps, "steps", 1, 50)
        check_bool(self.textures, "textures")
        check_choice(self.texture_size, "texture_size", TEXTURE_SIZES)
        if self.texture_size is not None and not self.textures:
            raise ValidationError("texture_size only applies with textures enabled.")
        check_int(self.decimation_target, "decimation_target", 1_000, 16_000_000)
        check_int(self.seed, "seed", 0, 2**32 - 1)
        check_bool(self.generate_thumbnail, "generate_thumbnail")

    def credits(self) -> Credits:
        # The table gives only 10–50; the number grows with resolution and textures.
        return Credits(10, 50, "by resolution and textures")

    def expected_seconds(self) -> float:
        scale = {"512": 0.6, "1024": 1.0, "1536": 1.6}[self.resolution or "1024"]
        return self.TYPICAL_SECONDS * scale + (45.0 if self.textures else 0.0)
