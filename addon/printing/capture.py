"""The four-view capture as a local job: rendered by the helper Blender, not on the main thread.

The operator writes the selection to a .blend (tens of milliseconds) and
returns; the helper renders front, back, left and right of that copy with
``multiview.capture_views`` (the same framing, #BEBEBE, the subject's own
left and right), the pictures are moved into the views folder, and the main
thread loads them into the multi-view slots. Without a helper the same
function renders here, as before.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import bpy

from ...bridge.errors import PrintPrepError
from .. import preferences
from ..blenderio import importers
from ..helper import transfer
from ..jobs import localjobs
from ..pictures import slots  # here: slots needs the settings that import this package
from . import multiview

PREFIX = "view"


def _deliver(made: Path, folder: Path):
    """Owner-thread hook: the rendered pictures into the user's views folder."""
    def move(result: dict) -> dict:
        folder.mkdir(parents=True, exist_ok=True)
        paths = {}
        for view, path in (result.get("paths") or {}).items():
            dest = folder / Path(path).name
            shutil.move(path, dest)
            paths[view] = str(dest)
        result["paths"] = paths
        return result
    return move


def _fill_slots(paths: dict, subject: str) -> str:
    scene = bpy.context.scene
    for view, path in paths.items():
        image = slots.load_image(path)
        image.name = f"{subject} ({view})"   # what the reconstruction is named after, later
        slots.fill(scene, view.upper(), image)
    return (f"Four views written to {Path(paths['front']).parent} and put into the multi-view "
            "slots.")


def capture(context, objects, folder: Path, resolution: int) -> str:
    """Start the capture of *objects* into *folder*; the local job's id."""
    objects = [ob for ob in objects if ob is not None]
    if not objects:
        raise PrintPrepError("Select the object(s) to capture.")
    folder.mkdir(parents=True, exist_ok=True)   # a folder we cannot write is said now
    active = context.view_layer.objects.active
    subject = (active if active in objects else objects[0]).name
    names = [ob.name for ob in objects]
    job_id = localjobs.new_job_id()
    work_folder = preferences.user_folder("print") / job_id
    work_folder.mkdir(parents=True, exist_ok=True)
    args = transfer.write_objects(objects, work_folder / "selection.blend", context.scene)
    args.update(out=str(work_folder / "views"), resolution=int(resolution), prefix=PREFIX)
    step = localjobs.Step("capture_views", args, str(work_folder),
                          after=_deliver(work_folder / "views", folder))
    label = f"Capture views: {subject}"

    def finish(results: list) -> str:
        transfer.discard(work_folder)
        return _fill_slots(results[0]["paths"], subject)

    def fallback() -> str:
        transfer.discard(work_folder)
        present = [bpy.data.objects.get(name) for name in names]
        present = [ob for ob in present if ob is not None]
        with importers.in_window():
            paths = multiview.capture_views(present, folder, resolution, scene=bpy.context.scene,
                                            prefix=PREFIX)
        return _fill_slots({view: str(path) for view, path in paths.items()}, subject)

    localjobs.track(job_id, label, {"source": "print", "tool": "capture_views", "object": subject})
    localjobs.start(localjobs.Work(job_id, label, [step], finish, fallback, stage="Rendering",
                                   fail=lambda _message: transfer.discard(work_folder)))
    return job_id
