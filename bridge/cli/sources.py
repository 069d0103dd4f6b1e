"""Turn command-line inputs into request attribute values."""

from __future__ import annotations

from ..errors import ValidationError


def is_url(value: str | None) -> bool:
    return bool(value) and value.startswith(("http://", "https://"))


def split_image(value: str | None) -> tuple[str | None, str | None]:
    """``--image`` as (local source, web URL): endpoints take them in different fields."""
    if is_url(value):
        return None, value
    return value, None


def one_image(images: list[str] | None, command: str) -> str | None:
    """The single ``--image`` a command takes (``--image`` is repeatable for edits only)."""
    if not images:
        return None
    if len(images) > 1:
        raise ValidationError(f"{command} takes one --image; got {len(images)}.")
    return images[0]


def parse_views(values: list[str] | None) -> list[dict] | None:
    """``--view front=a.png --view left=b.png`` → Tencent's multi_view_images items."""
    if not values:
        return None
    views = []
    for value in values:
        view, sep, path = value.partition("=")
        if not sep or not view or not path:
            raise ValidationError(f"--view must be VIEW=PICTURE, e.g. front=front.png; got {value!r}.")
        views.append({"view_type": view.strip(), "view_image": path.strip()})
    return views
