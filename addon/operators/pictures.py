"""Pictures as a starting point: text to image, and images from the Image Editor to a slot.

``text_to_image`` is a paid job like any other (``SubmitMixin``); its results
arrive as image datablocks tagged with their job and open in a visible Image
Editor (``imageresults``). ``image_to_slot`` and ``show_image`` are local and free.
"""

import bpy
from bpy.props import EnumProperty, IntProperty, StringProperty

from ..jobs import naming, request_factory
from ..pictures import results as picture_results
from ..pictures import slots
from ..properties import AISTUDIO_PG_text_image
from .submit import Prepared, SubmitMixin

_PG = AISTUDIO_PG_text_image.__annotations__


class AISTUDIO_OT_text_to_image(SubmitMixin, bpy.types.Operator):
    """Generate pictures from a text prompt (Gemini or Seedream); they open in the Image Editor"""

    bl_idname = "aistudio.text_to_image"
    bl_label = "Text to Image"
    bl_options = {"REGISTER"}

    prompt: StringProperty(name="Prompt", description="Unset: the scene's picture prompt")
    model: _PG["model"]  # noqa: F821  (the scene setting's property, not a type name)
    resolution: _PG["resolution"]  # noqa: F821  (the scene setting's property, not a type name)
    aspect_ratio: _PG["aspect_ratio"]  # noqa: F821  (the scene setting's property, not a type name)
    num_images: IntProperty(name="Pictures", default=1, min=1, max=6)

    def _value(self, context, name):
        if self.properties.is_property_set(name):
            return getattr(self, name)
        return getattr(context.scene.aistudio.text_image, name)

    def prepare(self, context) -> Prepared:
        prompt = self._value(context, "prompt")
        model = self._value(context, "model")
        request = request_factory.text_image_request(
            model, prompt, self._value(context, "resolution"), self._value(context, "aspect_ratio"),
            self._value(context, "num_images"))
        meta = {"source": "text_to_image", "prompt": prompt.strip(), "image_model": model}
        return Prepared(request, naming.words(prompt, "AI Picture"), model, meta)


class AISTUDIO_OT_image_to_slot(bpy.types.Operator):
    """Use this image as the source picture or as one of the multi-view pictures (free)"""

    bl_idname = "aistudio.image_to_slot"
    bl_label = "Use Image As"
    bl_options = {"REGISTER", "UNDO"}

    image: StringProperty(name="Image", description="Name of an image datablock")
    slot: EnumProperty(name="Slot", items=slots.SLOTS)

    def execute(self, context):
        image = bpy.data.images.get(self.image)
        if image is None:
            self.report({"ERROR"}, f"There is no image named {self.image!r} in this file.")
            return {"CANCELLED"}
        slots.fill(context.scene, self.slot, image)
        self.report({"INFO"}, f"{image.name} is now {slots.describe([self.slot])}.")
        return {"FINISHED"}


class AISTUDIO_OT_show_image(bpy.types.Operator):
    """Show this picture in the Image Editor"""

    bl_idname = "aistudio.show_image"
    bl_label = "Show Image"

    image: StringProperty(name="Image", description="Name of an image datablock")

    def execute(self, context):
        image = bpy.data.images.get(self.image)
        if image is None:
            self.report({"ERROR"}, f"There is no image named {self.image!r} in this file.")
            return {"CANCELLED"}
        space = getattr(context, "space_data", None)
        if space is not None and space.type == "IMAGE_EDITOR":
            space.image = image
        elif not picture_results.show_in_image_editor(image, context.window_manager):
            self.report({"WARNING"}, "No Image Editor is open: open one to see the picture.")
            return {"CANCELLED"}
        return {"FINISHED"}


classes = (AISTUDIO_OT_text_to_image, AISTUDIO_OT_image_to_slot, AISTUDIO_OT_show_image)
