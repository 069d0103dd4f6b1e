"""Thumbnails of results and pictures, loaded from files through one ``bpy.utils.previews``.

Every picture the panels show comes from a file: a previews collection
loads it once (a file read Blender does on its own, no render). Nothing
here asks Blender to render a preview of live data (``preview_ensure()``
on an object or image): that starts a job on another thread which reads the
scene while the main thread changes it, and crashed Blender within a second
of a result landing (docs/ARCHITECTURE.md, "Previews").

A finished job's picture is, in this order: the service's own thumbnail
(downloaded as ``<job_id>_thumbnail_<n>.<ext>``), the job's result picture
(a picture job), the picture it was made from, else the picture the helper
Blender rendered while it imported the model (``helper/thumbnail.py``).
The collection is made on register and freed on unregister.
"""

from __future__ import annotations

import os
from pathlib import Path

import bpy
import bpy.utils.previews

from ...bridge.imagefile import PICTURE_EXTS
from ..blenderio import thumbnail
from ..blenderio.importers import MODEL_EXTS
from ..jobs import session

_previews = None
_searched: dict = {}   # job_id -> what the job looked like when nothing was found for it


def register() -> None:
    global _previews
    if _previews is None:
        _previews = bpy.utils.previews.new()


def unregister() -> None:
    global _previews
    if _previews is not None:
        bpy.utils.previews.remove(_previews)
        _previews = None
    _searched.clear()


def forget(job_id: str) -> None:
    """Look for the job's picture again at the next draw (it was just imported)."""
    _searched.pop(job_id, None)


def service_thumbnail(view) -> str:
    """The thumbnail file the service sent for this job ('' if none), from the cached file list."""
    return thumbnail.service_file(view.job_id, view.files)


def _result_picture(view) -> str:
    """A picture job's own result (named after the job), not a model's textures."""
    for name in view.files:
        path = Path(name)
        if (path.name.startswith(view.job_id) and path.suffix.lower() in PICTURE_EXTS
                and "_thumbnail_" not in path.name):
            return str(path)
    return ""


def _source_picture(view) -> str:
    """The local picture the job was sent from, when it still exists."""
    record = session.job_record(view.job_id)
    return thumbnail.source_picture(view.meta, record.request if record is not None else None)


def _rendered(view) -> str:
    for name in view.files:
        if Path(name).suffix.lower() in MODEL_EXTS:
            path = thumbnail.path_for(name)
            if path.is_file():
                return str(path)
    return ""


def _job_picture(view) -> str:
    return (service_thumbnail(view) or _result_picture(view) or _source_picture(view)
            or _rendered(view))


def _load(key: str, path: str):
    if key in _previews:
        return _previews[key]
    return _previews.load(key, path, "IMAGE")


def preview(view):
    """An ImagePreview for the job's result, or None."""
    if _previews is None:
        return None
    if view.job_id in _previews:
        return _previews[view.job_id]
    if view.state != "DONE":
        return None   # nothing to show before the result
    looks = (view.state, view.imported, len(view.files), view.stage)
    if _searched.get(view.job_id) == looks:
        return None   # searched already, and nothing changed since
    path = _job_picture(view)
    if not path:
        _searched[view.job_id] = looks
        return None
    return _load(view.job_id, path)   # once: kept under the job's id


def icon_id(view) -> int:
    """The icon to draw for the job (0: draw without)."""
    found = preview(view)
    return found.icon_id if found is not None else 0


def picture_icon(image) -> int:
    """The icon of a picture datablock, from its file on disk (0: none, e.g. unsaved paint)."""
    if _previews is None or image is None:
        return 0
    try:
        path = bpy.path.abspath(image.filepath_raw or image.filepath, library=image.library)
    except (AttributeError, ValueError):
        return 0
    if image.packed_file is not None or image.is_dirty or not path or not os.path.isfile(path):
        return 0
    key = f"file:{os.path.normpath(path)}:{os.path.getmtime(path):.0f}"
    return _load(key, path).icon_id
