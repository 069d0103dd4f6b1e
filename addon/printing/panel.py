"""The "Print" panel in the AI Studio sidebar tab: one box per step."""

from __future__ import annotations

import bpy

from ...bridge.errors import BridgeError
from ..sidebar import Sidebar
from . import clay, compat, costs
from .scaling import target_height_mm

# Report lines whose faces can be selected in Edit Mode, and how.
_SELECTABLE = {"Thin walls": "THIN", "Overhangs": "OVERHANG"}


def _step_header(layout, props, step: str, where_prop: str | None):
    box = layout.box()
    row = box.row()
    row.label(text=costs.STEPS[step][0])
    if where_prop:
        row.prop(props, where_prop, expand=True)
    box.label(text=costs.cost_line(step))
    return box


def _printed_height(props) -> str:
    scale = f"1:{props.ratio:g}" if props.scale == "ratio" else props.scale
    try:
        return f"→ {target_height_mm(scale, None, props.subject_height_cm):.1f} mm"
    except BridgeError:
        return ""


class AISTUDIO_PT_print(Sidebar, bpy.types.Panel):
    bl_label = "Print Preparation"
    bl_idname = "AISTUDIO_PT_print"
    bl_order = 100   # below the generation panels
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context):
        layout = self.layout
        props = context.scene.aistudio.printing
        ob = context.active_object
        if ob is None or ob.type != "MESH":
            layout.label(text="Select a mesh object.", icon="INFO")

        box = _step_header(layout, props, "check", "where_check")
        row = box.row()
        row.prop(props, "min_thickness_mm")
        row.prop(props, "overhang_angle")
        self._run(box, props.where_check, "aistudio.print_check", "check")
        for line in props.last_report.splitlines():
            kind = _SELECTABLE.get(line.split(":", 1)[0])
            if kind and "none" not in line:
                row = box.row()
                row.alert = True
                row.label(text=line)
                row.operator("aistudio.print_select_faces", text="Select",
                             icon="RESTRICT_SELECT_OFF").kind = kind
            else:
                box.label(text=line)
        box.prop(props, "material")
        row = box.row()
        if props.material == "RESIN":
            row.prop(props, "resin_density")
            row.prop(props, "resin_price")
        else:
            row.prop(props, "pla_density")
            row.prop(props, "pla_price")
            box.prop(props, "infill")

        box = _step_header(layout, props, "repair", "where_repair")
        self._run(box, props.where_repair, "aistudio.make_manifold", "repair")
        solver = compat.best_boolean_solver()
        box.label(text=f"Boolean solver: {solver}" + ("" if solver == "MANIFOLD" else " (fallback)"))

        box = _step_header(layout, props, "hollow", "where_hollow")
        box.prop(props, "wall_thickness_mm")
        row = box.row()
        row.prop(props, "drain_holes")
        row.prop(props, "drain_diameter_mm")
        self._run(box, props.where_hollow, "aistudio.hollow", "hollow")
        box.label(text="Method: SDF" if compat.has_sdf_nodes() else "Method: offset shell (fallback)")

        box = _step_header(layout, props, "scale", None)
        box.prop(props, "scale")
        if props.scale == "ratio":
            box.prop(props, "ratio")
        if props.scale == "custom":
            box.prop(props, "custom_height_mm")
        else:
            # The ratio applies to the real subject: say which size it assumes.
            row = box.row()
            row.prop(props, "subject_height_cm")
            row.label(text=_printed_height(props))
        box.operator("aistudio.scale_miniature")
        box.prop(props, "stl_path")
        box.operator("aistudio.export_stl")

        box = _step_header(layout, props, "decimate", "where_decimate")
        box.prop(props, "target_faces")
        self._run(box, props.where_decimate, "aistudio.decimate", "decimate")
        row = box.row()
        row.prop(props, "glb_path")
        row.prop(props, "draco")
        if props.draco and not compat.draco_available():
            box.label(text="Draco unavailable: GLB will be uncompressed", icon="ERROR")
        box.operator("aistudio.export_glb")

        box = _step_header(layout, props, "views", None)
        box.prop(props, "views_folder")
        box.prop(props, "views_resolution")
        box.label(text="Left/Right: the subject's own sides (it faces -Y)", icon="INFO")
        box.operator("aistudio.capture_views")

        box = _step_header(layout, props, "clay", None)
        on = ob is not None and clay.is_clay(ob)
        box.operator("aistudio.clay_toggle", text="Restore Materials" if on else "Clay Preview",
                     depress=on)

    @staticmethod
    def _run(box, where: str, local_op: str, step: str):
        if where == "LOCAL":
            box.operator(local_op)
        else:
            box.operator("aistudio.print_cloud", text="Run in Cloud").step = step


classes = (AISTUDIO_PT_print,)
