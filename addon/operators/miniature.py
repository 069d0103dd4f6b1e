"""Picture to a printable miniature figure (the service's miniature flow)."""

import bpy
from bpy.props import FloatProperty, IntProperty, StringProperty

from ..blenderio import uploads
from ..jobs import naming, request_factory
from ..properties import AISTUDIO_PG_miniature
from .submit import Prepared, SubmitMixin

_PG = AISTUDIO_PG_miniature.__annotations__


class AISTUDIO_OT_miniature(SubmitMixin, bpy.types.Operator):
    """Turn a picture into a miniature figure, optionally at a print scale"""

    bl_idname = "aistudio.miniature"
    bl_label = "Make Miniature"
    bl_options = {"REGISTER"}

    filepath: StringProperty(name="File", subtype="FILE_PATH")
    image: StringProperty(name="Image", description="Name of an image datablock")
    preset: _PG["preset"]  # noqa: F821  (the scene setting's property, not a type name)
    edition: _PG["edition"]  # noqa: F821  (the scene setting's property, not a type name)
    scale: _PG["scale"]  # noqa: F821  (the scene setting's property, not a type name)
    scale_height_cm: FloatProperty(name="Height (cm)", default=10.0, min=0.1,
                                   description="Printed height for the custom scale; the service "
                                               "takes up to 100 cm, and more is refused with a message")
    scale_ratio: _PG["scale_ratio"]  # noqa: F821  (the scene setting's property, not a type name)
    subject_height_cm: _PG["subject_height_cm"]  # noqa: F821  (the scene setting's property, not a type name)
    face_count: IntProperty(name="Faces", default=200_000, min=3_000, max=1_500_000,
                            description="Unset: the scene's choice (or the service's)")

    def _value(self, context, name):
        if self.properties.is_property_set(name):
            return getattr(self, name)
        return getattr(context.scene.aistudio.miniature, name)

    def prepare(self, context) -> Prepared:
        settings = context.scene.aistudio.miniature
        scripted = bool(self.filepath or self.image)
        path = uploads.resolve(self.filepath, self.image,
                                   fallback=None if scripted else settings.picture)
        scale = self._value(context, "scale")
        height = self._value(context, "scale_height_cm")
        if self.properties.is_property_set("face_count"):
            faces = self.face_count
        else:
            faces = settings.face_count if settings.use_face_count else None
        subject = self._value(context, "subject_height_cm")
        request = request_factory.miniature_request(
            path, self._value(context, "preset"), self._value(context, "edition"), scale, height,
            self._value(context, "scale_ratio"), faces, subject)
        name = naming.picture(self.filepath, self.image, False, settings.picture)
        meta = {"source": "miniature", "scale": request.scale,
                "scale_height_cm": request.scale_height_cm, "print_scale": scale,
                "subject_height_cm": subject or None}
        return Prepared(request, naming.words(name, "Miniature"), "MINIATURE", meta)


classes = (AISTUDIO_OT_miniature,)
