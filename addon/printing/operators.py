"""Thin operators over the print functions: validate, hand to the helper Blender, report.

The mesh tools, the check and the exports run as local jobs in the helper
Blender (``dispatch.py``): the operator writes the object out and returns
within milliseconds, the job list shows progress and Cancel, and the result
is applied when it arrives; the four-view capture renders there too. Clay
preview stays here.
"""

from __future__ import annotations

from pathlib import Path

import bpy

from ...bridge.errors import BridgeError, PrintPrepError
from .. import preferences
from ..operators.submit import mesh_problem
from . import capture, check, clay, dispatch, scaling


def _settings(context):
    return context.scene.aistudio.printing


def _mm_to_units(context, mm: float) -> float:
    return mm / 1000.0 / check.unit_scale(context.scene)


class _MeshOperator(bpy.types.Operator):
    # No UNDO flag: nothing changes when the operator returns; the result
    # pushes its own undo step when it is applied.
    bl_options = {"REGISTER"}

    @classmethod
    def poll(cls, context):
        # Said like the other buttons: the tooltip, and a script's error, give the reason.
        problem = mesh_problem(context)
        if problem:
            cls.poll_message_set(problem)
            return False
        return True

    def execute(self, context):
        message = dispatch.started_or_reported(
            self, lambda: self.run(context, context.active_object, _settings(context)))
        if message is None:
            return {"CANCELLED"}
        self.report({"INFO"}, message)
        return {"FINISHED"}

    def run(self, context, ob, props) -> str:
        raise NotImplementedError


def _started(what: str, job_id: str, then: str) -> str:
    return f"{what} runs in the background (job {job_id}); {then}"


class AISTUDIO_OT_print_check(_MeshOperator):
    """Check the active mesh for printing: watertight, holes, parts, intersections, thin walls, overhangs"""
    bl_idname = "aistudio.print_check"
    bl_label = "Check for Printing"

    def run(self, context, ob, props):
        job_id = dispatch.run_check(context, ob, min_thickness_mm=props.min_thickness_mm,
                                      overhang_angle=props.overhang_angle)
        return _started("The print check", job_id, "the report appears in the panel.")



class AISTUDIO_OT_make_manifold(_MeshOperator):
    """Weld, remove duplicates, fill holes, fix normals and unite overlapping shells"""
    bl_idname = "aistudio.make_manifold"
    bl_label = "Make Manifold"

    def run(self, context, ob, props):
        job_id = dispatch.run_mesh_tool(context, ob, "make_manifold", {})
        return _started("Make manifold", job_id, "the repaired mesh replaces this one.")


class AISTUDIO_OT_hollow(_MeshOperator):
    """Hollow the model to the wall thickness, with optional drain holes"""
    bl_idname = "aistudio.hollow"
    bl_label = "Hollow"

    def run(self, context, ob, props):
        thickness = _mm_to_units(context, props.wall_thickness_mm)
        if thickness * 2 >= min(ob.dimensions):   # said now, not a second later from the helper
            raise PrintPrepError(f"Wall thickness {thickness:.4g} must be positive and under half "
                                 f"the model's smallest dimension ({min(ob.dimensions):.4g}).")
        params = {"thickness": thickness, "drain_holes": props.drain_holes,
                  "drain_diameter": _mm_to_units(context, props.drain_diameter_mm)}
        job_id = dispatch.run_mesh_tool(context, ob, "hollow", params)
        return _started("Hollowing", job_id, "the hollow mesh replaces this one.")


def _scale_name(props) -> str:
    return f"1:{props.ratio:g}" if props.scale == "ratio" else props.scale


def _export_path(value: str, default_name: str) -> Path:
    """The export path; one relative to an unsaved .blend goes to the add-on's user folder."""
    if value.startswith("//") and not bpy.data.filepath:
        return preferences.user_folder("print") / (Path(value[2:]).name or default_name)
    return Path(bpy.path.abspath(value))


