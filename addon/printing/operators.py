"""Thin operators over the print functions: validate, call, report."""

from __future__ import annotations

from pathlib import Path

import bpy

from ...bridge.errors import BridgeError
from .. import preferences
from . import check, clay, decimate, hollow, manifold, material, multiview, scaling


def _settings(context):
    return context.scene.aistudio.printing


def _mm_to_units(context, mm: float) -> float:
    return mm / 1000.0 / check.unit_scale(context.scene)


class _MeshOperator(bpy.types.Operator):
    bl_options = {"REGISTER", "UNDO"}

    @classmethod
    def poll(cls, context):
        ob = context.active_object
        return ob is not None and ob.type == "MESH" and context.mode == "OBJECT"

    def execute(self, context):
        try:
            message = self.run(context, context.active_object, _settings(context))
        except BridgeError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        self.report({"INFO"}, message)
        return {"FINISHED"}

    def run(self, context, ob, props) -> str:
        raise NotImplementedError


class AISTUDIO_OT_print_check(_MeshOperator):
    """Check the active mesh for printing: watertight, holes, parts, intersections, thin walls, overhangs"""
    bl_idname = "aistudio.print_check"
    bl_label = "Check for Printing"
    bl_options = {"REGISTER"}

    def run(self, context, ob, props):
        report = check.check_object(ob, context.scene, min_thickness_mm=props.min_thickness_mm,
                                    overhang_angle=props.overhang_angle)
        est = _estimate(props, report.volume_ml)
        props.last_report = "\n".join(report.lines() + [est.summary()])
        return "; ".join(report.lines()[:2])


def _estimate(props, volume_ml: float) -> material.MaterialEstimate:
    if props.material == "RESIN":
        return material.estimate_resin(volume_ml, props.resin_density, props.resin_price)
    return material.estimate_filament(volume_ml, props.pla_density, props.infill, props.pla_price)


class AISTUDIO_OT_make_manifold(_MeshOperator):
    """Weld, remove duplicates, fill holes, fix normals and unite overlapping shells"""
    bl_idname = "aistudio.make_manifold"
    bl_label = "Make Manifold"

    def run(self, context, ob, props):
        return manifold.make_manifold(ob).summary()


class AISTUDIO_OT_hollow(_MeshOperator):
    """Hollow the model to the wall thickness, with optional drain holes"""
    bl_idname = "aistudio.hollow"
    bl_label = "Hollow"

    def run(self, context, ob, props):
        result = hollow.hollow(ob, _mm_to_units(context, props.wall_thickness_mm),
                               drain_holes=props.drain_holes,
                               drain_diameter=_mm_to_units(context, props.drain_diameter_mm))
        if result.warning:
            self.report({"WARNING"}, result.warning)
        return result.summary()


def _scale_name(props) -> str:
    return f"1:{props.ratio:g}" if props.scale == "ratio" else props.scale


class AISTUDIO_OT_scale_miniature(_MeshOperator):
    """Scale the model to the chosen miniature scale or printed height"""
    bl_idname = "aistudio.scale_miniature"
    bl_label = "Scale to Miniature"

    def run(self, context, ob, props):
        return scaling.scale_to_miniature(ob, _scale_name(props), props.custom_height_mm,
                                          props.subject_height_cm).summary()


class AISTUDIO_OT_export_stl(_MeshOperator):
    """Export only the active object as an STL in millimetres"""
    bl_idname = "aistudio.export_stl"
    bl_label = "Export STL (mm)"
    bl_options = {"REGISTER"}

    def run(self, context, ob, props):
        path = scaling.export_stl_mm(ob, bpy.path.abspath(props.stl_path), context.scene)
        return f"STL written in mm: {path}"


class AISTUDIO_OT_decimate(_MeshOperator):
    """Decimate to the target face count, keeping UVs"""
    bl_idname = "aistudio.decimate"
    bl_label = "Decimate"

    def run(self, context, ob, props):
        result = decimate.decimate_to(ob, props.target_faces)
        if not result.uv_layers_kept:
            self.report({"WARNING"}, "The UV layers did not survive decimation.")
        return result.summary()


class AISTUDIO_OT_export_glb(_MeshOperator):
    """Export the active object as GLB, Draco-compressed when available"""
    bl_idname = "aistudio.export_glb"
    bl_label = "Export GLB"
    bl_options = {"REGISTER"}

    def run(self, context, ob, props):
        result = decimate.export_glb(ob, bpy.path.abspath(props.glb_path), props.draco)
        if props.draco and not result.draco:
            self.report({"WARNING"}, result.message)
        return f"{result.message} {result.path}"


class AISTUDIO_OT_clay_toggle(_MeshOperator):
    """Show the model in neutral grey clay, or restore its own materials"""
    bl_idname = "aistudio.clay_toggle"
    bl_label = "Clay Preview"

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
        return bool(context.selected_objects)

    def execute(self, context):
        props = _settings(context)
        try:
            paths = multiview.capture_views(context.selected_objects, _views_folder(props),
                                            props.views_resolution, scene=context.scene)
        except BridgeError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        except OSError as exc:
            self.report({"ERROR"}, f"The views could not be written: {exc.strerror or exc}. "
                                   "Choose another views folder.")
            return {"CANCELLED"}
        # Straight into the multi-view slots, so "Reconstruct 3D" can send them next.
        from .. import slots  # here: slots needs the settings that import this package
        for view, path in paths.items():
            slots.fill(context.scene, view.upper(), slots.load_image(path))
        self.report({"INFO"}, f"Four views written to {Path(paths['front']).parent} and put into "
                              "the multi-view slots.")
        return {"FINISHED"}


classes = (AISTUDIO_OT_print_check, AISTUDIO_OT_make_manifold, AISTUDIO_OT_hollow,
           AISTUDIO_OT_scale_miniature, AISTUDIO_OT_export_stl, AISTUDIO_OT_decimate,
           AISTUDIO_OT_export_glb, AISTUDIO_OT_clay_toggle, AISTUDIO_OT_capture_views)
