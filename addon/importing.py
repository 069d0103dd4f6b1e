"""Turn a finished job's downloaded files into Blender data.

Models go through Blender's own importers (glTF first); the new objects are
found by comparing the object set before and after, moved into the
"AI Studio" collection, placed (at the 3D cursor, or beside the source mesh
for tool results), scaled to their printed size when the job asked for a
print scale, tagged with where they came from, selected, and pushed as one
undo step. Pictures become image datablocks the panel previews.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import bpy
from mathutils import Vector

from ..bridge.api import miniature
from . import session

COLLECTION_NAME = "AI Studio"
IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".webp"}
# Preference order when a job returns several models (GLB keeps materials best).
MODEL_EXTS = (".glb", ".gltf", ".fbx", ".obj", ".ply", ".stl")
_SECRET_KEYS = {"api_key", "token", "image3d_token", "authorization"}


class ImportFailed(Exception):
    """A result could not be brought into the scene (the files stay on disk)."""


@dataclasses.dataclass
class ImportResult:
    objects: list
    images: list
    folder: str = ""

    def summary(self) -> str:
        parts = []
        if self.objects:
            parts.append("imported " + ", ".join(o.name for o in self.objects))
        if self.images:
            parts.append("loaded " + ", ".join(i.name for i in self.images))
        return "; ".join(parts) or f"finished; files are in {self.folder}"


def _job_record(job_id: str):
    engine = session.STATE.engine
    return engine.job(job_id) if engine is not None else None


def _files_of(job_id: str, record) -> list[Path]:
    files = list(record.files) if record is not None and record.files else []
    view = session.STATE.jobs.get(job_id)
    if not files and view is not None:
        files = list(view.files)
    return [Path(f) for f in files if Path(f).is_file()]


def pick_model(files: list[Path], prefer_scaled: bool) -> Path | None:
    """The model to import: the scaled print model when asked for, GLB before others."""
    models = [f for f in files if f.suffix.lower() in MODEL_EXTS]
    if not models:
        return None

    def rank(path: Path):
        scaled = "scaled_3d_model" in path.name.lower()
        return (0 if scaled == prefer_scaled else 1, MODEL_EXTS.index(path.suffix.lower()), path.name)
    return sorted(models, key=rank)[0]


def clean_request(record: dict | None) -> dict:
    """The request for a custom property: no secrets, no base64 pictures."""
    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if str(k).lower() not in _SECRET_KEYS}
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, str) and value.startswith("data:"):
            return "<inline picture>"
        return value
    return clean(record or {})


def _op_override() -> dict:
    wm = bpy.context.window_manager
    if wm is not None and wm.windows:
        window = wm.windows[0]
        return {"window": window, "screen": window.screen}
    return {}


def _run_importer(path: Path) -> None:
    try:
        result = _call_importer(path)
    except RuntimeError as exc:  # what bpy.ops raises when an importer fails
        raise ImportFailed(f"Blender could not import {path.name}: {str(exc).strip()[:200]}") from None
    if "FINISHED" not in result:
        raise ImportFailed(f"Blender could not import {path.name}.")


def _call_importer(path: Path) -> set:
    ext = path.suffix.lower()
    with bpy.context.temp_override(**_op_override()):
        if ext in (".glb", ".gltf"):
            result = bpy.ops.import_scene.gltf(filepath=str(path))
        elif ext == ".obj":
            result = bpy.ops.wm.obj_import(filepath=str(path))
        elif ext == ".stl":
            result = bpy.ops.wm.stl_import(filepath=str(path))
        elif ext == ".ply":
            result = bpy.ops.wm.ply_import(filepath=str(path))
        elif ext == ".fbx":
            result = bpy.ops.import_scene.fbx(filepath=str(path))
        else:
            raise ImportFailed(f"No importer for {path.name}.")
    return result


def ai_collection(scene) -> bpy.types.Collection:
    coll = bpy.data.collections.get(COLLECTION_NAME)
    if coll is None:
        coll = bpy.data.collections.new(COLLECTION_NAME)
    if coll.name not in scene.collection.children:
        scene.collection.children.link(coll)
    return coll


def _world_bounds(objects) -> tuple[Vector, Vector] | None:
    lo = Vector((float("inf"),) * 3)
    hi = Vector((float("-inf"),) * 3)
    found = False
    for obj in objects:
        if obj.type != "MESH":
            continue
        for corner in obj.bound_box:
            world = obj.matrix_world @ Vector(corner)
            lo = Vector(map(min, lo, world))
            hi = Vector(map(max, hi, world))
            found = True
    return (lo, hi) if found else None


def import_model(path: Path, context, name: str) -> tuple[bpy.types.Object, list]:
    """Import ``path``; returns the single top-level object and every new object."""
    before = set(bpy.data.objects)
    _run_importer(path)
    new = [o for o in bpy.data.objects if o not in before]
    if not new:
        raise ImportFailed(f"{path.name} contained no objects.")
    coll = ai_collection(context.scene)
    for obj in new:
        for other in list(obj.users_collection):
            other.objects.unlink(obj)
        coll.objects.link(obj)
    tops = [o for o in new if o.parent is None or o.parent not in new]
    if len(tops) == 1:
        top = tops[0]
    else:
        # Several roots: one empty gives the user a single thing to move.
        top = bpy.data.objects.new(name, None)
        coll.objects.link(top)
        for obj in tops:
            obj.parent = top
        new.append(top)
    top.name = name
    return top, new


def _scale_to_height(top, objects, height_cm: float, scene) -> None:
    bpy.context.view_layer.update()  # matrix_world of just-parented objects
    bounds = _world_bounds(objects)
    if bounds is None:
        return
    current = bounds[1].z - bounds[0].z
    if current <= 0:
        return
    # One Blender unit shows as scale_length metres, so divide to get units.
    target = (height_cm / 100.0) / (scene.unit_settings.scale_length or 1.0)
    top.scale = top.scale * (target / current)


def _place(top, meta: dict, scene) -> None:
    source = bpy.data.objects.get(meta.get("source_object") or "")
    if meta.get("placement") == "beside" and source is not None:
        top.location = source.matrix_world.translation + Vector((source.dimensions.x or 1.0, 0, 0))
    else:
        top.location = scene.cursor.location.copy()


def _tag(obj, job_id: str, record) -> None:
    obj["aistudio_job"] = (record.task_id if record is not None and record.task_id else "") or job_id
    obj["aistudio_local_job"] = job_id
    obj["aistudio_provider"] = (record.provider if record is not None else "") or ""
    obj["aistudio_request"] = json.dumps(clean_request(record.request if record else None))


def _load_images(files: list[Path], job_id: str) -> list:
    images = []
    for path in files:
        # Result pictures carry the job id in their name; textures unpacked
        # from an OBJ archive do not, and belong to their model, not the panel.
        if path.suffix.lower() in IMAGE_EXTS and path.name.startswith(job_id):
            image = bpy.data.images.load(str(path), check_existing=True)
            image["aistudio_local_job"] = job_id
            image.preview_ensure()
            images.append(image)
    return images


def _grey_background(images, job_id: str, record, meta: dict, context) -> list:
    """Remove-bg results also arrive on studio grey (the original stays loaded).

    Known by the request type, so jobs sent from the CLI count too; a job the
    Prepare section sent replaces its source picture, as the user asked for.
    """
    request_type = ((record.request if record is not None else None) or {}).get("type")
    if request_type != "RemoveBackgroundRequest" or not images:
        return []
    from . import greyimage, slots
    greys = greyimage.grey_versions(images, job_id)
    if greys and meta.get("source") == "remove_bg":
        slots.fill(context.scene, "SOURCE", greys[0])
    return greys


def _target_height(meta: dict) -> float | None:
    scale = meta.get("scale")
    if not scale or scale == "none":
        return None
    return miniature.target_height_cm(scale, meta.get("scale_height_cm"))


def import_job(job_id: str, context=None) -> ImportResult:
    """Import everything usable a job downloaded (again, if called again).

    Without a context (the pump runs in a timer, whose context may lack a
    window) the first window's context is used.
    """
    if context is None:
        with bpy.context.temp_override(**_op_override()):
            return _import_job(job_id, bpy.context)
    return _import_job(job_id, context)


def _import_job(job_id: str, context) -> ImportResult:
    record = _job_record(job_id)
    files = _files_of(job_id, record)
    meta = dict(record.meta or {}) if record is not None else {}
    view = session.STATE.jobs.get(job_id)
    folder = str(files[0].parent) if files else (record.output_dir if record else "") or ""
    if not files:
        raise ImportFailed("The job has no downloaded files to import.")
    height = _target_height(meta)
    model = pick_model(files, prefer_scaled=height is not None)
    objects = []
    if model is not None:
        name = (meta.get("name") or (view.label if view else "") or model.stem)[:60]
        top, new = import_model(model, context, name)
        _place(top, meta, context.scene)
        if height is not None:
            _scale_to_height(top, new, height, context.scene)
        _tag(top, job_id, record)
        for obj in list(context.view_layer.objects.selected):
            obj.select_set(False)
        top.select_set(True)
        context.view_layer.objects.active = top
        objects.append(top)
    images = _load_images(files, job_id)
    images += _grey_background(images, job_id, record, meta, context)
    if view is not None:
        view.image_names = [i.name for i in images]
    # One undo step for the user. Background Blender has no user and no
    # window-bound undo stack: pushing there crashed the bpy 4.2 module.
    if objects and not bpy.app.background and bpy.ops.ed.undo_push.poll():
        bpy.ops.ed.undo_push(message="Import AI Studio result")
    return ImportResult(objects, images, folder)

