"""Blender's exporters on one object, for the model tools' uploads.

The helper Blender runs this on a written copy of the user's object; the
main thread runs it only as the fallback when the helper is unavailable.
Selection is restored either way.
"""

from __future__ import annotations

import os
from pathlib import Path

import bpy

from ...bridge.errors import ValidationError
from ..printing import scaling

FORMATS = ("GLB", "STL", "STL_MM", "FBX")


def export_object(context, obj: bpy.types.Object, out: str | Path, fmt: str = "GLB") -> Path:
    """Only *obj* written to *out* as GLB (default), STL, STL_MM (numbers in millimetres,
    for printing: the print tools' own exporter) or FBX."""
    out = Path(out)
    selected = list(context.selected_objects)
    active = context.view_layer.objects.active
    try:
        for other in selected:
            other.select_set(False)
        obj.select_set(True)
        context.view_layer.objects.active = obj
        if fmt == "GLB":
            result = bpy.ops.export_scene.gltf(filepath=str(out), export_format="GLB",
                                               use_selection=True)
        elif fmt == "STL_MM":
            scaling.export_stl_mm(obj, out, context.scene)
            result = {"FINISHED"}
        elif fmt == "STL":
            result = bpy.ops.wm.stl_export(filepath=str(out), export_selected_objects=True)
        elif fmt == "FBX":
            result = bpy.ops.export_scene.fbx(filepath=str(out), use_selection=True)
        else:
            raise ValidationError(f"Unknown export format {fmt!r}; use one of {', '.join(FORMATS)}.")
    finally:
        obj.select_set(False)
        for other in selected:
            if other.name in context.view_layer.objects:
                other.select_set(True)
        context.view_layer.objects.active = active
    if "FINISHED" not in result or not out.is_file() or os.path.getsize(out) == 0:
        raise ValidationError(f"{obj.name} could not be exported to {fmt}.")
    return out
