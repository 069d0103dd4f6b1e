"""The Prepare section: recipe, prompt, edit model, results to accept, views to reconstruct.

Drawn only from scene properties and the pump's cache (job views and their
meta), never from the engine or the network. Costs come from the requests'
own ``credits()``; a picture never changes them, so none is read to draw.
"""

import bpy

from ...bridge import recipes as recipes_mod
from ...bridge.api import image_tools
from ..jobs import request_factory, session
from ..pictures import recipes, slots
from ..pictures.slots import VIEWS
from ..properties import RECONSTRUCT_VERSION, VIEW_LABELS
from ..sidebar import SidebarChild
from . import thumbnails
from .joblist import draw_progress
from .widgets import PLACEHOLDER_IMAGE, cost_suffix, draw_picture_source, draw_wrapped

PREPARE_SOURCES = ("prepare", "remove_bg")
SHOWN_RESULTS = 3


def _draw_source(layout, settings) -> None:
    box = layout.box()
    box.label(text="Source Picture", icon="IMAGE_DATA")
    draw_picture_source(box, settings)
    row = box.row(align=True)
    row.operator("aistudio.composite_grey", text="Grey Background (free)", icon="IMAGE_BACKGROUND")
    cost = cost_suffix(lambda: image_tools.RemoveBackgroundRequest(image_file=PLACEHOLDER_IMAGE))
    row.operator("aistudio.remove_background", text=f"Remove BG{cost}", icon="IMAGE_ALPHA")


def _draw_recipe(layout, prep) -> None:
    row = layout.row(align=True)
    row.prop(prep, "recipe")
    row.operator("aistudio.reload_recipes", text="", icon="FILE_REFRESH")
    problem = recipes.load_error()
    if problem:
        draw_wrapped(layout, problem)
    row = layout.row(align=True)
    row.prop(prep, "prompt", text="")
    row.operator("aistudio.prepare_reset_prompt", text="", icon="LOOP_BACK")
    layout.prop(prep, "model")
    cost = cost_suffix(lambda: recipes_mod.EDIT_MODELS[prep.model](prompt="x"))
    layout.operator("aistudio.prepare_picture", text=f"Send{cost}", icon="PLAY")


def prepare_jobs(limit: int = SHOWN_RESULTS) -> list:
    """The newest preparation jobs, from the cache."""
    return session.newest_jobs(PREPARE_SOURCES, limit)


def draw_result(layout, context, view) -> None:
    """One picture job: progress, or its picture with Accept / Redo (also in the Image Editor)."""
    box = layout.box()
    box.label(text=view.label or view.job_id, icon="IMAGE_DATA")
    if view.active:
        draw_progress(box, view)
        return
    if view.state != "DONE":
        draw_wrapped(box, view.error or view.state.title())
    for name in view.image_names[-1:]:  # the grey version comes last when there is one
        image = bpy.data.images.get(name)
        icon = thumbnails.picture_icon(image)
        if icon:
            box.template_icon(icon_value=icon, scale=5.0)
    row = box.row(align=True)
    if view.state == "DONE":
        target = recipes.default_slot(view.meta.get("recipe", ""))
        where = "Source + Front" if target == "SOURCE" else target.title()
        row.operator("aistudio.prepare_accept", text=f"Accept as {where}",
                     icon="CHECKMARK").job_id = view.job_id
    row.operator("aistudio.prepare_redo", text="Redo", icon="FILE_REFRESH").job_id = view.job_id
    if view.state == "DONE":
        row = box.row(align=True)
        for key, label, _ in slots.slot_choices(context.scene.aistudio):
            op = row.operator("aistudio.prepare_accept", text=label)
            op.job_id, op.slot = view.job_id, key


def _draw_views(layout, context, prep) -> None:
    settings = context.scene.aistudio
    box = layout.box()
    box.label(text="Multi-view Slots", icon="MOD_ARRAY")
    for view in VIEWS:
        slot = getattr(settings.multiview, view)
        row = box.row(align=True)
        row.label(text=VIEW_LABELS[view])
        row.prop(slot, "image", text="")
    if hasattr(bpy.types, "AISTUDIO_OT_capture_views"):
        box.operator("aistudio.capture_views", text="Capture from Scene", icon="RESTRICT_RENDER_OFF")
    box.prop(prep, "reconstruct_model")
    views = {v: PLACEHOLDER_IMAGE for v in VIEWS}
    version = RECONSTRUCT_VERSION.get(prep.reconstruct_model, "")
    cost = cost_suffix(lambda: request_factory.multiview_request(prep.reconstruct_model, views,
                                                           settings.options, version or None))
    op = box.operator("aistudio.multiview_to_3d", text=f"Reconstruct 3D{cost}", icon="PLAY")
    op.model = prep.reconstruct_model
    op.version = version  # "Tencent Pro 3.0" sends 3.0, whatever Generate holds


class AISTUDIO_PT_prepare(SidebarChild, bpy.types.Panel):
    bl_idname = "AISTUDIO_PT_prepare"
    bl_label = "Prepare Picture"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        layout = self.layout
        settings = context.scene.aistudio
        _draw_source(layout, settings)
        _draw_recipe(layout, settings.prepare)
        for view in prepare_jobs():
            draw_result(layout, context, view)
        _draw_views(layout, context, settings.prepare)


classes = (AISTUDIO_PT_prepare,)
