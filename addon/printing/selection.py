"""Show the faces a print check found: thin walls or overhangs, selected in Edit Mode.

The faces are found on the object's own mesh (modifiers not applied), so the
selection lands on the faces the artist can edit.
"""

from __future__ import annotations

import bpy
import numpy as np
from bpy.props import EnumProperty

from ...bridge.errors import BridgeError
from .check import check_object

KINDS = (("THIN", "Thin Walls", "Faces with less material behind them than the minimum wall"),
         ("OVERHANG", "Overhangs", "Faces facing down more steeply than the overhang angle"))


def select_faces(ob: bpy.types.Object, faces: np.ndarray) -> None:
    """Make *faces* the whole selection of *ob*'s mesh (Object Mode), with their edges and vertices."""
    mesh = ob.data
    chosen = np.zeros(len(mesh.polygons), bool)
    chosen[np.asarray(faces, np.int64)] = True
    total = np.empty(len(mesh.polygons), np.int32)
    mesh.polygons.foreach_get("loop_total", total)
    corner_chosen = np.repeat(chosen, total)
    corners = np.empty(len(mesh.loops), np.int32)
    edges = np.empty(len(mesh.loops), np.int32)
    mesh.loops.foreach_get("vertex_index", corners)
    mesh.loops.foreach_get("edge_index", edges)
    verts = np.zeros(len(mesh.vertices), bool)
    verts[corners[corner_chosen]] = True
    edge_sel = np.zeros(len(mesh.edges), bool)
    edge_sel[edges[corner_chosen]] = True
    mesh.vertices.foreach_set("select", verts)
    mesh.edges.foreach_set("select", edge_sel)
    mesh.polygons.foreach_set("select", chosen)
    mesh.update()


class AISTUDIO_OT_print_select_faces(bpy.types.Operator):
    """Select the faces the print check reports (thin walls or overhangs) in Edit Mode"""
    bl_idname = "aistudio.print_select_faces"
    bl_label = "Select Problem Faces"
    bl_options = {"REGISTER", "UNDO"}

    kind: EnumProperty(name="Select", items=KINDS, default="THIN")

    @classmethod
    def poll(cls, context):
        ob = context.active_object
        if ob is None or ob.type != "MESH":
            cls.poll_message_set("Make a mesh object active")
            return False
        if context.mode not in ("OBJECT", "EDIT_MESH"):
            cls.poll_message_set("Switch to Object or Edit Mode")
            return False
        return True

    def execute(self, context):
        ob = context.active_object
        props = context.scene.aistudio.printing
        if ob.mode == "EDIT":
            bpy.ops.object.mode_set(mode="OBJECT")     # writes the edit mesh back
        thin = self.kind == "THIN"
        if thin and props.min_thickness_mm <= 0:
            self.report({"WARNING"}, "Set a minimum wall above 0 mm to find thin walls.")
            return {"CANCELLED"}
        try:
            report = check_object(ob, context.scene, evaluated=False,
                                  min_thickness_mm=props.min_thickness_mm if thin else 0.0,
                                  overhang_angle=props.overhang_angle)
        except BridgeError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        faces = report.thin_faces if thin else report.overhang_faces
        line = report.thickness_line() if thin else report.overhang_line()
        select_faces(ob, faces)
        context.tool_settings.mesh_select_mode = (False, False, True)
        bpy.ops.object.mode_set(mode="EDIT")
        self.report({"INFO"}, f"{line} (selected)" if len(faces) else line)
        return {"FINISHED"}


classes = (AISTUDIO_OT_print_select_faces,)
