"""Model tools: convert, render, repair, optimize, bake texture, calculate volume.

A model is given as ``model_url`` (sent in a JSON body) or ``model_file``
(a local path, sent as the multipart file field ``model_file``): the way to
use a mesh that has no public URL. ``uses_multipart()`` picks the encoding.
"""

from __future__ import annotations

import dataclasses
import math
from typing import ClassVar

from ..errors import ValidationError
from .base import ApiRequest, Credits, check_choice, check_text
from .checks import check_bool, check_int, check_model_file, check_model_input, check_positive, check_url

OUTPUT_FORMATS = ("glb", "obj", "obj_zip", "stl", "ply", "fbx", "fbx_zip", "usdz", "3mf")
# The contract names cm (and mm for print); the rest are the usual CAD units.
UNITS = ("mm", "cm", "m", "in")
RENDER_ANGLES = ("front", "back", "left", "right", "top", "3/4", "isometric",
                 "turntable_4", "turntable_8", "turntable_12")
MAX_HEIGHTS = 10


@dataclasses.dataclass
class _ModelTool(ApiRequest):
    KIND: ClassVar[str] = "tool"
    TYPICAL_SECONDS: ClassVar[float] = 30.0
    FILE_FIELDS: ClassVar[dict[str, str]] = {"model_file": "model_file"}

    model_url: str | None = None
    model_file: str | None = None

    def validate(self) -> None:
        check_model_input(self.model_url, self.model_file)


@dataclasses.dataclass
class ConvertRequest(_ModelTool):
    ENDPOINT: ClassVar[str] = "/v1/tools/convert/"
    LABEL: ClassVar[str] = "Convert"

    output_format: str = ""
    max_size: float | None = None
    unit: str | None = None

    def validate(self) -> None:
        super().validate()
        if not self.output_format:
            raise ValidationError("output_format is required: " + ", ".join(OUTPUT_FORMATS) + ".")
        check_choice(self.output_format, "output_format", OUTPUT_FORMATS)
        check_positive(self.max_size, "max_size")
        check_choice(self.unit, "unit", UNITS)

    def credits(self) -> Credits:
        return Credits(10, 10)


@dataclasses.dataclass
class RenderRequest(_ModelTool):
    ENDPOINT: ClassVar[str] = "/v1/tools/render/"
    LABEL: ClassVar[str] = "Render"

    output_type: str | None = None
    angle: str | None = None
    resolution: int | None = None
    lighting: str | None = None       # open list on the service ("studio", …)
    background: str | None = None     # open list on the service ("transparent", …)
    ground_shadow: bool | None = None

    def validate(self) -> None:
        super().validate()
        check_choice(self.output_type, "output_type", ("image", "video"))
        check_choice(self.angle, "angle", RENDER_ANGLES)
        check_int(self.resolution, "resolution", 64, 4096)
        check_text(self.lighting, "lighting", 64)
        check_text(self.background, "background", 64)
        check_bool(self.ground_shadow, "ground_shadow")

    def credits(self) -> Credits:
        return Credits(20, 20, "video") if self.output_type == "video" else Credits(5, 5, "image")

    def expected_seconds(self) -> float:
        return 120.0 if self.output_type == "video" else 30.0


@dataclasses.dataclass
class RepairRequest(_ModelTool):
    ENDPOINT: ClassVar[str] = "/v1/tools/repair/"
    LABEL: ClassVar[str] = "Repair"
    TYPICAL_SECONDS: ClassVar[float] = 120.0

    output_format: str | None = None
    hollow: bool | None = None
    wall_thickness: float | None = None
    target_height: float | None = None
    unit: str | None = None
    quality: str | None = None
    topology: str | None = None
    texture_resolution: int | None = None
    bake_textures: bool | None = None

    def validate(self) -> None:
        super().validate()
        check_choice(self.output_format, "output_format", OUTPUT_FORMATS)
        check_bool(self.hollow, "hollow")
        check_positive(self.wall_thickness, "wall_thickness")
        if self.wall_thickness is not None and not self.hollow:
            raise ValidationError("wall_thickness only applies with hollow.")
        check_positive(self.target_height, "target_height")
        check_choice(self.unit, "unit", UNITS)
        check_choice(self.quality, "quality", ("low", "default", "max"))
        check_choice(self.topology, "topology", ("tris", "quads"))
        check_int(self.texture_resolution, "texture_resolution", 256, 8192)
        check_bool(self.bake_textures, "bake_textures")

    def credits(self) -> Credits:
        return Credits(90, 90, "with hollowing") if self.hollow else Credits(60, 60, "90 with hollow")

    def expected_seconds(self) -> float:
        return self.TYPICAL_SECONDS + (60.0 if self.hollow else 0.0)


