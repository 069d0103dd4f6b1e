"""Where a prepared picture goes: the source picture or a multi-view slot.

The "source" is the picture the Generate and Miniature sections send (and
the Prepare section edits), so a result accepted there feeds the next step;
the four multi-view slots feed a multi-view reconstruction. Slots hold image
datablocks: the datablock wins over a file path in every picture group.
"""

from __future__ import annotations

from pathlib import Path

import bpy

from ...bridge.api import tencent as tencent_api

VIEWS = ("front", "back", "left", "right")
#: The views Tencent Pro 3.1 adds to the four (the contract's view_type names).
EXTRA_VIEWS = tuple(v for v in tencent_api.VIEWS["3.1"] if v not in VIEWS)
ALL_VIEWS = VIEWS + EXTRA_VIEWS

SLOTS = (
    ("SOURCE", "Source", "The picture the Generate, Miniature and Prepare sections use"),
    ("FRONT", "Front", "The front view of the multi-view set"),
    ("BACK", "Back", "The back view of the multi-view set"),
    ("LEFT", "Left", "The subject's left side (seen from its left) in the multi-view set"),
    ("RIGHT", "Right", "The subject's right side (seen from its right) in the multi-view set"),
    *((v.upper(), v.replace("_", " ").title(), f"The {v.replace('_', ' ')} view (Tencent Pro 3.1 only)")
      for v in EXTRA_VIEWS),
)
BASIC_SLOTS = SLOTS[:5]


def slot_choices(settings) -> tuple:
    """The slots worth offering: the eight views only while Tencent Pro 3.1 is chosen."""
    if settings.model == "TENCENT_PRO" and settings.options.tencent_version == "3.1":
        return SLOTS
    return BASIC_SLOTS


def load_image(path: str | Path) -> bpy.types.Image:
    """An image datablock for *path*, re-read if it was loaded before (the file may be new)."""
    path = str(path)
    existing = next((i for i in bpy.data.images if bpy.path.abspath(i.filepath) == path), None)
    if existing is not None:
        existing.reload()
        return existing
    return bpy.data.images.load(path, check_existing=False)


def fill(scene, slot: str, image: bpy.types.Image) -> None:
    """Put *image* into *slot* (SOURCE, FRONT, BACK, LEFT or RIGHT)."""
    settings = scene.aistudio
    if slot == "SOURCE":
        settings.picture.image = image
        settings.source = "IMAGE"
        settings.miniature.picture.image = image  # the miniature flow starts from the same picture
        return
    view = slot.lower()
    if view not in ALL_VIEWS:
        raise ValueError(f"Unknown slot {slot!r}")
    getattr(settings.multiview, view).image = image


def describe(slots) -> str:
    names = {key: label for key, label, _ in SLOTS}
    return " and ".join(("the source picture" if s == "SOURCE" else f"the {names[s].lower()} view")
                        for s in slots)
