"""Validation helpers the request types share beyond those in ``base``.

Each raises :class:`ValidationError` with a message that names the field and
what would be accepted, because the user reads it instead of a 400 from the
service (which would also have cost a request out of a 3-per-minute budget).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ..errors import ValidationError
from ..imagefile import check_regular_file, read_picture
from .base import check_image

#: Local model files the tools take, by extension (the contract's list).
MODEL_EXTENSIONS = ("glb", "gltf", "obj", "stl", "ply", "fbx", "zip")
GLB_MAGIC = b"glTF"
ZIP_MAGIC = b"PK\x03\x04"


def check_bool(value: Any, name: str) -> None:
    if value is not None and not isinstance(value, bool):
        raise ValidationError(f"{name} must be true or false; got {value!r}.")


def check_int(value: Any, name: str, low: int, high: int) -> None:
    """An integer within ``low..high`` (bools and floats refused: the service wants ints)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{name} must be a whole number; got {value!r}.")
    if not low <= value <= high:
        raise ValidationError(f"{name} must be between {low:,} and {high:,}; got {value:,}.")


def check_positive(value: Any, name: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 \
            or not math.isfinite(value):
        raise ValidationError(f"{name} must be a finite number greater than 0; got {value!r}.")


def check_url(value: Any, name: str, required: bool = False) -> None:
    if value in (None, ""):
        if required:
            raise ValidationError(f"{name} is required: give an http(s) URL.")
        return
    if not isinstance(value, str) or not value.startswith(("http://", "https://")) \
            or not urlparse(value).netloc:
        raise ValidationError(f"{name} must be an http(s) URL; got {str(value)[:80]!r}.")


def only_with(value: Any, name: str, condition: bool, needs: str) -> None:
    """Refuse ``name`` unless ``condition`` holds (e.g. texture_size only with textures)."""
    if value is not None and not condition:
        raise ValidationError(f"{name} only applies {needs}.")


def exactly_one(values: dict[str, Any], what: str) -> str:
    """The name of the one field set among ``values``; refuse none or several."""
    given = [name for name, value in values.items() if value not in (None, "", [])]
    names = " or ".join(values)
    if not given:
        raise ValidationError(f"{what} is required: give {names}.")
    if len(given) > 1:
        raise ValidationError(f"Give only one of {names}, not both.")
    return given[0]


def url_extension(url: str) -> str:
    """Lower-case extension of a URL's path ('' if none)."""
    suffix = Path(urlparse(url).path).suffix.lower().lstrip(".")
    return suffix if suffix.isalnum() else ""


def check_model_file(path: Any, name: str = "model_file") -> None:
    """A local mesh the tools accept: known extension, and GLB/ZIP by their bytes.

    A file that claims to be GLB but is not fails here, not after upload.
    """
    if not isinstance(path, str) or not path:
        raise ValidationError(f"{name} must be a path to a local model file.")
    p = Path(path)
    if p.is_dir():
        raise ValidationError(f"The {name} {p} is a folder, not a model file.")
    check_regular_file(p, name)
    ext = p.suffix.lower().lstrip(".")
    if ext not in MODEL_EXTENSIONS:
        allowed = ", ".join(e.upper() for e in MODEL_EXTENSIONS)
        raise ValidationError(f"The {name} must be one of {allowed}; got {p.name!r}.")
    size = p.stat().st_size
    if size == 0:
        raise ValidationError(f"The {name} is empty: {p.name}")
    with open(p, "rb") as fh:
        head = fh.read(4)
    if ext == "glb" and head != GLB_MAGIC:
        raise ValidationError(f"The {name} {p.name!r} is named .glb but is not a GLB file "
                              "(it does not start with 'glTF').")
    if ext == "zip" and head != ZIP_MAGIC:
        raise ValidationError(f"The {name} {p.name!r} is named .zip but is not a ZIP archive.")


def check_model_input(model_url: Any, model_file: Any) -> None:
    """Model tools: exactly one of ``model_url`` (JSON) or ``model_file`` (multipart)."""
    which = exactly_one({"model_url": model_url, "model_file": model_file}, "A model")
    if which == "model_url":
        check_url(model_url, "model_url")
    else:
        check_model_file(model_file)


def check_image_file(path: Any, name: str = "image_file") -> None:
    """A local image sent as a multipart file: PNG/JPEG/WebP by its bytes."""
    if not isinstance(path, str) or not path:
        raise ValidationError(f"{name} must be a path to a local image file.")
    if path.startswith(("http://", "https://", "data:")):
        raise ValidationError(f"{name} must be a local file; give URLs as image_url.")
    # Named in words: "The picture file x.png does not exist", not "The image_file file".
    read_picture(path, "picture" if name == "image_file" else name.replace("_", " "))


def check_image_input(image_url: Any, image_file: Any) -> None:
    """Image tools: exactly one of ``image_url`` (http(s) or data URL) or ``image_file``."""
    which = exactly_one({"image_url": image_url, "image_file": image_file}, "An image")
    if which == "image_url":
        if not isinstance(image_url, str) or not image_url.startswith(("http://", "https://", "data:")):
            raise ValidationError("image_url must be an http(s) URL or a data URL; "
                                  "give a local picture as image_file.")
        check_image(image_url, "image_url")
    else:
        check_image_file(image_file)


def check_image_list(values: Any, name: str, low: int, high: int) -> None:
    """A list of image sources with ``low..high`` items, each a valid image."""
    if not isinstance(values, (list, tuple)) or not values:
        raise ValidationError(f"{name} is required: give {low} to {high} images.")
    if not low <= len(values) <= high:
        raise ValidationError(f"{name} takes {low} to {high} images; got {len(values)}.")
    for index, value in enumerate(values, 1):
        check_image(value, f"{name} #{index}")
