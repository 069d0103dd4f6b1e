"""The miniature-figurine flow: picture → restyled picture → 3D model (→ scaled)."""

from __future__ import annotations

import dataclasses
import math
import re
from typing import ClassVar

from ..errors import ValidationError
from .base import ApiRequest, Credits, check_choice, check_image, check_range

BASE_PRESETS = ("miniature_human_full_body", "miniature_human_bust",
                "miniature_animal", "miniature_object")
V3_POSES = ("crossed_arms", "hands_on_hips", "thumbs_up", "hands_in_pockets",
            "arms_behind_back", "waving")
PRESETS: tuple[str, ...] = (
    *BASE_PRESETS,
    *(f"v2_{p}" for p in BASE_PRESETS),
    *(f"v3_{p}" for p in BASE_PRESETS),
    *(f"v3_miniature_human_full_body_{pose}" for pose in V3_POSES),
    "v4_miniature_human_full_body", "v4_miniature_general",
    "realistic_human_full_body", "realistic_human_bust", "realistic_animal", "realistic_object",
)
EDITIONS = {"default": 300, "fast": 200}
EDITION_SECONDS = {"default": 390.0, "fast": 240.0}

#: Named print scales and their ratio N of 1:N.
SCALES = {"z": 220.0, "n": 160.0, "tt": 120.0, "h0": 87.0, "o": 48.0, "g": 22.5}
ENGINES_2D = ("v3", "v3.1", "v3.2")
ENGINES_3D = ("hunyuan", "prism")
_RATIO = re.compile(r"^1:(\d+(?:\.\d+)?)$")
# Height of the real subject a named scale is applied to, when nothing else is
# known: an adult human, the reference every model-railway scale is built on.
REFERENCE_HEIGHT_CM = 175.0
MAX_HEIGHT_CM = 100.0   # the service's limit on a custom printed height


def scale_ratio(scale: str | None) -> float | None:
    """N of 1:N for a named or ``1:N`` scale; None for ``none``/``custom``/unset."""
    if not scale or scale in ("none", "custom"):
        return None
    if scale in SCALES:
        return SCALES[scale]
    match = _RATIO.match(scale)
    if match:
        return float(match.group(1))
    raise ValidationError(f"scale must be none, custom, 1:N or one of {', '.join(SCALES)}; got {scale!r}.")


def assumed_subject_cm(preset: str | None) -> float | None:
    """Real height a named scale is applied to for *preset*; None when only the user knows it.

    Model-railway scales are built on a standing adult, so a full human
    figure can assume one. A bust, an animal or an object has no standard
    size: a horse at O is about 5 cm, not the 3.65 cm of a person.
    """
    if preset is None or "human_full_body" in preset:
        return REFERENCE_HEIGHT_CM
    return None


def scale_for_subject(preset: str | None, scale: str | None, scale_height_cm: float | None,
                      subject_height_cm: float | None = None) -> tuple[str | None, float | None]:
    """The ``(scale, scale_height_cm)`` to send for a subject *subject_height_cm* tall in reality.

    A ratio is applied to the real subject: when it is not the adult the
    scale assumes, the printed height is sent instead (``custom``), so the
    service and the import agree on it; the request's validation then holds
    it to the service's limit like any custom height.
    """
    ratio = scale_ratio(scale)
    if ratio is None:
        return scale, scale_height_cm
    assumed = assumed_subject_cm(preset)
    if subject_height_cm:
        if not math.isfinite(subject_height_cm) or subject_height_cm <= 0:
            raise ValidationError("The subject's real height must be a finite number greater "
                                  f"than 0; got {subject_height_cm!r}.")
        if subject_height_cm == assumed:
            return scale, None
        return "custom", round(subject_height_cm / ratio, 3)
    if assumed is None:
        kind = next((k for k in ("bust", "animal", "object") if k in (preset or "")), "subject of this preset")
        raise ValidationError(
            f"A 1:{ratio:g} scale applies to the real subject, and {'an' if kind[0] in 'ao' else 'a'} "
            f"{kind} has no standard size: give its real-world height in cm (only full human "
            f"figures assume {REFERENCE_HEIGHT_CM:g} cm), or choose a custom printed height.")
    return scale, None


def target_height_cm(scale: str | None, scale_height_cm: float | None,
                     reference_cm: float = REFERENCE_HEIGHT_CM) -> float | None:
    """Printed height in cm the flow's SCALED_3D_MODEL is made at (None: unscaled)."""
    if scale == "custom":
        return scale_height_cm
    ratio = scale_ratio(scale)
    return None if ratio is None else reference_cm / ratio


@dataclasses.dataclass
class MiniatureRequest(ApiRequest):
    ENDPOINT: ClassVar[str] = "/v1/flow/miniature/"
    KIND: ClassVar[str] = "miniature"
    LABEL: ClassVar[str] = "Miniature"
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ("image",)

    image: str = ""
    preset: str = "miniature_human_full_body"
    edition: str | None = None
    scale: str | None = None
    scale_height_cm: float | None = None
    face_count: int | None = None
    obj_scale_multiplier: float | None = None
    engine_2d: str | None = None
    engine_3d: str | None = None

    def expected_seconds(self) -> float:
        return EDITION_SECONDS[self.edition or "default"]

    def validate(self) -> None:
        check_image(self.image, "image")
        if not self.preset:
            raise ValidationError("preset is required.")
        check_choice(self.preset, "preset", PRESETS)
        check_choice(self.edition, "edition", tuple(EDITIONS))
        scale_ratio(self.scale)  # raises on a malformed scale
        if self.scale == "custom":
            if self.scale_height_cm is None:
                raise ValidationError("scale 'custom' needs scale_height_cm (the printed height in cm).")
            check_range(self.scale_height_cm, "scale_height_cm", 0.1, float("inf"))
            if self.scale_height_cm > MAX_HEIGHT_CM:
                raise ValidationError(
                    f"The printed height would be {self.scale_height_cm:g} cm; the service makes "
                    f"miniatures up to {MAX_HEIGHT_CM:g} cm tall. Choose a smaller scale or height.")
        elif self.scale_height_cm is not None:
            raise ValidationError("scale_height_cm only applies with scale 'custom'.")
        check_range(self.face_count, "face_count", 3_000, 1_500_000)
        if self.obj_scale_multiplier is not None:
            check_range(self.obj_scale_multiplier, "obj_scale_multiplier", 0.0001, 100_000)
        check_choice(self.engine_2d, "2d_engine", ENGINES_2D)
        check_choice(self.engine_3d, "3d_engine", ENGINES_3D)

    def wire_fields(self) -> dict:
        body = super().wire_fields()
        # Python names cannot start with a digit; the wire names do.
        if "engine_2d" in body:
            body["2d_engine"] = body.pop("engine_2d")
        if "engine_3d" in body:
            body["3d_engine"] = body.pop("engine_3d")
        return body

    def credits(self) -> Credits:
        return Credits(EDITIONS[self.edition or "default"], EDITIONS[self.edition or "default"],
                       f"{self.edition or 'default'} edition")
