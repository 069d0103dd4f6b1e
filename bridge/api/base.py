"""The shape every request type shares: validate locally, price, serialise.

One dataclass per endpoint, with the contract's field names as attributes
(so ``payload()`` is mostly a copy). Image attributes hold a *source*: a
local path, an ``http(s)`` URL or a ``data:`` URL; they become data URLs
only when the payload is built, so the journal stores paths, not megabytes.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

from ..errors import ValidationError
from ..imagefile import DEFAULT_LIMITS, PictureLimits, check_image_source, image_source_to_wire
from ..safetext import control_characters

REQUEST_TYPES: dict[str, type["ApiRequest"]] = {}


@dataclasses.dataclass(frozen=True)
class Credits:
    """A credit estimate: exact when ``low == high``."""

    low: int
    high: int
    note: str = ""
    unit: str = "credits"    # image3d.io counts generations of a plan, not credits

    def __str__(self) -> str:
        text = f"{self.low}" if self.low == self.high else f"{self.low}–{self.high}"
        unit = self.unit[:-1] if self.unit.endswith("s") and self.high == 1 else self.unit
        return f"{text} {unit}" + (f" ({self.note})" if self.note else "")


@dataclasses.dataclass
class ApiRequest:
    ENDPOINT: ClassVar[str] = ""
    PROVIDER: ClassVar[str] = "3daistudio"
    KIND: ClassVar[str] = "3d"            # "3d", "image", "tool", "miniature"
    LABEL: ClassVar[str] = ""             # what the user sees, e.g. "Tencent Pro"
    TYPICAL_SECONDS: ClassVar[float] = 120.0
    IMAGE_FIELDS: ClassVar[tuple[str, ...]] = ()   # attributes holding image sources
    FILE_FIELDS: ClassVar[dict[str, str]] = {}     # attribute → multipart field name

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        if cls.ENDPOINT:
            REQUEST_TYPES[cls.__name__] = cls

    # -- to override ----------------------------------------------------------
    def validate(self) -> None:
        """Raise :class:`ValidationError` if the service would reject this."""

    def credits(self) -> Credits:
        raise NotImplementedError

    def endpoint(self) -> str:
        return self.ENDPOINT

    def expected_seconds(self) -> float:
        """Typical time to FINISHED; the engine schedules polls around it."""
        return self.TYPICAL_SECONDS

    def wire_fields(self) -> dict[str, Any]:
        """The body before image sources are turned into data URLs.

        Default: every non-None dataclass field under its own name.
        """
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                if getattr(self, f.name) is not None and not f.name.startswith("_")}

    # -- shared behaviour -----------------------------------------------------
    def uses_multipart(self) -> bool:
        return any(getattr(self, attr, None) for attr in self.FILE_FIELDS)

    def payload(self) -> dict[str, Any]:
        """The JSON body, with local images encoded as data URLs."""
        self.validate()
        body = self.wire_fields()
        for key, value in list(body.items()):
            body[key] = _encode_images(value) if key in self._wire_image_keys() else value
        return body

    def _wire_image_keys(self) -> set[str]:
        return set(self.IMAGE_FIELDS)

    def multipart(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Form fields and files (field name → local path) for a multipart submit."""
        self.validate()
        fields = self.wire_fields()
        files = {}
        for attr, field_name in self.FILE_FIELDS.items():
            path = fields.pop(attr, None)
            if path:
                files[field_name] = path
        return fields, files

    def to_record(self) -> dict[str, Any]:
        """JSON-safe description for the journal: no secrets, paths not pixels."""
        return {"type": type(self).__name__, "fields": dataclasses.asdict(self)}

    @staticmethod
    def from_record(record: dict[str, Any]) -> "ApiRequest":
        cls = REQUEST_TYPES.get(record.get("type", ""))
        if cls is None:
            raise ValidationError(f"Unknown request type in journal: {record.get('type')!r}")
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in record.get("fields", {}).items() if k in names})

    def summary(self) -> str:
        """One line for job lists: the label and the prompt or file name."""
        what = getattr(self, "prompt", None) or ""
        if not what:
            for attr in (*self.IMAGE_FIELDS, *self.FILE_FIELDS):
                value = getattr(self, attr, None)
                if isinstance(value, str) and value and not value.startswith("data:"):
                    what = value.rsplit("/", 1)[-1]
                    break
        return f"{self.LABEL}: {what[:60]}" if what else self.LABEL


def _encode_images(value: Any) -> Any:
    if isinstance(value, str):
        return image_source_to_wire(value)
    if isinstance(value, list):
        return [_encode_images(v) for v in value]
    if isinstance(value, dict):
        return {k: (_encode_images(v) if k in ("image", "view_image") else v)
                for k, v in value.items()}
    return value


# -- validation helpers (messages name the field and the allowed values) --------

def require(value: Any, name: str) -> None:
    if value in (None, "", [], {}):
        raise ValidationError(f"{name} is required.")


def check_choice(value: Any, name: str, choices) -> None:
    if value is not None and value not in choices:
        allowed = ", ".join(str(c) for c in choices)
        raise ValidationError(f"{name} must be one of {allowed}; got {value!r}.")


def check_range(value: Any, name: str, low: float, high: float) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValidationError(f"{name} must be a finite number; got {value!r}.")
    if not low <= value <= high:
        raise ValidationError(f"{name} must be between {low:,} and {high:,}; got {value:,}.")


def check_text(value: str | None, name: str, max_len: int, required: bool = False) -> None:
    if value is None or value == "":
        if required:
            raise ValidationError(f"{name} is required.")
        return
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{name} must not be blank.")
    if len(value) > max_len:
        raise ValidationError(f"{name} is {len(value)} characters; the limit is {max_len}.")
    # A command line's bytes that are not UTF-8 arrive as lone surrogates: they cannot
    # be journaled or sent, so they are refused here, before anything is (CLI exit 2).
    bad = next((i for i, c in enumerate(value) if "\ud800" <= c <= "\udfff"), None)
    if bad is not None:
        raise ValidationError(f"{name} is not valid text: character {bad + 1} comes from bytes "
                              "that are not UTF-8. Save or type it as UTF-8.")
    # Refused rather than silently removed: what is sent (and paid for) is what the
    # user wrote. They are almost always a paste accident (a terminal's colour codes),
    # and a terminal echoing them back would obey them. Line breaks and tabs are fine.
    controls = control_characters(value)
    if controls:
        where = value.index(controls[0]) + 1
        raise ValidationError(f"{name} contains a control character (U+{ord(controls[0]):04X} at "
                              f"character {where}); remove it. Line breaks and tabs are fine.")


def check_image(value: str | None, name: str, required: bool = True,
                limits: PictureLimits = DEFAULT_LIMITS) -> None:
    if not value:
        if required:
            raise ValidationError(f"{name} is required: give a PNG, JPEG or WebP file.")
        return
    check_image_source(value, name, limits)
