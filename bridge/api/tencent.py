"""Tencent Hunyuan 3D: Rapid and Pro generation, topology and texture edit."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from ..errors import ValidationError
from ..imagefile import PictureLimits
from .base import ApiRequest, Credits, check_choice, check_image, check_text
from .checks import check_bool, check_int, check_url, url_extension

PROMPT_LIMIT = 1024
# The contract states no picture limits; Tencent's own API reference for Hunyuan
# To3D does (SubmitHunyuanTo3DProJob / ...RapidJob, ImageBase64): each side
# 128-5000 pixels, at most 8 MB for Pro and 6 MB for Rapid's base64 input.
TENCENT_SOURCE = "Tencent Hunyuan's documented limit"
PRO_PICTURES = PictureLimits(max_bytes=8 * 1024 * 1024, max_side=5000, min_side=128,
                             source=TENCENT_SOURCE)
RAPID_PICTURES = dataclasses.replace(PRO_PICTURES, max_bytes=6 * 1024 * 1024)
PRO_MODELS = ("3.0", "3.1")
GENERATE_TYPES = ("Normal", "LowPoly", "Geometry", "Sketch")
NOT_ON_31 = ("LowPoly", "Sketch")
POLYGON_TYPES = ("triangle", "quadrilateral")
# "left"/"right" are the subject's own sides (its left side, seen from its left),
# as in the tutorial's view recipes and the add-on's scene capture.
VIEWS = {
    "3.0": ("front", "left", "right", "back"),
    "3.1": ("front", "left", "right", "back", "top", "bottom", "left_front", "right_front"),
}


def _check_prompt_or_image(prompt: str | None, image: str | None, both_ok: bool = False,
                           both_hint: str = "", limits: PictureLimits = PRO_PICTURES) -> None:
    check_text(prompt, "prompt", PROMPT_LIMIT)
    if image:
        check_image(image, "image", limits=limits)
    if not prompt and not image:
        raise ValidationError("Give a prompt or an image.")
    if prompt and image and not both_ok:
        raise ValidationError(f"Give a prompt or an image, not both{both_hint}.")


@dataclasses.dataclass
class TencentRapidRequest(ApiRequest):
    """Hunyuan Rapid: quick text- or image-to-3D."""

    ENDPOINT: ClassVar[str] = "/v1/3d-models/tencent/generate/rapid/"
    LABEL: ClassVar[str] = "Tencent Rapid"
    TYPICAL_SECONDS: ClassVar[float] = 90.0
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("image",)

    prompt: str | None = None
    image: str | None = None
    enable_pbr: bool | None = None

    def validate(self) -> None:
        # The contract gives no prompt limit for Rapid; Pro's 1024 is the same model family.
        _check_prompt_or_image(self.prompt, self.image, limits=RAPID_PICTURES)
        check_bool(self.enable_pbr, "enable_pbr")

    def credits(self) -> Credits:
        # The table marks these numbers as unverified [?].
        if self.enable_pbr:
            return Credits(50, 50, "35 base + 15 PBR")
        return Credits(35, 35, "35 base, +15 with PBR")


@dataclasses.dataclass
class TencentProRequest(ApiRequest):
    """Hunyuan Pro 3.0 / 3.1: text, image, sketch or multi-view to 3D."""

    ENDPOINT: ClassVar[str] = "/v1/3d-models/tencent/generate/pro/"
    LABEL: ClassVar[str] = "Tencent Pro"
    TYPICAL_SECONDS: ClassVar[float] = 240.0
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("image", "multi_view_images")

    model: str = "3.0"
    prompt: str | None = None
    image: str | None = None
    enable_pbr: bool | None = None
    face_count: int | None = None
    generate_type: str | None = None
    polygon_type: str | None = None
    #: ``[{"view_type": "front", "view_image": <source>}, ...]`` exactly as on the wire.
    multi_view_images: list[dict[str, Any]] | None = None

    def validate(self) -> None:
        if not self.model:
            raise ValidationError("model is required: 3.0 or 3.1.")
        check_choice(self.model, "model", PRO_MODELS)
        check_choice(self.generate_type, "generate_type", GENERATE_TYPES)
        if self.model == "3.1" and self.generate_type in NOT_ON_31:
            raise ValidationError(f"generate_type {self.generate_type} is not available on model 3.1; "
                                  "use model 3.0 or generate_type Normal/Geometry.")
        sketch = self.generate_type == "Sketch"
        if self.multi_view_images:
            self._check_views()
            if self.image:
                raise ValidationError("Give the front picture as the 'front' view of "
                                      "multi_view_images, not also as image.")
            if self.prompt and not sketch:
                raise ValidationError("A prompt cannot be combined with multi-view images "
                                      "(only generate_type Sketch takes a prompt with pictures).")
            check_text(self.prompt, "prompt", PROMPT_LIMIT)
        else:
            _check_prompt_or_image(self.prompt, self.image, both_ok=sketch,
                                   both_hint=" (prompt and image together need generate_type Sketch)")
        if sketch and not (self.image or self.multi_view_images):
            raise ValidationError("generate_type Sketch needs an image (the sketch).")
        check_bool(self.enable_pbr, "enable_pbr")
        check_int(self.face_count, "face_count", 40_000, 1_500_000)
        check_choice(self.polygon_type, "polygon_type", POLYGON_TYPES)
        if self.polygon_type is not None and self.generate_type != "LowPoly":
            raise ValidationError("polygon_type only applies with generate_type LowPoly.")

    def _check_views(self) -> None:
        allowed = VIEWS[self.model]
        seen = set()
        if not isinstance(self.multi_view_images, list):
            raise ValidationError("multi_view_images must be a list of {view_type, view_image}.")
        for item in self.multi_view_images:
            if not isinstance(item, dict) or set(item) != {"view_type", "view_image"}:
                raise ValidationError("Each multi_view_images item needs exactly view_type and view_image.")
            view = item["view_type"]
            if view not in allowed:
                raise ValidationError(f"view_type {view!r} is not available on model {self.model}; "
                                      f"allowed: {', '.join(allowed)}.")
            if view in seen:
                raise ValidationError(f"view_type {view!r} is given twice.")
            seen.add(view)
            check_image(item["view_image"], f"view_image ({view})", limits=PRO_PICTURES)
        if "front" not in seen:
            raise ValidationError("multi_view_images needs a 'front' view.")

    def credits(self) -> Credits:
        total, parts = 60, ["60 base"]
        if self.enable_pbr:
            total, parts = total + 20, parts + ["20 PBR"]
        if self.multi_view_images:
            total, parts = total + 20, parts + ["20 multi-view"]
        return Credits(total, total, " + ".join(parts))

    def expected_seconds(self) -> float:
        # Multi-view and PBR add reconstruction and texturing passes.
        extra = (60.0 if self.multi_view_images else 0.0) + (60.0 if self.enable_pbr else 0.0)
        return self.TYPICAL_SECONDS + extra


@dataclasses.dataclass
class TencentTopologyRequest(ApiRequest):
    """Hunyuan retopology of an existing mesh given by URL."""

    ENDPOINT: ClassVar[str] = "/v1/3d-models/tencent/topology/"
    KIND: ClassVar[str] = "tool"
    LABEL: ClassVar[str] = "Tencent topology"
    TYPICAL_SECONDS: ClassVar[float] = 180.0

    file_url: str = ""
    file_type: str | None = None
    polygon_type: str | None = None
    face_level: str | None = None
    output_format: str | None = None

    def validate(self) -> None:
        check_url(self.file_url, "file_url", required=True)
        check_choice(self.file_type, "file_type", ("GLB", "OBJ"))
        ext = url_extension(self.file_url).upper()
        if self.file_type and ext in ("GLB", "OBJ") and ext != self.file_type:
            raise ValidationError(f"file_type is {self.file_type} but file_url ends in .{ext.lower()}.")
        check_choice(self.polygon_type, "polygon_type", POLYGON_TYPES)
        check_choice(self.face_level, "face_level", ("high", "medium", "low"))
        if self.output_format is not None:
            check_text(self.output_format, "output_format", 16)

    def credits(self) -> Credits:
        return Credits(100, 100)


@dataclasses.dataclass
class TencentTextureEditRequest(ApiRequest):
    """Hunyuan re-texturing of an FBX from a prompt or a reference image."""

    ENDPOINT: ClassVar[str] = "/v1/3d-models/tencent/texture-edit/"
    KIND: ClassVar[str] = "tool"
    LABEL: ClassVar[str] = "Tencent texture edit"
    TYPICAL_SECONDS: ClassVar[float] = 180.0
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("image",)

    file_url: str = ""
    prompt: str | None = None
    image: str | None = None
    enable_pbr: bool | None = None

    def validate(self) -> None:
        check_url(self.file_url, "file_url", required=True)
        ext = url_extension(self.file_url)
        # Pre-signed URLs may carry no extension; refuse only a clearly different format.
        if ext and ext != "fbx":
            raise ValidationError(f"file_url must point to an FBX model; got a .{ext} file.")
        _check_prompt_or_image(self.prompt, self.image)
        check_bool(self.enable_pbr, "enable_pbr")

    def credits(self) -> Credits:
        return Credits(80, 80)
