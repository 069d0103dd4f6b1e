"""Drop a picture on the window, get a model: a FileHandler for .png .jpg .jpeg .webp.

Blender 4.1+ offers a dropped file to the FileHandlers whose extensions it
has and whose ``poll_drop`` accepts the area: this one takes drops on the
3D viewport and on the Image Editor's sidebar (where the AI Studio tab sends
pictures on). Its import operator is ``aistudio.image_to_3d``: Blender sets
``filepath`` (the first file), ``directory`` and ``files``. One picture opens
the usual confirmation, always for a drop (a drop is easily made by chance),
naming the model and the credits; OK submits it through the submit guard.
Several pictures go to ``aistudio.queue_files``: one job each, one
confirmation with the total, like a folder batch.

Blender matches dropped paths by extension, so a dropped folder reaches no
FileHandler; *Queue a Folder…* takes folders.
"""

from __future__ import annotations

from pathlib import Path

import bpy
from bpy.props import CollectionProperty, EnumProperty, StringProperty

from ...bridge import errors
from ...bridge.engine import batch as batchlib
from ...bridge.imagefile import PICTURE_EXTS
from ..jobs import naming
from . import batch
from .submit import Prepared, SubmitMixin, ask, credit_text

EXTENSIONS = PICTURE_EXTS
MODEL_NAMES = {ident: name for ident, name, *_ in batch.FLOWS}


def dropped(op) -> list[str]:
    """The picture paths a drop (or a script passing ``directory`` and ``files``) gave."""
    files = getattr(op, "files", None)
    if not files:
        return []
    folder = Path(bpy.path.abspath(op.directory or ""))
    return [str(folder / f.name) for f in files if f.name.lower().endswith(EXTENSIONS)]


def confirm(op, context, event, prepared: Prepared):
    """Always ask, naming what is sent, to which model, for how much."""
    model = MODEL_NAMES.get(prepared.model, prepared.model)
    return ask(op, context, event, "Spend credits?",
               f"Send {prepared.label} to {model}? Estimated {credit_text(prepared.request)}.",
               "Submit")


def _several(op, paths: list[str], model: str):
    names = [{"name": Path(p).name} for p in paths]
    result = bpy.ops.aistudio.queue_files("INVOKE_DEFAULT", directory=str(Path(paths[0]).parent),
                                          files=names, model=model)
    return {"CANCELLED"} if "CANCELLED" in result else {"FINISHED"}


def invoke_image_to_3d(op, context, event, default):
    """``aistudio.image_to_3d``'s invoke: a drop of one picture, of several, or a button."""
    paths = dropped(op)
    if not paths:
        return default(context, event)
    model = op.model if op.properties.is_property_set("model") else context.scene.aistudio.model
    if len(paths) > 1:
        return _several(op, paths, model)
    op.filepath = paths[0]
    prepared = op._prepared_online(context)
    if prepared is None:
        return {"CANCELLED"}
    return confirm(op, context, event, prepared)


def execute_image_to_3d(op, context, default):
    """Scripts passing several ``files`` get the batch too (confirmed by its own rules)."""
    paths = dropped(op)
    if len(paths) > 1:
        model = op.model if op.properties.is_property_set("model") else context.scene.aistudio.model
        names = [{"name": Path(p).name} for p in paths]
        return bpy.ops.aistudio.queue_files(directory=str(Path(paths[0]).parent), files=names,
                                            model=model)
    if paths and not op.filepath:
        op.filepath = paths[0]
    return default(context)


class AISTUDIO_OT_queue_files(SubmitMixin, bpy.types.Operator):
    """Send several pictures through one model: one job each, one confirmation for the total"""

    bl_idname = "aistudio.queue_files"
    bl_label = "Queue Pictures"
    bl_options = {"REGISTER"}

    directory: StringProperty(name="Folder", subtype="DIR_PATH")
    files: CollectionProperty(type=bpy.types.OperatorFileListElement)
    model: EnumProperty(name="Model", items=batch.FLOWS)

    def invoke(self, context, event):
        prepared = self._prepared_online(context)
        if prepared is None:
            return {"CANCELLED"}
        return confirm(self, context, event, prepared)

    def prepare(self, context) -> Prepared:
        model = self.model if self.properties.is_property_set("model") else context.scene.aistudio.model
        paths = dropped(self)
        if not paths:
            raise errors.ValidationError("No pictures (.png, .jpg, .jpeg, .webp) were given.")
        items = batchlib.collect(paths)
        bid = batchlib.batch_id(f"addon:{model}", [], items)
        parts, skipped = [], {}
        for item in items:
            try:
                request = batch.AISTUDIO_OT_queue_folder._request(context, model, item)
            except errors.BridgeError as exc:
                skipped[item.name] = str(exc)
                continue
            meta = {"source": "batch", "batch": bid, "item": item.key, "name": item.name,
                    "picture": str(item.value)}
            parts.append(Prepared(request, naming.words(item.name, "AI Model"), model, meta))
        return Prepared(batch.BatchOfRequests(parts, skipped), f"{len(items)} pictures", model,
                        {"batch": bid})

    hand_over = batch.AISTUDIO_OT_queue_folder.hand_over


classes = [AISTUDIO_OT_queue_files]

if hasattr(bpy.types, "FileHandler"):   # Blender 4.1+
    class AISTUDIO_FH_image_to_3d(bpy.types.FileHandler):
        bl_idname = "AISTUDIO_FH_image_to_3d"
        bl_label = "Image to 3D (AI Studio)"
        bl_import_operator = "aistudio.image_to_3d"
        bl_file_extensions = ";".join(EXTENSIONS)

        @classmethod
        def poll_drop(cls, context):
            area = getattr(context, "area", None)
            if area is None:
                return False
            if area.type == "VIEW_3D":
                return True
            region = getattr(context, "region", None)
            return area.type == "IMAGE_EDITOR" and region is not None and region.type == "UI"

    classes.append(AISTUDIO_FH_image_to_3d)

classes = tuple(classes)