@dataclasses.dataclass
class OptimizeRequest(ApiRequest):
    """Optimize takes a multipart ``model_file`` only (a URL is refused by the service)."""

    ENDPOINT: ClassVar[str] = "/v1/tools/optimize/"
    KIND: ClassVar[str] = "tool"
    LABEL: ClassVar[str] = "Optimize"
    TYPICAL_SECONDS: ClassVar[float] = 45.0
    FILE_FIELDS: ClassVar[dict[str, str]] = {"model_file": "model_file"}

    model_file: str = ""
    preset: str | None = None          # open list on the service ("low", "default", …)
    max_texture_size: int | None = None

    def validate(self) -> None:
        if not self.model_file:
            raise ValidationError("model_file is required: optimize takes a local model file only, "
                                  "not a URL.")
        check_model_file(self.model_file)
        check_text(self.preset, "preset", 32)
        check_int(self.max_texture_size, "max_texture_size", 64, 8192)

    def credits(self) -> Credits:
        return Credits(10, 10)


@dataclasses.dataclass
class BakeTextureRequest(ApiRequest):
    """Bake a textured high-poly model's look onto its low-poly retopology."""

    ENDPOINT: ClassVar[str] = "/v1/tools/bake-texture/"
    KIND: ClassVar[str] = "tool"
    LABEL: ClassVar[str] = "Bake texture"
    TYPICAL_SECONDS: ClassVar[float] = 60.0

    original_url: str = ""   # textured high-poly GLB/glTF
    retopo_url: str = ""     # low-poly GLB/glTF/OBJ/FBX
    texture_resolution: int | None = None
    output_format: str | None = None

    def validate(self) -> None:
        check_url(self.original_url, "original_url (the textured high-poly model)", required=True)
        check_url(self.retopo_url, "retopo_url (the low-poly model)", required=True)
        check_int(self.texture_resolution, "texture_resolution", 256, 8192)
        check_choice(self.output_format, "output_format", OUTPUT_FORMATS)

    def credits(self) -> Credits:
        return Credits(5, 5)


@dataclasses.dataclass
class VolumeRequest(_ModelTool):
    ENDPOINT: ClassVar[str] = "/v1/tools/calculate-volume/"
    LABEL: ClassVar[str] = "Calculate volume"
    TYPICAL_SECONDS: ClassVar[float] = 20.0

    target_height: float | None = None
    target_heights: str | None = None   # "5,10,15": up to 10 heights in one job
    unit: str | None = None

    def validate(self) -> None:
        super().validate()
        if self.target_height is not None and self.target_heights is not None:
            raise ValidationError("Give target_height or target_heights, not both.")
        check_positive(self.target_height, "target_height")
        if self.target_heights is not None:
            parse_heights(self.target_heights)
        check_choice(self.unit, "unit", UNITS)

    def credits(self) -> Credits:
        return Credits(20, 20)


def parse_heights(text: str) -> list[float]:
    """The numbers of a ``"5,10,15"`` target_heights value (1–10 positive numbers)."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError('target_heights must be comma-separated numbers, e.g. "5,10,15".')
    values = []
    for part in text.split(","):
        try:
            value = float(part.strip())
        except ValueError:
            raise ValidationError(f"target_heights has {part.strip()!r}, which is not a number; "
                                  'write e.g. "5,10,15".') from None
        if not value > 0 or not math.isfinite(value):
            raise ValidationError("target_heights values must be finite numbers greater than 0; "
                                  f"got {part.strip()!r}.")
        values.append(value)
    if len(values) > MAX_HEIGHTS:
        raise ValidationError(f"target_heights takes at most {MAX_HEIGHTS} values; got {len(values)}.")
    return values