class AISTUDIO_OT_scale_miniature(_MeshOperator):
    """Scale the model to the chosen miniature scale or printed height"""
    bl_idname = "aistudio.scale_miniature"
    bl_label = "Scale to Miniature"

    def run(self, context, ob, props):
        params = {"scale": _scale_name(props), "custom_height_mm": props.custom_height_mm,
                  "subject_height_cm": props.subject_height_cm}
        height = scaling.target_height_mm(params["scale"], params["custom_height_mm"],
                                          params["subject_height_cm"])   # a bad scale is said now
        job_id = dispatch.run_scale(context, ob, params)
        return _started("Measuring", job_id, f"the model is scaled to {height:.1f} mm when done.")


class AISTUDIO_OT_export_stl(_MeshOperator):
    """Export only the active object as an STL in millimetres"""
    bl_idname = "aistudio.export_stl"
    bl_label = "Export STL (mm)"

    def run(self, context, ob, props):
        dest = _export_path(props.stl_path, "print.stl")
        job_id = dispatch.run_export(context, ob, "export_stl", dest)
        return _started("The STL export", job_id, f"it is written to {dest}.")


class AISTUDIO_OT_decimate(_MeshOperator):
    """Decimate to the target face count, keeping UVs"""
    bl_idname = "aistudio.decimate"
    bl_label = "Decimate"

    def run(self, context, ob, props):
        job_id = dispatch.run_mesh_tool(context, ob, "decimate",
                                          {"target_faces": props.target_faces})
        return _started("Decimation", job_id, "the lighter mesh replaces this one.")


class AISTUDIO_OT_export_glb(_MeshOperator):
    """Export the active object as GLB, Draco-compressed when available"""
    bl_idname = "aistudio.export_glb"
    bl_label = "Export GLB"

    def run(self, context, ob, props):
        dest = _export_path(props.glb_path, "decimated.glb")
        job_id = dispatch.run_export(context, ob, "export_glb", dest, props.draco)
        return _started("The GLB export", job_id, f"it is written to {dest}.")


class AISTUDIO_OT_clay_toggle(_MeshOperator):
    """Show the model in neutral grey clay, or restore its own materials"""
    bl_idname = "aistudio.clay_toggle"
    bl_label = "Clay Preview"
    bl_options = {"REGISTER", "UNDO"}   # changes the materials right here

    def run(self, context, ob, props):
        return "Clay preview on." if clay.toggle_clay(ob) else "Original materials restored."


def _views_folder(props) -> Path:
    """The views folder; a path relative to an unsaved .blend goes to the add-on's user folder."""
    if props.views_folder.startswith("//") and not bpy.data.filepath:
        return preferences.user_folder("views")
    return Path(bpy.path.abspath(props.views_folder))


class AISTUDIO_OT_capture_views(bpy.types.Operator):
    """Render front, back, left and right (the subject's own sides) of the selection on grey into the multi-view slots"""
    bl_idname = "aistudio.capture_views"
    bl_label = "Capture 4 Views"

    @classmethod
    def poll(cls, context):
        if not context.selected_objects:
            cls.poll_message_set("Select the objects to capture first.")
            return False
        return True

    def execute(self, context):
        props = _settings(context)
        folder = _views_folder(props)
        try:
            # Rendered by the helper Blender on a written copy of the selection; the
            # pictures go into the multi-view slots when done, ready for "Reconstruct 3D".
            job_id = capture.capture(context, context.selected_objects, folder,
                                     props.views_resolution)
        except BridgeError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        except OSError as exc:
            self.report({"ERROR"}, f"The views could not be written: {exc.strerror or exc}. "
                                   "Choose another views folder.")
            return {"CANCELLED"}
        self.report({"INFO"}, _started("Capturing four views", job_id,
                                       f"they are written to {folder} and put into the "
                                       "multi-view slots."))
        return {"FINISHED"}


classes = (AISTUDIO_OT_print_check, AISTUDIO_OT_make_manifold, AISTUDIO_OT_hollow,
           AISTUDIO_OT_scale_miniature, AISTUDIO_OT_export_stl, AISTUDIO_OT_decimate,
           AISTUDIO_OT_export_glb, AISTUDIO_OT_clay_toggle, AISTUDIO_OT_capture_views)
