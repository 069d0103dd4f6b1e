"""Small drawing pieces the panels share: costs on buttons, wrapped messages, the picture source."""

import dataclasses
import textwrap

from ...bridge import errors

# Credits never depend on the picture itself, so estimates use a stand-in name.
PLACEHOLDER_IMAGE = "picture.png"
DEFAULT_WRAP = 48


def cost_text(credits) -> str:
    """``35 credits`` / ``20–120 credits`` / ``1 generation``: the amount without its note."""
    return str(dataclasses.replace(credits, note=""))


def cost_suffix(build) -> str:
    """`` · N credits`` for the request ``build()`` makes, or '' if it cannot be priced yet.

    One style on every button ("Generate · 35 credits"); the note behind a
    price belongs in the confirmation, not in nested parentheses on a button.
    """
    try:
        return f" · {cost_text(build().credits())}"
    except (errors.BridgeError, NotImplementedError, TypeError, ValueError):
        return ""


def wrap_width(context) -> int:
    """Characters that fit on a line of the region being drawn (a guess from its pixels)."""
    region = getattr(context, "region", None) if context is not None else None
    if region is None or not getattr(region, "width", 0):
        return DEFAULT_WRAP
    scale = getattr(getattr(context, "preferences", None), "view", None)
    scale = getattr(scale, "ui_scale", 1.0) or 1.0
    # Measured in a real 4.3 window: the sidebar's tab strip, box margins and the icon take
    # about 70 px; the default font averages about 7 px a character.
    return max(20, int((region.width - 70 * scale) / (7.0 * scale)))


def draw_wrapped(layout, text: str, icon: str = "ERROR", width: int = DEFAULT_WRAP,
                 alert: bool = True, max_lines: int = 8) -> None:
    """A long message over several lines; ``alert`` paints it red like Blender's own errors."""
    col = layout.column(align=True)
    col.alert = alert
    lines = textwrap.wrap(text or "", width=max(10, width)) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines - 1] + [lines[max_lines - 1][: max(0, width - 1)] + "…"]
    for number, line in enumerate(lines):
        col.label(text=line, icon=icon if number == 0 else "BLANK1")


def draw_picture_source(box, settings) -> None:
    """The file / image / render choice of the source picture."""
    # One row of three tabs: in a column, expand draws three stacked highlighted rows.
    box.row(align=True).prop(settings, "source", expand=True)
    if settings.source == "FILE":
        box.prop(settings.picture, "filepath", text="")
    elif settings.source == "IMAGE":
        box.template_ID(settings.picture, "image", open="image.open")
