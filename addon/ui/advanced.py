"""The "Advanced" sub-panels: every documented option of the chosen model, closed by default.

One sub-panel per model family under Generate (only the chosen model's shows,
each keeps its own open/closed state), and one under Miniature. The fields
carry the contract's bounds themselves (``properties.py``), so a value the
service would refuse cannot be typed in.
"""

import bpy

from ..sidebar import SidebarChild


class _Advanced(SidebarChild):
    bl_parent_id = "AISTUDIO_PT_generate"
    bl_label = "Advanced"
    bl_options = {"DEFAULT_CLOSED"}
    MODELS: tuple = ()

    @classmethod
    def poll(cls, context):
        return context.scene.aistudio.model in cls.MODELS


class AISTUDIO_PT_advanced_tripo(_Advanced, bpy.types.Panel):
    bl_idname = "AISTUDIO_PT_advanced_tripo"
    MODELS = ("TRIPO", "TRIPO_P1")

    def draw(self, context):
        draw_tripo(self.layout, context.scene.aistudio.model == "TRIPO_P1",
                   context.scene.aistudio.options)


def draw_tripo(layout, p1: bool, opts) -> None:
    col = layout.column()
    col.prop(opts, "tripo_negative_prompt", text="Avoid")
    col.prop(opts, "tripo_texture_quality")
    if not p1:
        col.prop(opts, "tripo_geometry_quality")
        row = col.row(align=True)
        row.prop(opts, "tripo_quad", toggle=True)
        row.prop(opts, "tripo_smart_low_poly", toggle=True)
        parts = col.column()
        parts.prop(opts, "tripo_generate_parts")
        if opts.tripo_generate_parts and (opts.tripo_texture or opts.tripo_pbr):
            parts.alert = True
            parts.label(text="Parts need Texture and PBR off", icon="ERROR")
    col.prop(opts, "tripo_use_seeds")
    seeds = col.column(align=True)
    seeds.active = opts.tripo_use_seeds
    seeds.prop(opts, "tripo_texture_seed")
    if p1:
        seeds.prop(opts, "tripo_model_seed")
        seeds.prop(opts, "tripo_image_seed")
    if not p1:
        box = col.box()
        box.label(text="From pictures", icon="IMAGE_DATA")
        box.prop(opts, "tripo_texture_alignment")
        box.prop(opts, "tripo_orientation")
        box.prop(opts, "tripo_image_autofix")


class AISTUDIO_PT_advanced_tencent(_Advanced, bpy.types.Panel):
    bl_idname = "AISTUDIO_PT_advanced_tencent"
    MODELS = ("TENCENT_PRO",)

    def draw(self, context):
        opts = context.scene.aistudio.options
        col = self.layout.column()
        row = col.row()
        row.active = opts.generate_type == "LowPoly"
        row.prop(opts, "polygon_type")
        if opts.generate_type != "LowPoly":
            col.label(text="Polygons apply to type LowPoly", icon="INFO")
        if opts.tencent_version == "3.1":
            col.label(text="3.1 multi-view takes eight views", icon="INFO")


class AISTUDIO_PT_advanced_trellis(_Advanced, bpy.types.Panel):
    bl_idname = "AISTUDIO_PT_advanced_trellis"
    MODELS = ("TRELLIS2",)

    def draw(self, context):
        opts = context.scene.aistudio.options
        col = self.layout.column()
        col.prop(opts, "trellis_steps")
        row = col.row()
        row.active = opts.trellis_textures
        row.prop(opts, "trellis_texture_size")
        col.prop(opts, "trellis_decimation_target")
        row = col.row(align=True)
        row.prop(opts, "trellis_use_seed", text="")
        sub = row.row()
        sub.active = opts.trellis_use_seed
        sub.prop(opts, "trellis_seed")


class AISTUDIO_PT_miniature_advanced(SidebarChild, bpy.types.Panel):
    bl_idname = "AISTUDIO_PT_miniature_advanced"
    bl_parent_id = "AISTUDIO_PT_miniature"
    bl_label = "Advanced"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        mini = context.scene.aistudio.miniature
        row = self.layout.row(align=True)
        row.prop(mini, "use_face_count", text="")
        sub = row.row()
        sub.active = mini.use_face_count
        sub.prop(mini, "face_count")


GENERATE_CLASSES = (AISTUDIO_PT_advanced_tencent, AISTUDIO_PT_advanced_trellis,
                    AISTUDIO_PT_advanced_tripo)
MINIATURE_CLASSES = (AISTUDIO_PT_miniature_advanced,)
