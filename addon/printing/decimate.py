"""Reduce a model to a face budget (keeping UVs) and export a compact GLB."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import bpy

from ...bridge.errors import PrintPrepError
from .compat import draco_available


@dataclasses.dataclass
class DecimateReport:
    faces_before: int
    faces_after: int
    uv_layers_kept: bool

    def summary(self) -> str:
        uv = "UVs kept" if self.uv_layers_kept else "UVs LOST"
        return f"Decimated {self.faces_before:,} → {self.faces_after:,} triangles, {uv}."


def triangle_count(mesh: bpy.types.Mesh) -> int:
    # The Decimate ratio counts triangles, so quads and n-gons count as such.
    return sum(len(p.vertices) - 2 for p in mesh.polygons)


def decimate_to(ob: bpy.types.Object, target_faces: int, triangulate: bool = True) -> DecimateReport:
    """Collapse-decimate *ob* in place to about *target_faces* triangles."""
    if ob is None or ob.type != "MESH":
        raise PrintPrepError("Decimation needs a mesh object.")
    before = triangle_count(ob.data)
    if target_faces <= 0:
        raise PrintPrepError("The target face count must be positive.")
    uv_names = [uv.name for uv in ob.data.uv_layers]
    if target_faces >= before:
        return DecimateReport(before, before, True)
    mod = ob.modifiers.new("AISTUDIO_decimate", "DECIMATE")
    mod.decimate_type = "COLLAPSE"
    mod.ratio = target_faces / before
    mod.use_collapse_triangulate = triangulate
    try:
        depsgraph = bpy.context.evaluated_depsgraph_get()
        depsgraph.update()
        result = bpy.data.meshes.new_from_object(ob.evaluated_get(depsgraph), depsgraph=depsgraph)
    finally:
        ob.modifiers.remove(mod)
    old = ob.data
    ob.data = result
    if old.users == 0:
        bpy.data.meshes.remove(old)
    kept = uv_names == [uv.name for uv in result.uv_layers]
    return DecimateReport(before, triangle_count(result), kept)


@dataclasses.dataclass
class GlbExport:
    path: Path
    draco: bool
    message: str


def export_glb(ob: bpy.types.Object, path: str | Path, draco: bool = True) -> GlbExport:
    """Export only *ob* as GLB, Draco-compressed when the encoder is present."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    use_draco = draco and draco_available()
    if draco and not use_draco:
        message = "Draco encoder not available in this Blender; exported uncompressed."
    else:
        message = "Draco-compressed GLB written." if use_draco else "GLB written."
    # The view layer can list a just-removed object as None until it syncs.
    selection = [o for o in bpy.context.view_layer.objects if o is not None and o.select_get()]
    for o in selection:
        o.select_set(False)
    ob.select_set(True)
    try:
        result = bpy.ops.export_scene.gltf(filepath=str(path), export_format="GLB",
                                           use_selection=True,
                                           export_draco_mesh_compression_enable=use_draco)
    finally:
        ob.select_set(False)
        for o in selection:
            o.select_set(True)
    if "FINISHED" not in result or not path.is_file():
        raise PrintPrepError(f"GLB export failed: {path}")
    return GlbExport(path, use_draco, message)
