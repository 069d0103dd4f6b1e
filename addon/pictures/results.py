"""Result pictures: tagged with their job like result objects, shown where pictures are looked at.

The importer loads a job's pictures as image datablocks; the pump hands them
here afterwards. Each gets the same custom properties an imported object
carries (so a script can tell which job made it), and a picture job's result
(text to image, an edit, a removed background) opens in a visible Image
Editor, where the AI Studio tab can send it on.
"""

from __future__ import annotations

import json
from pathlib import Path

import bpy

from ..blenderio.importers import clean_request
from ..jobs import session


def tag(images, job_id: str, record) -> None:
    request = json.dumps(clean_request(record.request if record is not None else None))
    task_id = (record.task_id if record is not None else "") or job_id
    provider = (record.provider if record is not None else "") or ""
    for image in images:
        image["aistudio_job"] = task_id
        image["aistudio_local_job"] = job_id
        image["aistudio_provider"] = provider
        image["aistudio_request"] = request


def _is_grey(image) -> bool:
    return Path(image.filepath or image.name).stem.endswith("_grey")


def picture_to_show(images):
    """A grey-background version when there is one (what the user asked for), else the first."""
    greys = [i for i in images if _is_grey(i)]
    return (greys or list(images) or [None])[0]


def show_in_image_editor(image, window_manager) -> bool:
    """Show ``image`` in the first visible Image Editor that is not pinned; False if none is."""
    for window in getattr(window_manager, "windows", ()) or ():
        for area in window.screen.areas:
            # The UV Editor is an Image Editor too; a picture there would replace the user's texture.
            if area.type != "IMAGE_EDITOR" or getattr(area, "ui_type", "IMAGE_EDITOR") != "IMAGE_EDITOR":
                continue
            space = area.spaces.active
            if getattr(space, "use_image_pin", False):
                continue
            space.image = image
            area.tag_redraw()
            return True
    return False


def after_import(job_id: str, result, window_manager=None) -> None:
    """Tag the job's pictures; open a picture job's result in the Image Editor."""
    if not result.images:
        return
    tag(result.images, job_id, session.job_record(job_id))
    if not result.objects:  # a picture was the product, not a texture beside a model
        show_in_image_editor(picture_to_show(result.images), window_manager or bpy.context.window_manager)
