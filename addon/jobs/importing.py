"""Turn a finished job's downloaded files into Blender data, without freezing Blender.

The helper Blender runs the importer (glTF first) on the downloaded model,
names it, scales it to its printed size when the job asked for a print
scale, tags it with where it came from, and saves it to a .blend beside the
download. The main thread then only appends that file and does the scene
part: the "AI Studio" collection, placement (``placement.py``: the 3D
cursor, in a row beside earlier results, or beside the source mesh for tool
results), selection and one undo step. Pictures become image datablocks the
panel previews; remove-bg results also get a copy on studio grey, made by
the helper too.

Without a helper (switched off, cannot start, crashed, hung) the same steps
run here on the main thread, as before.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import bpy

from ...bridge import errors
from ...bridge.api import miniature
from ...bridge.imagefile import PICTURE_EXTS
from ..assets import marking as assets
from ..blenderio import geometry, importers, thumbnail
from ..helper import transfer
from ..pictures import (
    grey,
    slots,  # a job the Prepare section sent replaces its source picture
)
from ..pictures import results as picture_results
from ..ui import thumbnails
from . import localjobs, meshtools, naming, origin, placement, session

COLLECTION_NAME = "AI Studio"

ImportFailed = errors.ImportFailedError
clean_request = importers.clean_request


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


@dataclasses.dataclass
class Plan:
    """What importing one job means, worked out on the main thread from its record."""

    job_id: str
    meta: dict
    files: list
    folder: str
    model: Path | None
    name: str
    height_cm: float | None
    tags: dict
    pictures: list
    greys: list        # pictures that also arrive on studio grey
    label: str
    unit: str = ""     # what the numbers of a unitless model file (STL, OBJ, PLY) measure


def _files_of(job_id: str, record) -> list[Path]:
    files = list(record.files) if record is not None and record.files else []
    view = session.STATE.jobs.get(job_id)
    if not files and view is not None:
        files = list(view.files)
    return [Path(f) for f in files if Path(f).is_file()]


def pick_model(files: list[Path], prefer_scaled: bool) -> Path | None:
    """The model to import: the scaled print model when asked for, GLB before others."""
    models = [f for f in files if f.suffix.lower() in importers.MODEL_EXTS]
    if not models:
        return None

    def rank(path: Path):
        scaled = "scaled_3d_model" in path.name.lower()
        return (0 if scaled == prefer_scaled else 1, importers.MODEL_EXTS.index(path.suffix.lower()), path.name)
    return sorted(models, key=rank)[0]


def _target_height(meta: dict) -> float | None:
    scale = meta.get("scale")
    if not scale or scale == "none":
        return None
    return miniature.target_height_cm(scale, meta.get("scale_height_cm"))


def plan_import(job_id: str) -> Plan:
    record = session.job_record(job_id)
    files = _files_of(job_id, record)
    meta = dict(record.meta or {}) if record is not None else {}
    view = session.STATE.jobs.get(job_id)
    if not files:
        raise ImportFailed("The job has no downloaded files to import.")
    height = _target_height(meta)
    model = pick_model(files, prefer_scaled=height is not None)
    label = (view.label if view else "") or meta.get("name") or job_id
    name = result_name(meta, view, record)
    tags = importers.tags_for(job_id, record.task_id if record is not None else "",
                              record.provider if record is not None else "",
                              record.request if record is not None else None)
    # Result pictures carry the job id in their name; textures unpacked from
    # an OBJ archive do not, and belong to their model, not the panel.
    pictures = [p for p in files if p.suffix.lower() in PICTURE_EXTS and p.name.startswith(job_id)]
    request_type = ((record.request if record is not None else None) or {}).get("type")
    # Remove-bg results also arrive on studio grey; known by the request type,
    # so jobs sent from the CLI count too.
    greys = grey.grey_sources(pictures) if request_type == "RemoveBackgroundRequest" else []
    return Plan(job_id, meta, files, str(files[0].parent), model, name, height, tags, pictures,
                greys, label, _unit(meta, record.request if record is not None else None, model))


def _unit(meta: dict, request: dict | None, model: Path | None) -> str:
    """The unit the result's numbers are in: what the job's meta says ("Run in Cloud" sends an
    STL in mm), else a model tool's ``unit`` field; an STL from convert defaults to mm."""
    if meta.get("unit"):
        return meta["unit"]
    request = request or {}
    fields = request.get("fields") or {}
    if request.get("type") in ("RepairRequest", "ConvertRequest"):
        if fields.get("unit"):
            return fields["unit"]
        if model is not None and model.suffix.lower() == ".stl":
            return "mm"   # the convention of STL files for printing, and the service's default
    return ""


