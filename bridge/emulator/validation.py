"""Check a wire body against an endpoint's schema (see ``schemas``).

A schema's ``fields`` maps each wire name to a field kind; anything else in
the body is an unknown field and refused, which is how contract tests catch
a client sending a wrong name. Multipart forms carry only strings, so for
them numbers and booleans are read from their text first.
"""

from __future__ import annotations

import math
from typing import Any, Callable

from ..errors import BridgeError, ValidationError
from ..imagefile import decode_data_url, sniff_image_type


class WireError(BridgeError):
    """A request body the service would answer 400 validation_failed to."""


def _fail(name: str, text: str) -> None:
    raise WireError(f"{name}: {text}")


def _bool(name, value, arg):
    if not isinstance(value, bool):
        _fail(name, f"must be true or false, got {value!r}")


def _int(name, value, arg):
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(name, f"must be an integer, got {value!r}")
    low, high = arg
    if not low <= value <= high:
        _fail(name, f"must be between {low} and {high}, got {value}")


def _num(name, value, arg):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        _fail(name, f"must be a number, got {value!r}")
    low, high = arg
    if not low <= value <= high:
        _fail(name, f"must be between {low} and {high}, got {value}")


def _enum(name, value, arg):
    if value not in arg:
        _fail(name, f"must be one of {', '.join(map(str, arg))}; got {value!r}")


def _text(name, value, arg):
    if not isinstance(value, str) or not value.strip():
        _fail(name, "must be a non-empty string")
    if len(value) > arg:
        _fail(name, f"is longer than {arg} characters")


def _url(name, value, arg):
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        _fail(name, "must be an http(s) URL")


def _image(name, value, arg):
    """A data URL holding a PNG, JPEG or WebP picture (or an http(s) URL, fetched by the service)."""
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return
    if not isinstance(value, str) or not value.startswith("data:"):
        _fail(name, "must be a data URL (data:image/png;base64,...)")
    try:
        data, _ = decode_data_url(value)
    except ValidationError as exc:
        _fail(name, str(exc))
    if sniff_image_type(data) is None:
        _fail(name, "does not hold a PNG, JPEG or WebP image")


def _image_list(name, value, arg):
    low, high = arg
    if not isinstance(value, list) or not low <= len(value) <= high:
        _fail(name, f"must be a list of {low} to {high} images")
    for i, item in enumerate(value):
        _image(f"{name}[{i}]", item, None)


def _tripo_images(name, value, arg):
    low, high = arg
    if not isinstance(value, list) or not low <= len(value) <= high:
        _fail(name, f"must be a list of {low} to {high} items {{\"image\": <data URL>}}")
    for i, item in enumerate(value):
        if not isinstance(item, dict) or set(item) != {"image"}:
            _fail(f"{name}[{i}]", 'must be {"image": <data URL>} and nothing else')
        _image(f"{name}[{i}].image", item["image"], None)


def _views(name, value, arg):
    if not isinstance(value, list) or not value:
        _fail(name, "must be a non-empty list of {view_type, view_image}")
    seen = set()
    for i, item in enumerate(value):
        if not isinstance(item, dict) or set(item) != {"view_type", "view_image"}:
            _fail(f"{name}[{i}]", "must have exactly view_type and view_image")
        _enum(f"{name}[{i}].view_type", item["view_type"], arg)
        if item["view_type"] in seen:
            _fail(name, f"view_type {item['view_type']!r} given twice")
        seen.add(item["view_type"])
        _image(f"{name}[{i}].view_image", item["view_image"], None)
    if "front" not in seen:
        _fail(name, "needs a 'front' view")


def _heights(name, value, arg):
    if not isinstance(value, str):
        _fail(name, 'must be a string like "5,10,15"')
    try:
        numbers = [float(p) for p in value.split(",")]
    except ValueError:
        _fail(name, 'must be comma-separated numbers like "5,10,15"')
    if not 1 <= len(numbers) <= 10 or min(numbers) <= 0:
        _fail(name, "takes 1 to 10 numbers greater than 0")


def _file(name, value, arg):
    if not isinstance(value, bytes) or not value:
        _fail(name, "must be a non-empty uploaded file (multipart/form-data)")


def _custom(name, value, arg):
    arg(name, value)


CHECKERS: dict[str, Callable[[str, Any, Any], None]] = {
    "bool": _bool, "int": _int, "num": _num, "enum": _enum, "text": _text, "url": _url,
    "image": _image, "image_list": _image_list, "tripo_images": _tripo_images,
    "views": _views, "heights": _heights, "file": _file, "custom": _custom,
}


def _from_form(kind: str, arg, value: Any) -> Any:
    """Multipart values are text; read them as the field's kind expects."""
    if not isinstance(value, str):
        return value
    if kind == "bool" and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    if kind in ("int", "num") or (kind == "enum" and all(isinstance(a, int) for a in arg)):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and kind != "num" else number
    return value


def validate_body(schema: dict, body: Any, form: bool = False) -> dict:
    """The body with form values read as their kinds; raises WireError when invalid."""
    if not isinstance(body, dict):
        raise WireError("The body must be a JSON object.")
    fields = schema["fields"]
    unknown = sorted(set(body) - set(fields))
    if unknown:
        raise WireError(f"Unknown field(s): {', '.join(unknown)}. "
                        f"Accepted: {', '.join(sorted(fields))}.")
    clean = {}
    for name, value in body.items():
        kind, arg = fields[name]
        if form:
            value = _from_form(kind, arg, value)
        if value is None:
            continue
        CHECKERS[kind](name, value, arg)
        clean[name] = value
    for name in schema.get("required", ()):
        if clean.get(name) in (None, "", []):
            raise WireError(f"{name}: this field is required.")
    for group in schema.get("one_of", ()):
        given = [g for g in group if clean.get(g) not in (None, "", [])]
        if len(given) != 1:
            raise WireError(f"Give exactly one of {', '.join(group)}"
                            f"{'' if given else ' (none given)'}.")
    for group in schema.get("any_of", ()):
        if not any(clean.get(g) not in (None, "", []) for g in group):
            raise WireError(f"Give at least one of {', '.join(group)}.")
    for rule, message in schema.get("rules", ()):
        if not rule(clean):
            raise WireError(message)
    return clean
