"""Thumbnails of results in the job list, through one ``bpy.utils.previews`` collection.

The service's own thumbnail (downloaded by the engine as
``<job_id>_thumbnail_<n>.<ext>``) is loaded into the collection once per
job; without one, the job's result picture or the imported object's preview
stands in. Background Blender draws no icons, so there the list goes
without. The collection is made on register and freed on unregister.
"""

from __future__ import annotations

from pathlib import Path

import bpy
import bpy.utils.previews

IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".webp")

_previews = None
_objects: dict = {}     # job_id -> name of the object its import made
_looked: set = set()    # jobs whose object was searched for already (found or not)


def register() -> None:
    global _previews
    if _previews is None:
        _previews = bpy.utils.previews.new()


def unregister() -> None:
    global _previews
    if _previews is not None:
        bpy.utils.previews.remove(_previews)
        _previews = None
    _objects.clear()
    _looked.clear()


def service_thumbnail(view) -> str:
    """The thumbnail file the service sent for this job ('' if none), from the cached file list."""
    prefix = f"{view.job_id}_thumbnail_"
    for name in view.files:
        path = Path(name)
        if path.name.startswith(prefix) and path.suffix.lower() in IMAGE_EXTS:
            return str(path)
    return ""


def remember(job_id: str, result) -> None:
    """Called after an import: the object whose preview stands in for a missing thumbnail."""
    if result.objects:
        _objects[job_id] = result.objects[0].name
        _looked.add(job_id)


def _imported_object(job_id: str):
    if job_id not in _looked:  # objects imported in an earlier session: searched for once
        _looked.add(job_id)
        found = next((o for o in bpy.data.objects if o.get("aistudio_local_job") == job_id
                      and (o.parent is None or o.parent.get("aistudio_local_job") != job_id)), None)
        if found is not None:
            _objects[job_id] = found.name
    return bpy.data.objects.get(_objects.get(job_id, ""))


def preview(view):
    """An ImagePreview for the job's result, or None."""
    if _previews is None:
        return None
    if view.job_id in _previews:
        return _previews[view.job_id]
    path = service_thumbnail(view)
    if path:
        return _previews.load(view.job_id, path, "IMAGE")  # once: kept under the job's id
    for name in view.image_names:
        image = bpy.data.images.get(name)
        if image is not None and image.preview is not None:
            return image.preview
    if bpy.app.background or view.state != "DONE":
        return None  # no icons without a window; nothing to show before the result
    obj = _imported_object(view.job_id)
    return obj.preview_ensure() if obj is not None else None


def icon_id(view) -> int:
    """The icon to draw for the job (0: draw without)."""
    found = preview(view)
    return found.icon_id if found is not None else 0