def result_name(meta: dict, view, record) -> str:
    """What the user gave (the prompt, the picture, the object), never a downloaded file's name.

    The add-on's own jobs carry it as ``meta["name"]``; jobs sent by the CLI or
    a script are named from their request (its prompt, its picture's name).
    """
    if meta.get("name"):
        return meta["name"][:60]
    request = record.request if record is not None else None
    label = (view.label if view else "") or (record.label if record is not None else "")
    return naming.from_request(request, label)[:60]


def ai_collection(scene) -> bpy.types.Collection:
    coll = bpy.data.collections.get(COLLECTION_NAME)
    if coll is None:
        coll = bpy.data.collections.new(COLLECTION_NAME)
    if coll.name not in scene.collection.children:
        scene.collection.children.link(coll)
    return coll


def _load_images(plan: Plan) -> list:
    images = []
    names = naming.result_pictures(plan.name, plan.pictures, plan.model is not None)
    for path, name in zip(plan.pictures, names):
        image = bpy.data.images.load(str(path), check_existing=True)
        if naming.clean(image.name) != name:   # named after the job, not the downloaded file
            image.name = name
        image["aistudio_local_job"] = plan.job_id
        images.append(image)
    return images


def _scene_part(plan: Plan, context, top, greys: list[Path], bounds=None) -> ImportResult:
    """What happens in the user's file once the objects exist: place, select, pictures, undo."""
    objects = []
    if top is not None:
        placement.place(top, plan.meta, context.scene, ai_collection(context.scene), bounds)
        meshtools.after_import(plan.job_id, plan.model, plan.meta, top)   # its address, its turn
        assets.after_import(plan, top)   # an asset, in the AI Studio library (assets/)
        for obj in list(context.view_layer.objects.selected):
            obj.select_set(False)
        top.select_set(True)
        context.view_layer.objects.active = top
        objects.append(top)
    images = _load_images(plan)
    # Each grey copy is named after its picture: "a red fox on grey".
    grey_names = {grey.grey_dest(source): f"{image.name} on grey"
                  for source, image in zip(plan.pictures, images)}
    grey_images = [grey.load_grey(path, plan.job_id, name=grey_names.get(Path(path), ""))
                   for path in greys]
    if grey_images and plan.meta.get("source") == "remove_bg":
        slots.fill(context.scene, "SOURCE", grey_images[0])
    images += grey_images
    view = session.STATE.jobs.get(plan.job_id)
    if view is not None:
        view.image_names = [i.name for i in images]
        view.imported = True
    # One undo step for the user. Background Blender has no user and no
    # window-bound undo stack: pushing there crashed the bpy 4.2 module.
    if objects and not bpy.app.background and bpy.ops.ed.undo_push.poll():
        bpy.ops.ed.undo_push(message="Import AI Studio result")
    result = ImportResult(objects, images, plan.folder)
    # Pictures tagged like objects (a picture job's result shown in the Image
    # Editor), the object remembered for the job list's thumbnail.
    picture_results.after_import(plan.job_id, result, context.window_manager)
    thumbnails.forget(plan.job_id)   # look again: a thumbnail may have come with the import
    return result


def _with_context(context, action):
    if context is not None:
        return action(context)
    with importers.in_window():
        return action(bpy.context)


def import_in_process(job_id: str, context=None, plan: Plan | None = None) -> ImportResult:
    """The whole import on the main thread (the fallback when there is no helper)."""
    plan = plan or plan_import(job_id)

    def run(ctx):
        top, bounds = None, None
        if plan.model is not None:
            top, new = importers.import_objects(plan.model, plan.name, ai_collection(ctx.scene))
            geometry.stamp_import(top, plan.model)   # before any scaling: is it the file's own geometry?
            scale_length = ctx.scene.unit_settings.scale_length
            importers.apply_factor(top, new, importers.unit_factor(plan.model, plan.unit,
                                                                   scale_length))
            if plan.height_cm is not None:
                importers.scale_to_height(top, new, plan.height_cm, scale_length)
            importers.tag(top, plan.tags)
            bounds = importers.result_bounds(top, new)
        greys = []
        for source in plan.greys:
            try:
                greys.append(grey.composite_in_process(source, grey.grey_dest(source)))
            except errors.ValidationError:
                continue   # not a picture Blender reads: no grey copy, the original stays
        return _scene_part(plan, ctx, top, greys, bounds)
    return _with_context(context, run)


