"""Pictures and meshes from Blender data, written to files a request can hold.

Requests carry paths, not pixels (the journal stays small), so an image
datablock that is packed, generated, painted on or the render result is first
written to a PNG in the extension's user folder. Meshes for the tools are
exported to a temporary GLB the same way.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import bpy

from ..bridge.errors import ValidationError
from . import preferences

RENDER_RESULT = "Render Result"


def _temp_path(stem: str, ext: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:40] or "picture"
    folder = preferences.user_folder("uploads")
    return folder / f"{safe}_{int(time.time())}_{uuid.uuid4().hex[:6]}{ext}"


def from_file(filepath: str) -> str:
    path = Path(bpy.path.abspath(filepath)) if filepath else None
    if path is None or not path.is_file():
        raise ValidationError(f"The picture file does not exist: {filepath or '(none given)'}")
    return str(path)


def from_render() -> str:
    image = bpy.data.images.get(RENDER_RESULT)
    if image is None:
        raise ValidationError("There is no render result yet: render the scene first (F12).")
    out = _temp_path("render", ".png")
    scene = bpy.context.scene
    settings = scene.render.image_settings
    old_format = settings.file_format
    settings.file_format = "PNG"
    try:
        image.save_render(str(out), scene=scene)
    except RuntimeError as exc:
        raise ValidationError(f"The render result could not be saved: {exc}. Render first (F12).") from None
    finally:
        settings.file_format = old_format
    return str(out)


def from_image(image: bpy.types.Image) -> str:
    """A file holding exactly what the datablock shows."""
    if image.name == RENDER_RESULT or image.type == "RENDER_RESULT":
        return from_render()
    on_disk = Path(bpy.path.abspath(image.filepath)) if image.filepath else None
    if (image.source == "FILE" and not image.packed_file and not image.is_dirty
            and on_disk is not None and on_disk.is_file()):
        return str(on_disk)
    if image.packed_file and not image.is_dirty:
        # The packed bytes are the original file: write them unchanged.
        ext = Path(image.filepath or "x.png").suffix or ".png"
        out = _temp_path(image.name, ext)
        out.write_bytes(bytes(image.packed_file.data))
        return str(out)
    if not image.has_data and image.source != "GENERATED":
        raise ValidationError(f"The image {image.name!r} has no pixels to send.")
    out = _temp_path(image.name, ".png")
    old_format = image.file_format
    try:
        image.file_format = "PNG"
        image.save(filepath=str(out))
    except RuntimeError as exc:
        raise ValidationError(f"The image {image.name!r} could not be saved as PNG: {exc}") from None
    finally:
        image.file_format = old_format
    return str(out)


def resolve(filepath: str = "", image_name: str = "", use_render: bool = False,
            fallback=None) -> str:
    """A picture path from whichever source was given (render, datablock, file, fallback)."""
    if use_render:
        return from_render()
    if image_name:
        image = bpy.data.images.get(image_name)
        if image is None:
            raise ValidationError(f"There is no image named {image_name!r} in this file.")
        return from_image(image)
    if filepath:
        return from_file(filepath)
    if fallback is not None:
        if fallback.image is not None:
            return from_image(fallback.image)
        if fallback.filepath:
            return from_file(fallback.filepath)
    raise ValidationError("Choose a picture first (a file, an image or the render result).")


def name_or_path(value: str) -> str:
    """A view given by a script: an image datablock's name, else a file path."""
    if value in bpy.data.images:
        return from_image(bpy.data.images[value])
    return from_file(value)


def export_glb(context, obj: bpy.types.Object, stem: str = "") -> str:
    """The object alone as a temporary GLB (selection restored afterwards)."""
    out = _temp_path(stem or obj.name, ".glb")
    selected = list(context.selected_objects)
    active = context.view_layer.objects.active
    try:
        for other in selected:
            other.select_set(False)
        obj.select_set(True)
        context.view_layer.objects.active = obj
        result = bpy.ops.export_scene.gltf(filepath=str(out), export_format="GLB",
                                           use_selection=True)
    finally:
        obj.select_set(False)
        for other in selected:
            if other.name in context.view_layer.objects:
                other.select_set(True)
        context.view_layer.objects.active = active
    if "FINISHED" not in result or not out.is_file() or os.path.getsize(out) == 0:
        raise ValidationError(f"{obj.name} could not be exported to GLB.")
    return str(out)
