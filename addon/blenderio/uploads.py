"""Pictures and meshes from Blender data, written to files a request can hold.

Requests carry paths, not pixels (the journal stays small). A picture file
on disk is sent as it is; a packed one is written out unchanged. A picture
painted on, generated or otherwise unsaved is sent as a *copy*: the main
thread only copies its pixels, the helper Blender writes the PNG, and the
user's datablock is never touched (it stays unsaved, generated, dirty).
Meshes for the model tools are written to a .blend (``libraries.write``,
tens of milliseconds) and exported by the helper.

Inside :func:`deferred` (what the submit operators use) that slow half
becomes :class:`Pending` helper steps and the job is submitted once they
are done; outside it the file is written at once, in-process.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import uuid
from pathlib import Path
from typing import Callable

import bpy
import numpy as np

from ...bridge.errors import ValidationError
from .. import preferences
from ..helper import transfer
from ..jobs.localjobs import IMPORT_DEADLINE_S, PICTURE_DEADLINE_S, Step
from ..pictures import fileio, pixels
from . import exporters, importers

RENDER_RESULT = "Render Result"


@dataclasses.dataclass
class Pending:
    """A file a request names that a helper step is still making."""

    path: str
    step: Step
    run_in_process: Callable[[], None]   # the same work on the main thread (fallback)
    what: str = "picture"                # "picture" or "model": for the stand-in check


_PENDING: list | None = None


@contextlib.contextmanager
def deferred():
    """Collect slow file writes as :class:`Pending` steps instead of doing them now."""
    global _PENDING
    outer, _PENDING = _PENDING, []
    try:
        yield _PENDING
    finally:
        _PENDING = outer


def _defer_or_run(pending: Pending) -> str:
    if _PENDING is not None:
        _PENDING.append(pending)
    else:
        pending.run_in_process()
    return pending.path


def _temp_path(stem: str, ext: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:40] or "picture"
    folder = preferences.user_folder("uploads")
    return folder / f"{safe}_{int(time.time())}_{uuid.uuid4().hex[:6]}{ext}"


def from_file(filepath: str) -> str:
    path = Path(bpy.path.abspath(filepath)) if filepath else None
    if path is not None and path.is_dir():
        raise ValidationError(f"{filepath} is a folder, not a picture: pick a picture file "
                              "(PNG, JPEG or WebP) in it.")
    if path is None or not path.is_file():
        raise ValidationError(f"The picture file does not exist: {filepath or '(none given)'}")
    return str(path)


#: How the render result is written on the main thread: uncompressed (some 80 ms for
#: 1080p where a PNG takes some 240 ms, measured in bench/helper_bench.py); the helper
#: Blender turns it into the PNG that is sent, pixels unchanged.
RAW_RENDER = {"file_format": "TIFF", "tiff_codec": "NONE", "color_depth": "8"}


def from_render() -> str:
    """The render result as the user sees it (view transform applied), as a PNG to send."""
    image = bpy.data.images.get(RENDER_RESULT)
    if image is None:
        raise ValidationError("There is no render result yet: render the scene first (F12).")
    out = _temp_path("render", ".png")
    raw = out.with_suffix(".tif")
    scene = bpy.context.scene
    wanted = dict(RAW_RENDER, color_mode="RGBA" if scene.render.film_transparent else "RGB")
    settings = scene.render.image_settings
    before = {key: getattr(settings, key) for key in wanted}
    try:
        for key, value in wanted.items():
            setattr(settings, key, value)
        image.save_render(str(raw), scene=scene)
    except RuntimeError as exc:
        raise ValidationError(f"The render result could not be saved: {exc}. Render first (F12).") from None
    finally:
        for key, value in before.items():   # the user's output settings, exactly as they were
            setattr(settings, key, value)

    def tidy(result):
        raw.unlink(missing_ok=True)
        return result

    def in_process():
        try:
            fileio.picture_to_png(raw, out, name="the render")
        finally:
            raw.unlink(missing_ok=True)

    step = Step("picture_to_png", {"source": str(raw), "dest": str(out), "name": "the render"},
                str(out.parent), after=tidy, deadline_s=PICTURE_DEADLINE_S)
    return _defer_or_run(Pending(str(out), step, in_process))


def _pixel_copy(image: bpy.types.Image) -> str:
    """The picture as the datablock shows it, written from a copy of its pixels."""
    width, height = image.size
    if not width or not height:
        raise ValidationError(f"The image {image.name!r} has no pixels to send.")
    channels, is_float = image.channels, image.is_float
    flat = np.empty(width * height * channels, np.float32)
    image.pixels.foreach_get(flat)   # reads; the datablock stays as it is
    out = _temp_path(image.name, ".png")
    staged = out.with_suffix(".npy")

    def stage():   # helper thread: plain numpy, no Blender
        np.save(staged, pixels.to_rgba_bytes(flat, width, height, channels, is_float))

    def tidy(result):
        staged.unlink(missing_ok=True)
        return result

    def in_process():
        fileio.write_png(pixels.to_rgba_bytes(flat, width, height, channels, is_float), out)

    step = Step("save_pixels", {"pixels": str(staged), "dest": str(out)}, str(out.parent),
                before=stage, after=tidy, deadline_s=PICTURE_DEADLINE_S)
    return _defer_or_run(Pending(str(out), step, in_process))


def from_image(image: bpy.types.Image) -> str:
    """A file holding exactly what the datablock shows (the datablock itself unchanged)."""
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
    return _pixel_copy(image)


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


#: File suffix of each export format the uploads use ("STL_MM": an STL whose numbers are mm).
EXPORT_SUFFIX = {"GLB": ".glb", "STL": ".stl", "STL_MM": ".stl", "FBX": ".fbx"}


def export_glb(context, obj: bpy.types.Object, stem: str = "", matrix=None) -> str:
    """The object alone as a GLB for upload: written out now, exported by the helper.

    *matrix*: where the object stands for the export instead of its place in
    the scene (the identity: its own coordinates, as the address tools send it).
    """
    return export_model(context, obj, "GLB", stem, matrix)


def export_model(context, obj: bpy.types.Object, fmt: str = "GLB", stem: str = "", matrix=None) -> str:
    """The object alone as *fmt* for upload: written out now (``libraries.write``), exported
    by the helper Blender (inside :func:`deferred`; at once, here, outside it)."""
    folder = _temp_path(stem or obj.name, "")
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{folder.name}{EXPORT_SUFFIX[fmt]}"
    if _PENDING is None:   # wanted now: export here
        with _standing(obj, matrix):
            exporters.export_object(context, obj, out, fmt)
        return str(out)
    blend = folder / "source.blend"
    args = dict(transfer.write_object(obj, blend, context.scene), out=str(out), format=fmt)
    if matrix is not None:
        args["matrix"] = [list(row) for row in matrix]
    name = obj.name

    def tidy(result):
        blend.unlink(missing_ok=True)
        return result

    def in_process():   # later, from the pump: the operator's context is gone by then
        blend.unlink(missing_ok=True)
        source = bpy.data.objects.get(name)
        if source is None:
            raise ValidationError(f"{name} was deleted before it could be exported.")
        with importers.in_window(), _standing(source, matrix):
            exporters.export_object(bpy.context, source, out, fmt)

    step = Step("export_model", args, str(folder), after=tidy, deadline_s=IMPORT_DEADLINE_S)
    return _defer_or_run(Pending(str(out), step, in_process, what="model"))


@contextlib.contextmanager
def _standing(obj, matrix):
    """*obj* at *matrix* (world) for the export on this thread, put back afterwards."""
    if matrix is None:
        yield
        return
    basis = obj.matrix_basis.copy()
    try:
        obj.matrix_world = matrix
        yield
    finally:
        obj.matrix_basis = basis