def _elsewhere(plan: Plan) -> str:
    """An automatic import whose file was closed while the helper worked: it waits instead."""
    view = session.STATE.jobs.get(plan.job_id)
    if view is not None:
        view.left_for_import = True
    return "not imported: its file was closed meanwhile; Import it from the job list"


def _import_work(plan: Plan, context, holder: list, automatic: bool = False) -> localjobs.Work:
    steps = []
    scratch = None
    if plan.model is not None:
        scratch = plan.model.with_name(f".{plan.model.stem}.aistudio.blend")
        args = {"model": str(plan.model), "out": str(scratch), "name": plan.name,
                "thumbnail": str(thumbnail.path_for(plan.model)),
                "tags": plan.tags, "height_cm": plan.height_cm, "unit": plan.unit,
                "scale_length": float(bpy.context.scene.unit_settings.scale_length or 1.0)}
        steps.append(localjobs.Step("import_model", args, str(plan.model.parent),
                                    deadline_s=localjobs.IMPORT_DEADLINE_S))
    greys = [grey.grey_dest(source) for source in plan.greys]
    steps += [grey.grey_step(source, dest) for source, dest in zip(plan.greys, greys)]

    def finish(results: list) -> str:
        if automatic and not origin.belongs_here(plan.meta):
            if scratch is not None:
                transfer.discard(scratch)
            return _elsewhere(plan)

        def run(ctx):
            top, bounds = None, None
            if plan.model is not None:
                answer = results[0]
                bounds = answer.get("bounds")
                try:
                    objects = transfer.append_objects(answer["blend"], answer["objects"])
                finally:
                    transfer.discard(answer["blend"])
                if not objects:
                    raise ImportFailed(f"{plan.model.name}: the helper's import came back empty.")
                coll = ai_collection(ctx.scene)
                for obj in objects:
                    coll.objects.link(obj)
                top = objects[answer["objects"].index(answer["top"])] \
                    if answer["top"] in answer["objects"] else objects[0]
            made = [Path(r["dest"]) for r in (results[-len(greys):] if greys else []) if r.get("dest")]
            return _scene_part(plan, ctx, top, made, bounds)
        result = _with_context(context, run)
        holder.append(result)
        return result.summary()

    def fallback() -> str:
        if scratch is not None:
            scratch.unlink(missing_ok=True)
        if automatic and not origin.belongs_here(plan.meta):
            return _elsewhere(plan)
        result = import_in_process(plan.job_id, context, plan)
        holder.append(result)
        return result.summary()

    def failed(_message):   # the downloads stay; only the hand-over file goes
        if scratch is not None:
            transfer.discard(scratch)

    return localjobs.Work(plan.job_id, plan.label, steps, finish, fallback, own_view=False,
                          stage="Importing", fail=failed)


def scripts_wait() -> bool:
    """Whether ``aistudio.import_result`` waits for its import: in background Blender
    (scripts expect the objects when it returns), not in the UI (nothing may freeze)."""
    return bool(bpy.app.background)


def begin_import(job_id: str, automatic: bool = False) -> localjobs.Work | None:
    """Start importing a job in the helper; the pump appends it when it is ready.

    *automatic*: the pump's own import of a finished job, which lands only in
    the file that sent the job (``origin.py``); the Import button's lands here.
    None when an automatic import belongs to a file that is not open.
    """
    plan = plan_import(job_id)
    if automatic and not origin.belongs_here(plan.meta):
        return None
    work = _import_work(plan, None, [], automatic)
    view = session.STATE.jobs.get(job_id)
    if view is not None:
        view.stage = "Importing"
    return localjobs.start(work)


def import_job(job_id: str, context=None) -> ImportResult:
    """Import everything usable a job downloaded (again, if called again), and wait for it.

    For scripts and background Blender: the helper does the importing, this
    call waits for it and appends. Without a context (the pump runs in a
    timer, whose context may lack a window) the first window's context is used.
    """
    holder: list = []
    localjobs.run_now(_import_work(plan_import(job_id), context, holder))
    return holder[0]
