"""Text, picture and multi-view to 3D: the Generate section's operators.

Arguments left unset fall back to the scene's settings (``Scene.aistudio``),
so the panel's buttons pass nothing and scripts pass everything.
"""

import bpy
from bpy.props import BoolProperty, CollectionProperty, EnumProperty, StringProperty

from ..blenderio import uploads
from ..jobs import naming, request_factory
from ..pictures.slots import ALL_VIEWS
from ..properties import MODELS
from . import drop
from .submit import Prepared, SubmitMixin


def _model(op, context) -> str:
    return op.model if op.properties.is_property_set("model") else context.scene.aistudio.model


#: A script may pick either service's model, so only a missing key *and* token grey these out.
BOTH_SERVICES = ("3daistudio", "image3d")


class AISTUDIO_OT_text_to_3d(SubmitMixin, bpy.types.Operator):
    """Generate a 3D model from a text prompt"""

    bl_idname = "aistudio.text_to_3d"
    bl_label = "Text to 3D"
    bl_options = {"REGISTER"}
    PROVIDERS = BOTH_SERVICES

    prompt: StringProperty(name="Prompt", description="Empty: the scene's last prompt")
    model: EnumProperty(name="Model", items=MODELS)

    def prepare(self, context) -> Prepared:
        settings = context.scene.aistudio
        prompt = self.prompt if self.properties.is_property_set("prompt") else settings.prompt
        model = _model(self, context)
        request = request_factory.text_request(model, prompt.strip(), settings.options)
        if self.properties.is_property_set("prompt"):
            settings.prompt = prompt
        return Prepared(request, naming.words(prompt, "AI Model"), model, {"source": "text"})


class AISTUDIO_OT_image_to_3d(SubmitMixin, bpy.types.Operator):
    """Generate a 3D model from a picture (a file, an image or the render result)"""

    bl_idname = "aistudio.image_to_3d"
    bl_label = "Image to 3D"
    bl_options = {"REGISTER"}
    PROVIDERS = BOTH_SERVICES

    filepath: StringProperty(name="File", subtype="FILE_PATH")
    image: StringProperty(name="Image", description="Name of an image datablock")
    use_render: BoolProperty(name="Use Render Result", default=False)
    model: EnumProperty(name="Model", items=MODELS)
    prompt: StringProperty(name="Prompt", description="Tencent Pro with type Sketch only: what the "
                                                      "sketch shows. Unset: the scene's prompt")
    # Set by a drop on the window (operators/drop.py's FileHandler): the dropped pictures.
    directory: StringProperty(subtype="DIR_PATH", options={"HIDDEN", "SKIP_SAVE"})
    files: CollectionProperty(type=bpy.types.OperatorFileListElement, options={"HIDDEN", "SKIP_SAVE"})

    def invoke(self, context, event):
        return drop.invoke_image_to_3d(self, context, event, super().invoke)

    def execute(self, context):
        return drop.execute_image_to_3d(self, context, super().execute)

    def prepare(self, context) -> Prepared:
        settings = context.scene.aistudio
        scripted = self.filepath or self.image or self.use_render
        use_render = self.use_render or (not scripted and settings.source == "RENDER")
        model = _model(self, context)
        if self.properties.is_property_set("prompt"):
            prompt = self.prompt
        else:  # the panel's one prompt field goes with a sketch, and only with one
            sketch = request_factory.takes_sketch_prompt(model, settings.options)
            prompt = settings.prompt if sketch else ""
        request_factory.image_request(model, "picture.png", settings.options, prompt)  # before saving
        path = uploads.resolve(self.filepath, self.image, use_render,
                                   fallback=None if scripted else settings.picture)
        request = request_factory.image_request(model, path, settings.options, prompt)
        name = naming.picture(self.filepath, self.image, use_render,
                            None if scripted else settings.picture, context.scene)
        return Prepared(request, naming.words(name, "AI Model"), model, {"source": "image"})


class AISTUDIO_OT_multiview_to_3d(SubmitMixin, bpy.types.Operator):
    """Generate a 3D model from several views of one subject (Tencent Pro 3.1 takes eight)"""

    bl_idname = "aistudio.multiview_to_3d"
    bl_label = "Multi-view to 3D"
    bl_options = {"REGISTER"}
    PROVIDERS = BOTH_SERVICES

    front: StringProperty(name="Front", description="A file path or an image datablock's name")
    back: StringProperty(name="Back")
    left: StringProperty(name="Left")
    right: StringProperty(name="Right")
    top: StringProperty(name="Top", description="Tencent Pro 3.1 only")
    bottom: StringProperty(name="Bottom", description="Tencent Pro 3.1 only")
    left_front: StringProperty(name="Left Front", description="Tencent Pro 3.1 only")
    right_front: StringProperty(name="Right Front", description="Tencent Pro 3.1 only")
    model: EnumProperty(name="Model", items=MODELS, default="TENCENT_PRO")
    version: StringProperty(name="Version", description="Tencent Pro 3.0/3.1 or Tripo 3.0/3.1; "
                                                        "unset: the Generate panel's")

    def prepare(self, context) -> Prepared:
        settings = context.scene.aistudio
        model = self.model if self.properties.is_property_set("model") else settings.model
        version = self.version.strip() or None
        views, front = {}, ""
        scripted = any(getattr(self, v) for v in ALL_VIEWS)
        # From the slots, only the views this model takes (the panel shows only those).
        wanted = request_factory.view_order(model, settings.options, version)
        for view in ALL_VIEWS:
            given = getattr(self, view)
            if given:
                views[view] = uploads.name_or_path(given)
                front = front or (naming.view_given(given) if view == "front" else "")
            elif not scripted and view in wanted:
                slot = getattr(settings.multiview, view)
                if slot.image is not None or slot.filepath:
                    views[view] = uploads.resolve(fallback=slot)
                    if view == "front":
                        front = naming.picture("", "", False, slot)
        request = request_factory.multiview_request(model, views, settings.options, version)
        # Named after the front picture as the user knows it, not the file it was sent as.
        name = naming.multiview(front)
        return Prepared(request, naming.words(name, "Multi-view"), model, {"source": "multiview"})


classes = (AISTUDIO_OT_text_to_3d, AISTUDIO_OT_image_to_3d, AISTUDIO_OT_multiview_to_3d)
