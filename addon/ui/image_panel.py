"""The "AI Studio" tab of the Image Editor's sidebar: pictures where artists look at pictures.

Send the shown image on (image to 3D, the miniature flow, a preparation
recipe, a multi-view slot), make new pictures from text, and see the picture
jobs come back (they open in this editor when they arrive). Drawn from scene
properties and the pump's cache only.
"""

import bpy

from ...bridge import recipes as recipes_mod
from ..jobs import request_factory, session
from ..pictures import slots
from . import thumbnails
from .joblist import draw_progress
from .prepare_panel import draw_result
from .widgets import PLACEHOLDER_IMAGE, cost_suffix, draw_wrapped

PICTURE_SOURCES = ("text_to_image", "prepare", "remove_bg")
SHOWN_RESULTS = 4


class ImageSidebar:
    bl_space_type = "IMAGE_EDITOR"
    bl_region_type = "UI"
    bl_category = "AI Studio"


def shown_image(context):
    space = getattr(context, "space_data", None)
    return getattr(space, "image", None) if space is not None else None


class AISTUDIO_PT_image(ImageSidebar, bpy.types.Panel):
    bl_idname = "AISTUDIO_PT_image"
    bl_label = "Send Picture"

    def draw(self, context):
        layout = self.layout
        image = shown_image(context)
        if image is None:
            layout.label(text="Open or generate a picture to send it", icon="INFO")
            return
        settings = context.scene.aistudio
        name = image.name
        layout.label(text=name, icon="IMAGE_DATA")

        box = layout.box()
        box.prop(settings, "model", text="3D")
        cost = cost_suffix(lambda: request_factory.image_request(settings.model, PLACEHOLDER_IMAGE,
                                                                 settings.options))
        box.operator("aistudio.image_to_3d", text=f"Image to 3D{cost}", icon="MESH_MONKEY").image = name

        mini = settings.miniature
        box = layout.box()
        box.prop(mini, "preset", text="")
        cost = cost_suffix(lambda: request_factory.miniature_from_settings(PLACEHOLDER_IMAGE, mini))
        box.operator("aistudio.miniature", text=f"Miniature{cost}", icon="OUTLINER_OB_ARMATURE").image = name

        prep = settings.prepare
        box = layout.box()
        box.prop(prep, "recipe", text="")
        box.prop(prep, "model", text="")
        cost = cost_suffix(lambda: recipes_mod.EDIT_MODELS[prep.model](prompt="x"))
        box.operator("aistudio.prepare_picture", text=f"Prepare{cost}", icon="BRUSH_DATA").image = name

        box = layout.box()
        box.label(text="Use as", icon="MOD_ARRAY")
        grid = box.grid_flow(columns=3, align=True)
        for key, label, _ in slots.slot_choices(settings):
            op = grid.operator("aistudio.image_to_slot", text=label)
            op.image, op.slot = name, key


class AISTUDIO_PT_image_generate(ImageSidebar, bpy.types.Panel):
    bl_idname = "AISTUDIO_PT_image_generate"
    bl_label = "Text to Image"

    def draw(self, context):
        layout = self.layout
        pic = context.scene.aistudio.text_image
        layout.prop(pic, "prompt", text="")
        layout.prop(pic, "model")
        row = layout.row(align=True)
        row.prop(pic, "resolution", text="")
        row.prop(pic, "aspect_ratio", text="")
        layout.prop(pic, "num_images")
        cost = cost_suffix(lambda: request_factory.text_image_request(
            pic.model, pic.prompt or "x", pic.resolution, pic.aspect_ratio, pic.num_images))
        layout.operator("aistudio.text_to_image", text=f"Generate{cost}", icon="PLAY")


def picture_jobs(limit: int = SHOWN_RESULTS) -> list:
    """The newest picture jobs (generated, prepared, background removed), from the cache."""
    return session.newest_jobs(PICTURE_SOURCES, limit)


def _draw_generated(layout, context, view) -> None:
    box = layout.box()
    box.label(text=view.label or view.job_id, icon="IMAGE_DATA")
    if view.active:
        draw_progress(box, view)
        return
    if view.state != "DONE" or view.error:
        draw_wrapped(box, view.error or view.state.title())
    for name in view.image_names:
        image = bpy.data.images.get(name)
        if image is None:
            continue
        row = box.row(align=True)
        icon = thumbnails.picture_icon(image)
        if icon:
            row.template_icon(icon_value=icon, scale=3.0)
        row.operator("aistudio.show_image", text=name, icon="HIDE_OFF").image = name


class AISTUDIO_PT_image_results(ImageSidebar, bpy.types.Panel):
    bl_idname = "AISTUDIO_PT_image_results"
    bl_label = "Picture Jobs"

    def draw(self, context):
        layout = self.layout
        views = picture_jobs()
        if not views:
            layout.label(text="Generated and edited pictures come back here", icon="INFO")
        for view in views:
            if view.meta.get("source") == "text_to_image":
                _draw_generated(layout, context, view)
            else:
                draw_result(layout, context, view)


classes = (AISTUDIO_PT_image, AISTUDIO_PT_image_generate, AISTUDIO_PT_image_results)
