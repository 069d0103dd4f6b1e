"""Queue a folder: every picture (and .txt prompt) in it through one model, for one total.

The batch goes through the same submit guard as every other operator
(online access, key, validation, one cost confirmation — for the total),
then each item becomes an ordinary job: it shows in the job list, and its
result lands in the scene as soon as it arrives, like any other job. The
items are tagged with a batch id, so ``python -m bridge batch`` and the job
list know them as one batch.
"""

from pathlib import Path

import bpy
from bpy.props import BoolProperty, EnumProperty, StringProperty

from ...bridge import errors
from ...bridge.api.base import Credits
from ...bridge.engine import batch as batchlib
from ..jobs import naming, request_factory
from ..properties import MODELS
from .submit import Prepared, SubmitMixin, credit_text

FLOWS = (*MODELS, ("MINIATURE", "Miniature", "The miniature flow: pictures to printable figures"))


class BatchOfRequests:
    """Several requests the guard checks and confirms as one; invalid ones are set aside."""

    KIND = "batch"

    def __init__(self, parts: list[Prepared], skipped: dict[str, str]):
        self.parts = parts
        self.skipped = dict(skipped)          # item name -> why it cannot be sent

    @property
    def PROVIDER(self) -> str:  # noqa: N802 - read like a request type's class constant
        return self.parts[0].request.PROVIDER if self.parts else "3daistudio"

    def validate(self) -> None:
        kept = []
        for part in self.parts:
            try:
                part.request.validate()
            except errors.BridgeError as exc:
                self.skipped[part.label] = str(exc)
            else:
                kept.append(part)
        self.parts = kept
        if not kept:
            reasons = "; ".join(f"{name}: {why}" for name, why in list(self.skipped.items())[:3])
            raise errors.ValidationError(f"Nothing in the folder can be sent ({reasons}).")

    def credits(self) -> Credits:
        low = high = 0
        unit = "credits"
        for part in self.parts:
            try:
                estimate = part.request.credits()
            except (errors.BridgeError, NotImplementedError):
                continue
            low, high, unit = low + estimate.low, high + estimate.high, estimate.unit
        return Credits(low, high, unit=unit)


class AISTUDIO_OT_queue_folder(SubmitMixin, bpy.types.Operator):
    """Send every picture in a folder (and every .txt prompt) through one model, for one total"""

    bl_idname = "aistudio.queue_folder"
    bl_label = "Queue a Folder…"
    bl_options = {"REGISTER"}

    directory: StringProperty(name="Folder", subtype="DIR_PATH")
    model: EnumProperty(name="Model", items=FLOWS)
    filter_folder: BoolProperty(default=True, options={"HIDDEN", "SKIP_SAVE"})
    filter_image: BoolProperty(default=True, options={"HIDDEN", "SKIP_SAVE"})
    browsed: BoolProperty(default=False, options={"HIDDEN", "SKIP_SAVE"})

    def invoke(self, context, event):
        if not self.directory:  # pick the folder first, then the guard runs with it
            self.browsed = True
            context.window_manager.fileselect_add(self)
            return {"RUNNING_MODAL"}
        return super().invoke(context, event)

    def execute(self, context):
        if self.browsed:  # back from the file browser: ask for the total like any submit
            return bpy.ops.aistudio.queue_folder(
                "INVOKE_DEFAULT", directory=self.directory,
                model=self.model if self.properties.is_property_set("model")
                else context.scene.aistudio.model)
        return super().execute(context)

    def prepare(self, context) -> Prepared:
        settings = context.scene.aistudio
        model = self.model if self.properties.is_property_set("model") else settings.model
        folder = Path(bpy.path.abspath(self.directory or ""))
        if not str(self.directory).strip() or not folder.is_dir():
            raise errors.ValidationError(f"Choose a folder of pictures ({folder} is not one).")
        items = batchlib.collect([folder])
        bid = batchlib.batch_id(f"addon:{model}", [], items)
        parts, skipped = [], {}
        for item in items:
            try:
                request = self._request(context, model, item)
            except errors.BridgeError as exc:
                skipped[item.name] = str(exc)
                continue
            meta = {"source": "batch", "batch": bid, "item": item.key, "name": item.name}
            parts.append(Prepared(request, naming.words(item.name, "AI Model"), model, meta))
        label = f"{len(items)} item(s) from {folder.name or folder}"
        return Prepared(BatchOfRequests(parts, skipped), label, model, {"batch": bid})

    @staticmethod
    def _request(context, model: str, item: batchlib.Item):
        settings = context.scene.aistudio
        if model == "MINIATURE":
            if item.kind != "picture":
                raise errors.ValidationError("the miniature flow takes pictures only.")
            mini = settings.miniature
            return request_factory.miniature_from_settings(item.value, mini)
        if item.kind == "picture":
            return request_factory.image_request(model, item.value, settings.options)
        return request_factory.text_request(model, item.value, settings.options)

    def hand_over(self, engine, prepared: Prepared, folder) -> None:
        batch = prepared.request
        sent = 0
        for part in batch.parts:
            self.submit_prepared(engine, part, folder)
            sent += 1
        if batch.skipped:
            self.report({"WARNING"}, "Not sent: " + "; ".join(
                f"{name}: {why}" for name, why in batch.skipped.items()))
        self.report({"INFO"}, f"Queued {sent} job(s) ({credit_text(batch)}); each result "
                              "lands in the scene as it arrives.")


classes = (AISTUDIO_OT_queue_folder,)
