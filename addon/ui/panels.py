"""The "AI Studio" tab of the 3D viewport's sidebar, and a status-bar line.

Everything drawn here comes from scene properties or the pump's in-memory
cache; drawing never touches the network or the journal.
"""

import bpy

from ...bridge.api import miniature as miniature_api
from ...bridge.api import tencent
from ..jobs import chains, meshtools, online, request_factory, session
from ..properties import MODELS, VIEW_LABELS
from ..sidebar import Sidebar, SidebarChild
from . import advanced
from .joblist import draw_job_details
from .prepare_panel import AISTUDIO_PT_prepare
from .widgets import PLACEHOLDER_IMAGE, cost_suffix, draw_picture_source, draw_wrapped, wrap_width


class AISTUDIO_PT_main(Sidebar, bpy.types.Panel):
    bl_idname = "AISTUDIO_PT_main"
    bl_label = "AI Studio"

    def draw(self, context):
        layout = self.layout
        row = layout.row(align=True)
        state = session.STATE
        row.label(text=f"Balance: {state.wallet}" if state.wallet else "Balance: not fetched",
                  icon="FUND")
        row.operator("aistudio.refresh_wallet", text="", icon="FILE_REFRESH")
        width = wrap_width(context)
        if state.wallet_error:
            draw_wrapped(layout, state.wallet_error, width=width)
        if not online.network_allowed():
            box = layout.box()
            box.alert = True
            what, where = online.offline_hint()
            box.label(text=what, icon="ERROR")
            box.label(text=where)
        if state.messages:
            box = layout.box()
            for level, text, _when in list(state.messages)[-3:]:
                problem = level in ("ERROR", "WARNING")
                draw_wrapped(box, text, icon="ERROR" if problem else "INFO", width=width,
                             alert=level == "ERROR", max_lines=4)
            box.operator("aistudio.clear_messages", text="Clear", icon="TRASH")


class AISTUDIO_PT_generate(SidebarChild, bpy.types.Panel):
    bl_idname = "AISTUDIO_PT_generate"
    bl_label = "Generate"

    def draw(self, context):
        layout = self.layout
        settings = context.scene.aistudio
        opts = settings.options
        model = settings.model
        layout.prop(settings, "model")
        _draw_model_options(layout, model, opts)
        sketch = request_factory.takes_sketch_prompt(model, opts)

        if model not in request_factory.TEXT_MODELS:
            # No text box to type into in vain: say why it is missing.
            layout.label(text=f"{_model_label(model)} makes models from pictures only", icon="INFO")
        elif not sketch:
            box = layout.box()
            box.label(text="From Text", icon="FONT_DATA")
            box.prop(settings, "prompt", text="")
            cost = cost_suffix(lambda: request_factory.text_request(model, settings.prompt or "x", opts))
            box.operator("aistudio.text_to_3d", text=f"Generate{cost}", icon="PLAY")

        box = layout.box()
        box.label(text="From Sketch" if sketch else "From Picture", icon="IMAGE_DATA")
        if sketch:
            box.prop(settings, "prompt", text="Shows")  # optional: what the sketch is of
        draw_picture_source(box, settings)
        cost = cost_suffix(lambda: request_factory.image_request(model, PLACEHOLDER_IMAGE, opts))
        box.operator("aistudio.image_to_3d", text=f"Generate{cost}", icon="PLAY")
        box.operator("aistudio.queue_folder", text="Queue a Folder…", icon="FILE_FOLDER")

        views = request_factory.view_order(model, opts)
        if views:
            box = layout.box()
            box.label(text=f"Multi-view ({len(views)} views)", icon="MOD_ARRAY")
            for view in views:
                slot = getattr(settings.multiview, view)
                # A narrow sidebar: a short name, then the path; a picture already in
                # Blender is chosen from the icon-only menu beside it.
                split = box.split(factor=0.22, align=True)
                split.label(text=VIEW_LABELS[view].split(" (")[0])
                row = split.row(align=True)
                row.prop(slot, "filepath", text="")
                row.prop(slot, "image", text="", icon="IMAGE_DATA", icon_only=True)
            if "left" in views:
                box.label(text="Left and right: the subject's own sides", icon="INFO")
            placeholders = {v: PLACEHOLDER_IMAGE for v in views}
            cost = cost_suffix(lambda: request_factory.multiview_request(model, placeholders, opts))
            box.operator("aistudio.multiview_to_3d", text=f"Generate{cost}", icon="PLAY")


