"""Which .blend file a job was sent from: its result is imported automatically only there.

A file is known by an id kept in its scenes' settings (``Scene.aistudio.file_id``),
made when the file first sends a job, and by its path. Every job the add-on
sends records both in its meta. When a job finishes, the pump imports it only
if the open file has that id, or is saved at that path (a job sent just before
Blender was closed without saving the id still finds its file). Jobs sent by the
CLI, by another Blender session, or by this Blender for another file wait in
the job list with an Import button. A new unsaved file counts as a file of its
own from its first job on; a copy made with Save As keeps the id, so a job sent
before "version up" lands in the new version.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import bpy


def file_id(create: bool = False) -> str:
    """The open file's id ('' when it has sent nothing yet, unless *create*)."""
    scenes = list(getattr(bpy.data, "scenes", ()))
    known = next((s.aistudio.file_id for s in scenes if s.aistudio.file_id), "")
    if not create:
        return known
    known = known or uuid.uuid4().hex[:16]
    for scene in scenes:   # every scene, so whichever is shown at the end still has it
        if scene.aistudio.file_id != known:
            scene.aistudio.file_id = known
    return known


def stamp(meta: dict) -> dict:
    """Record in a job's *meta* which file sends it (at submit, on the main thread)."""
    meta["blend_id"] = file_id(create=True)
    meta["blend_path"] = bpy.data.filepath
    return meta


def belongs_here(meta: dict | None) -> bool:
    """Whether a finished job with this *meta* is imported into the open file by itself."""
    meta = meta or {}
    sent_id, sent_path = meta.get("blend_id"), meta.get("blend_path")
    if sent_id and sent_id == file_id():
        return True
    return bool(sent_path) and sent_path == bpy.data.filepath


def sender(meta: dict | None) -> str:
    """Where a job came from, for the sentence that says why it was not imported."""
    meta = meta or {}
    if not meta.get("blend_id"):
        return "the command line or another program"
    path = meta.get("blend_path")
    return Path(path).name if path else "another, unsaved Blender file"
