"""Scale a model to a miniature scale and export it as an STL in millimetres.

Scale names and ratios come from the bridge (the same table the cloud
miniature flow uses), so "h0" means the same thing locally and in the cloud.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import bpy

from ...bridge.api import miniature
from ...bridge.errors import PrintPrepError, ValidationError
from .check import unit_scale


@dataclasses.dataclass
class ScaleReport:
    target_height_mm: float
    factor: float

    def summary(self) -> str:
        return f"Scaled ×{self.factor:.4g} to {self.target_height_mm:.1f} mm tall."


def target_height_mm(scale: str, custom_height_mm: float | None = None,
                     subject_height_cm: float | None = None) -> float:
    """Printed height for a named scale, ``1:N``, or ``custom`` (*custom_height_mm*).

    A ratio applies to the real subject: *subject_height_cm* if given, else
    the bridge's reference human height.
    """
    if scale == "custom":
        if not custom_height_mm or custom_height_mm <= 0:
            raise PrintPrepError("A custom scale needs a positive height in mm.")
        return float(custom_height_mm)
    try:
        ratio = miniature.scale_ratio(scale)
    except ValidationError as exc:
        raise PrintPrepError(str(exc)) from None
    if ratio is None:
        raise PrintPrepError("Choose a scale (z, n, tt, h0, o, g, 1:N) or a custom height.")
    reference = subject_height_cm or miniature.REFERENCE_HEIGHT_CM
    return reference * 10.0 / ratio


def world_height(ob: bpy.types.Object) -> float:
    zs = [(ob.matrix_world @ v.co).z for v in ob.data.vertices]
    return (max(zs) - min(zs)) if zs else 0.0


def scale_to_height(ob: bpy.types.Object, height_mm: float,
                    scene: bpy.types.Scene | None = None) -> ScaleReport:
    """Scale *ob* uniformly (object scale) so it stands *height_mm* tall."""
    current_mm = world_height(ob) * unit_scale(scene) * 1000.0
    if current_mm <= 0:
        raise PrintPrepError("The model has no height to scale.")
    factor = height_mm / current_mm
    ob.scale = ob.scale * factor
    bpy.context.view_layer.update()
    return ScaleReport(height_mm, factor)


def scale_to_miniature(ob: bpy.types.Object, scale: str, custom_height_mm: float | None = None,
                       subject_height_cm: float | None = None) -> ScaleReport:
    return scale_to_height(ob, target_height_mm(scale, custom_height_mm, subject_height_cm))


def export_stl_mm(ob: bpy.types.Object, path: str | Path,
                  scene: bpy.types.Scene | None = None) -> Path:
    """Write only *ob* as binary STL whose numbers are millimetres."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The file's numbers are BU × global_scale; 1 BU = scale_length m = 1000·scale_length mm.
    mm_per_unit = unit_scale(scene) * 1000.0
    # The view layer can list a just-removed object as None until it syncs.
    selection = [o for o in bpy.context.view_layer.objects if o is not None and o.select_get()]
    active = bpy.context.view_layer.objects.active
    for o in selection:
        o.select_set(False)
    ob.select_set(True)
    bpy.context.view_layer.objects.active = ob
    try:
        if hasattr(bpy.ops.wm, "stl_export"):
            result = bpy.ops.wm.stl_export(filepath=str(path), export_selected_objects=True,
                                           global_scale=mm_per_unit, use_scene_unit=False,
                                           ascii_format=False, apply_modifiers=True)
        else:   # Blender before 4.1: the legacy Python exporter
            result = bpy.ops.export_mesh.stl(filepath=str(path), use_selection=True,
                                             global_scale=mm_per_unit, use_scene_unit=False)
    finally:
        ob.select_set(False)
        for o in selection:
            o.select_set(True)
        bpy.context.view_layer.objects.active = active
    if "FINISHED" not in result or not path.is_file():
        raise PrintPrepError(f"STL export failed: {path}")
    return path
