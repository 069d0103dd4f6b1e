"""Pictures with transparency put on the tutorial's studio grey, as image datablocks.

The pixel work is the bridge's (``bridge.recipes.grey``); this module only
chooses file names and turns the result into Blender data, for the
"Grey Background" button and for remove-background results.
"""

from __future__ import annotations

from pathlib import Path

from ..bridge import errors
from ..bridge.recipes import grey
from . import preferences, slots


def _safe(stem: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:40] or "picture"


def composite_file(source: str, dest: str | Path | None = None):
    """Write *source* over #BEBEBE (default: the add-on's "prepared" folder); returns the datablock.

    Raises ``ValidationError`` for a picture that is not a PNG.
    """
    if dest is None:
        dest = preferences.user_folder("prepared") / f"{_safe(Path(source).stem)}_grey.png"
    written = grey.over_grey_file(source, dest)
    return slots.load_image(written)


def grey_versions(images, job_id: str) -> list:
    """Grey-background copies of a job's result pictures, beside the originals.

    A picture that is not a PNG has no transparency to flatten, so it is skipped.
    """
    made = []
    for image in images:
        path = Path(image.filepath_from_user())
        if path.stem.endswith("_grey"):
            continue
        try:
            copy = composite_file(str(path), path.with_name(f"{path.stem}_grey.png"))
        except errors.ValidationError:
            continue
        copy["aistudio_local_job"] = job_id
        copy.preview_ensure()
        made.append(copy)
    return made
