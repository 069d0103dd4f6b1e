"""Tripo v3.0 / v3.1 and Tripo P1: text, image and multi-view to 3D.

The v3 version lives in the URL path (``…/text-to-3d/3.1/``), never in the
body: a popular third-party client sends ``version`` in the body, which the
service ignores or rejects. Here ``version`` is an attribute that only
``endpoint()`` reads.
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from ..errors import ValidationError
from .base import ApiRequest, Credits, check_choice, check_image, check_text
from .checks import check_bool, check_image_list, check_int, check_url, exactly_one

VERSIONS = ("v3.0", "v3.1")
QUALITIES = ("standard", "detailed")
TEXTURE_ALIGNMENTS = ("original_image", "geometry")   # Tripo's own API values
ORIENTATIONS = ("default", "align_image")
SEED_MAX = 2**31 - 1


@dataclasses.dataclass
class _TripoCommon(ApiRequest):
    """Options every Tripo endpoint takes (v3 and P1)."""

    TYPICAL_SECONDS: ClassVar[float] = 120.0
    FACE_LIMIT: ClassVar[tuple[int, int]] = (500, 500_000)

    texture: bool | None = None
    pbr: bool | None = None
    texture_quality: str | None = None
    texture_seed: int | None = None
    face_limit: int | None = None
    auto_size: bool | None = None
    export_uv: bool | None = None
    compress: str | None = None

    def _check_common(self) -> None:
        for name in ("texture", "pbr", "auto_size", "export_uv"):
            check_bool(getattr(self, name), name)
        check_choice(self.texture_quality, "texture_quality", QUALITIES)
        check_int(self.texture_seed, "texture_seed", 0, SEED_MAX)
        check_int(self.face_limit, "face_limit", *self.FACE_LIMIT)
        check_choice(self.compress, "compress", ("geometry",))

    def _untextured(self) -> bool:
        return self.texture is False and self.pbr is False


@dataclasses.dataclass
class _TripoV3(_TripoCommon):
    version: str = "v3.0"
    geometry_quality: str | None = None
    quad: bool | None = None
    smart_low_poly: bool | None = None
    generate_parts: bool | None = None

    BASE_PATH: ClassVar[str] = ""

    def endpoint(self) -> str:
        return self.BASE_PATH + ("3.1/" if self.version == "v3.1" else "")

    def wire_fields(self) -> dict[str, Any]:
        body = super().wire_fields()
        body.pop("version", None)  # it is in the URL path
        return body

    def _check_v3(self) -> None:
        if self.version in ("3.0", "3.1"):
            raise ValidationError(f"version must be written v{self.version}.")
        check_choice(self.version, "version", VERSIONS)
        self._check_common()
        check_choice(self.geometry_quality, "geometry_quality", QUALITIES)
        for name in ("quad", "smart_low_poly", "generate_parts"):
            check_bool(getattr(self, name), name)
        # texture and pbr default to true on the service, so parts need both turned off.
        if self.generate_parts and not self._untextured():
            raise ValidationError("generate_parts needs texture=false and pbr=false.")


def _check_image_input(image: str | None, image_url: str | None) -> None:
    which = exactly_one({"image": image, "image_url": image_url}, "An image")
    if which == "image":
        if image.startswith(("http://", "https://")):
            raise ValidationError("Give a web address as image_url; image takes a local file or a data URL.")
        check_image(image, "image")
    else:
        check_url(image_url, "image_url")


def _multiview_wire(images: list) -> list[dict[str, Any]]:
    """Items may be given as sources or as ``{"image": source}``; the wire wants the latter."""
    return [item if isinstance(item, dict) else {"image": item} for item in images]


def _check_multiview(images: Any) -> None:
    if not isinstance(images, (list, tuple)):
        raise ValidationError("images is required: give 2 to 4 images.")
    sources = []
    for item in images:
        if isinstance(item, dict):
            if set(item) != {"image"}:
                raise ValidationError('Each images item must be {"image": <picture>}.')
            item = item["image"]
        sources.append(item)
    check_image_list(sources, "images", 2, 4)


# -- Tripo v3.0 / v3.1 ------------------------------------------------------------

@dataclasses.dataclass
class TripoTextRequest(_TripoV3):
    ENDPOINT: ClassVar[str] = "/v1/3d-models/tripo/text-to-3d/"
    BASE_PATH: ClassVar[str] = ENDPOINT
    LABEL: ClassVar[str] = "Tripo text-to-3D"

    prompt: str = ""
    negative_prompt: str | None = None

    def validate(self) -> None:
        check_text(self.prompt, "prompt", 1024, required=True)
        check_text(self.negative_prompt, "negative_prompt", 1024)
        self._check_v3()

    def credits(self) -> Credits:
        return Credits(20, 120, "by texture, PBR and quality settings")


@dataclasses.dataclass
class TripoImageRequest(_TripoV3):
    ENDPOINT: ClassVar[str] = "/v1/3d-models/tripo/image-to-3d/"
    BASE_PATH: ClassVar[str] = ENDPOINT
    LABEL: ClassVar[str] = "Tripo image-to-3D"
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("image",)

    image: str | None = None
    image_url: str | None = None
    texture_alignment: str | None = None
    orientation: str | None = None
    enable_image_autofix: bool | None = None

    def validate(self) -> None:
        _check_image_input(self.image, self.image_url)
        self._check_v3()
        check_choice(self.texture_alignment, "texture_alignment", TEXTURE_ALIGNMENTS)
        check_choice(self.orientation, "orientation", ORIENTATIONS)
        check_bool(self.enable_image_autofix, "enable_image_autofix")

    def credits(self) -> Credits:
        if self._untextured():
            return Credits(40, 40, "untextured")
        # The table says "40 + texture" without the texture price; 120 is the text-to-3D top.
        return Credits(40, 120, "40 + texture; detailed texture and PBR cost more")


@dataclasses.dataclass
class TripoMultiviewRequest(_TripoV3):
    ENDPOINT: ClassVar[str] = "/v1/3d-models/tripo/multiview-to-3d/"
    BASE_PATH: ClassVar[str] = ENDPOINT
    LABEL: ClassVar[str] = "Tripo multi-view-to-3D"
    TYPICAL_SECONDS: ClassVar[float] = 150.0
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("images",)

    images: list | None = None        # 2–4 sources (or {"image": source} items)
    texture_alignment: str | None = None
    orientation: str | None = None

    def validate(self) -> None:
        _check_multiview(self.images)
        self._check_v3()
        check_choice(self.texture_alignment, "texture_alignment", TEXTURE_ALIGNMENTS)
        check_choice(self.orientation, "orientation", ORIENTATIONS)

    def wire_fields(self) -> dict[str, Any]:
        body = super().wire_fields()
        body["images"] = _multiview_wire(self.images or [])
        return body

    def credits(self) -> Credits:
        # Not in the price table; the service prices it like image-to-3D.
        if self._untextured():
            return Credits(40, 40, "untextured; assumed priced like image-to-3D")
        return Credits(40, 120, "assumed priced like image-to-3D: 40 + texture")


# -- Tripo P1 --------------------------------------------------------------------

@dataclasses.dataclass
class _TripoP1(_TripoCommon):
    FACE_LIMIT: ClassVar[tuple[int, int]] = (48, 20_000)
    TYPICAL_SECONDS: ClassVar[float] = 180.0

    model_seed: int | None = None

    def _check_p1(self) -> None:
        self._check_common()
        check_int(self.model_seed, "model_seed", 0, SEED_MAX)

    def credits(self) -> Credits:
        return Credits(60, 160, "by texture, PBR and texture quality")


@dataclasses.dataclass
class TripoP1TextRequest(_TripoP1):
    ENDPOINT: ClassVar[str] = "/v1/3d-models/tripo/text-to-3d/p1/"
    LABEL: ClassVar[str] = "Tripo P1 text-to-3D"

    prompt: str = ""
    negative_prompt: str | None = None
    image_seed: int | None = None

    def validate(self) -> None:
        check_text(self.prompt, "prompt", 1024, required=True)
        check_text(self.negative_prompt, "negative_prompt", 255)
        check_int(self.image_seed, "image_seed", 0, SEED_MAX)
        self._check_p1()


@dataclasses.dataclass
class TripoP1ImageRequest(_TripoP1):
    ENDPOINT: ClassVar[str] = "/v1/3d-models/tripo/image-to-3d/p1/"
    LABEL: ClassVar[str] = "Tripo P1 image-to-3D"
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("image",)

    image: str | None = None
    image_url: str | None = None

    def validate(self) -> None:
        _check_image_input(self.image, self.image_url)
        self._check_p1()


@dataclasses.dataclass
class TripoP1MultiviewRequest(_TripoP1):
    ENDPOINT: ClassVar[str] = "/v1/3d-models/tripo/multiview-to-3d/p1/"
    LABEL: ClassVar[str] = "Tripo P1 multi-view-to-3D"
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("images",)

    images: list | None = None

    def validate(self) -> None:
        _check_multiview(self.images)
        self._check_p1()

    def wire_fields(self) -> dict[str, Any]:
        body = super().wire_fields()
        body["images"] = _multiview_wire(self.images or [])
        return body
