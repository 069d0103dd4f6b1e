"""A small picture of an imported result, rendered by the helper Blender.

The job list shows it as the result's thumbnail when the service sent none.
It is rendered here, in the helper, which already holds the result, and
written to a file the main thread loads through ``bpy.utils.previews``:
asking Blender for an object preview on the main thread instead
(``preview_ensure()``) starts a render job on another thread that reads the
live scene while the main thread appends, renames and removes data — the
crash docs/ARCHITECTURE.md ("Previews") describes.

Workbench, a three-quarter view from the front right, transparent
background. A thumbnail is a nicety: when this Blender cannot render (no
GPU backend) the import goes on without one.
"""

from __future__ import annotations

import os
from pathlib import Path

import bpy
from mathutils import Vector

from ...bridge.imagefile import PICTURE_EXTS
from . import importers

SIZE_PX = 192
# From the subject's front (-Y) and its left (+X), a little from above.
DIRECTION = Vector((0.55, -1.0, 0.45)).normalized()


def path_for(model: str | Path) -> Path:
    """Where the thumbnail of a downloaded *model* lives: hidden beside it."""
    model = Path(model)
    return model.with_name(f".{model.stem}.aistudio.png")


def service_file(job_id: str, files) -> str:
    """The thumbnail the service sent with a job (``<job_id>_thumbnail_<n>.<ext>``), or ''."""
    prefix = f"{job_id}_thumbnail_"
    for name in files:
        path = Path(name)
        if path.name.startswith(prefix) and path.suffix.lower() in PICTURE_EXTS:
            return str(path)
    return ""


def source_picture(meta: dict, request: dict | None) -> str:
    """The local picture a job was sent from (a view of a multi-view job: the first), when
    it still exists; '' otherwise (a URL, a data URL, a deleted file)."""
    fields = (request or {}).get("fields") or {}
    for value in [meta.get("picture"), *fields.values()]:
        for item in (value if isinstance(value, list) else [value]):
            if (isinstance(item, str) and item.lower().endswith(PICTURE_EXTS) and "://" not in item
                    and not item.startswith("data:") and os.path.isfile(item)):
                return item
    return ""


def render(objects, dest: Path, size: int = SIZE_PX) -> str:
    """Render *objects* into *dest* (PNG); '' when this Blender cannot render."""
    bounds = importers.world_bounds(objects)
    if bounds is None:
        return ""
    lo, hi = bounds
    centre, extent = (lo + hi) / 2, (hi - lo)
    radius = max(extent.length / 2, 1e-4)
    scene = bpy.context.scene
    cam_data = bpy.data.cameras.new("AISTUDIO_thumbnail")
    cam_data.type = "ORTHO"
    cam_data.ortho_scale = radius * 2.1
    cam_data.clip_start, cam_data.clip_end = radius * 0.01, radius * 8
    cam = bpy.data.objects.new("AISTUDIO_thumbnail", cam_data)
    scene.collection.objects.link(cam)
    cam.location = centre + DIRECTION * radius * 3
    cam.rotation_euler = (-DIRECTION).to_track_quat("-Z", "Y").to_euler()
    r = scene.render
    scene.camera = cam
    r.engine = "BLENDER_WORKBENCH"
    r.resolution_x = r.resolution_y = size
    r.resolution_percentage = 100
    r.film_transparent = True
    r.image_settings.file_format, r.image_settings.color_mode = "PNG", "RGBA"
    shading = scene.display.shading
    shading.light, shading.color_type = "STUDIO", "TEXTURE"
    scene.display.render_aa = "8"
    r.filepath = str(dest)
    try:
        bpy.ops.render.render(write_still=True)
    except RuntimeError:
        return ""   # no GPU backend in this Blender: the list shows the job's state icon
    return str(dest) if dest.is_file() else ""