def _model_label(model: str) -> str:
    return next((label for key, label, _ in MODELS if key == model), model)


def _draw_model_options(layout, model: str, opts) -> None:
    col = layout.column(align=True)
    if model == "TENCENT_RAPID":
        col.prop(opts, "enable_pbr")
    elif model == "TENCENT_PRO":
        col.prop(opts, "tencent_version")
        col.prop(opts, "generate_type")
        if opts.tencent_version == "3.1" and opts.generate_type in tencent.NOT_ON_31:
            col.alert = True
            col.label(text=f"{opts.generate_type} exists on 3.0 only", icon="ERROR")
        col.prop(opts, "face_count")
        col.prop(opts, "enable_pbr")
    elif model == "TRELLIS2":
        col.prop(opts, "trellis_resolution")
        col.prop(opts, "trellis_textures")
    elif model in ("TRIPO", "TRIPO_P1"):
        if model == "TRIPO":
            col.prop(opts, "tripo_version")
        col.prop(opts, "tripo_texture")
        col.prop(opts, "tripo_pbr")
        row = col.row(align=True)
        row.prop(opts, "use_face_limit", text="")
        sub = row.row(align=True)
        sub.active = opts.use_face_limit
        sub.prop(opts, "p1_face_limit" if model == "TRIPO_P1" else "face_limit")
    elif model == "IMAGE3D":
        col.prop(opts, "image3d_quality")
        col.prop(opts, "image3d_mesh_only")


class AISTUDIO_PT_miniature(SidebarChild, bpy.types.Panel):
    bl_idname = "AISTUDIO_PT_miniature"
    bl_label = "Miniature"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        layout = self.layout
        mini = context.scene.aistudio.miniature
        layout.prop(mini.picture, "filepath", text="Picture")
        layout.template_ID(mini.picture, "image", open="image.open")
        layout.prop(mini, "preset")
        layout.prop(mini, "edition")
        row = layout.row()
        row.prop(mini, "scale")
        if mini.scale == "custom":
            layout.prop(mini, "scale_height_cm")
        elif mini.scale == "ratio":
            layout.prop(mini, "scale_ratio")
        if mini.scale not in ("none", "custom"):
            _draw_subject_height(layout, row, mini)
        cost = cost_suffix(lambda: request_factory.miniature_from_settings(PLACEHOLDER_IMAGE, mini))
        layout.operator("aistudio.miniature", text=f"Make Miniature{cost}", icon="PLAY")


def _draw_subject_height(layout, scale_row, mini) -> None:
    """Beside a 1:N scale: the real size it applies to, assumed or asked for."""
    assumed = miniature_api.assumed_subject_cm(mini.preset)
    given = mini.subject_height_cm
    if given <= 0 and assumed:
        scale_row.label(text=f"assumes a {assumed:g} cm figure")
    row = layout.row()
    row.alert = given <= 0 and not assumed
    row.prop(mini, "subject_height_cm")
    if given <= 0 and not assumed:
        layout.label(text="Give the subject's real height: this preset has no standard size",
                     icon="ERROR")


class AISTUDIO_PT_tools(SidebarChild, bpy.types.Panel):
    bl_idname = "AISTUDIO_PT_tools"
    bl_label = "Tools"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        layout = self.layout
        tools = context.scene.aistudio.tools
        layout.prop(tools, "tool")
        if tools.tool in ("REPAIR", "CONVERT"):
            layout.prop(tools, "output_format")
        if tools.tool == "REPAIR":
            layout.prop(tools, "hollow")
        if tools.tool in ("REPAIR", "VOLUME"):
            layout.prop(tools, "target_height_cm")
        if tools.tool == "RENDER":
            layout.prop(tools, "render_angle")
        _draw_address_tool_options(layout, tools)
        active = context.active_object
        if active is None or active.type != "MESH":
            layout.label(text="Select a mesh (active object)", icon="INFO")
        if tools.tool in meshtools.TOOLS:
            if context.mode == "OBJECT" and active is not None and active.type == "MESH":
                text, lines = meshtools.priced(context, tools.tool, meshtools.panel_options(tools))
                for line in lines:
                    draw_wrapped(layout, line, icon="INFO", width=wrap_width(context), alert=False)
            else:
                text = meshtools.BUTTON_WORDS[tools.tool]
        else:
            cost = cost_suffix(lambda: request_factory.tool_request(tools.tool, "model.glb", tools))
            text = f"Run{cost}"
        op = layout.operator("aistudio.mesh_tool", text=text, icon="PLAY")
        op.tool = tools.tool


def _draw_address_tool_options(layout, tools) -> None:
    if tools.tool == "RETEXTURE":
        layout.prop(tools, "retexture_from", expand=True)
        if tools.retexture_from == "PROMPT":
            layout.prop(tools, "retexture_prompt", text="")
        else:
            layout.prop(tools.retexture_picture, "filepath", text="")
            layout.template_ID(tools.retexture_picture, "image", open="image.open")
        layout.prop(tools, "enable_pbr")
    elif tools.tool == "RETOPOLOGY":
        layout.prop(tools, "polygon_type")
        layout.prop(tools, "face_level")
    elif tools.tool == "BAKE":
        layout.label(text="Select the high-poly, then the low-poly (active)", icon="INFO")


class AISTUDIO_PT_jobs(SidebarChild, bpy.types.Panel):
    bl_idname = "AISTUDIO_PT_jobs"
    bl_label = "Jobs"

    def draw(self, context):
        layout = self.layout
        runtime = context.window_manager.aistudio
        active = len(session.active_jobs())
        row = layout.row()
        row.label(text=f"{active} running" if active else "No job running", icon="SORTTIME")
        row.operator("aistudio.clear_finished_jobs", text="Clear Finished")
        layout.template_list("AISTUDIO_UL_jobs", "", runtime, "jobs", runtime, "active_job", rows=4)
        row = layout.row(align=True)   # a task made on the website or another machine
        row.prop(runtime, "task_id", text="", icon="URL")
        row.operator("aistudio.import_task", text="Import Task")
        if 0 <= runtime.active_job < len(runtime.jobs):
            view = session.STATE.jobs.get(runtime.jobs[runtime.active_job].job_id)
            if view is not None:
                draw_job_details(layout, view, wrap_width(context))


def draw_status(self, context):
    """A line in the status bar while jobs run, or the latest message."""
    active = session.active_jobs()
    if active:
        mean = sum(chains.overall_progress(v) for v in active) // len(active)
        self.layout.label(text=f"AI Studio: {len(active)} job(s), {mean}%", icon="SORTTIME")
    elif session.STATE.messages:
        level, text, _when = session.STATE.messages[-1]
        self.layout.label(text=f"AI Studio: {text[:60]}", icon="ERROR" if level == "ERROR" else "INFO")


# Sub-panels show in registration order: the picture is prepared before the miniature is made.
classes = (AISTUDIO_PT_main, AISTUDIO_PT_generate, *advanced.GENERATE_CLASSES, AISTUDIO_PT_prepare,
           AISTUDIO_PT_miniature, *advanced.MINIATURE_CLASSES, AISTUDIO_PT_tools, AISTUDIO_PT_jobs)


def register():
    bpy.types.STATUSBAR_HT_header.append(draw_status)


def unregister():
    bpy.types.STATUSBAR_HT_header.remove(draw_status)
