"""What this Blender can do, probed once, so callers pick a method and say which.

Blender 4.2 is the oldest version we support; 5.0 added the Manifold boolean
solver and the volume-grid nodes that make SDF hollowing possible. Probing the
RNA (not the version number) keeps us right on builds that backport features.
"""

from __future__ import annotations

import bpy


def boolean_solvers() -> tuple[str, ...]:
    prop = bpy.types.BooleanModifier.bl_rna.properties["solver"]
    return tuple(item.identifier for item in prop.enum_items)


def best_boolean_solver() -> str:
    """'MANIFOLD' (fast, robust on closed meshes) where it exists, else 'EXACT'."""
    return "MANIFOLD" if "MANIFOLD" in boolean_solvers() else "EXACT"


def has_sdf_nodes() -> bool:
    return all(hasattr(bpy.types, name)
               for name in ("GeometryNodeMeshToSDFGrid", "GeometryNodeGridToMesh"))


def draco_available() -> bool:
    """True when the glTF exporter ships its Draco encoder library."""
    try:
        from io_scene_gltf2.io.com import draco
    except ImportError:
        return False
    try:
        return bool(draco.dll_exists(quiet=True))
    except (OSError, AttributeError):
        return False


def stl_exporter() -> str:
    """'wm.stl_export' (C++ exporter, 4.1+) or the legacy Python add-on operator."""
    return "wm.stl_export" if hasattr(bpy.ops.wm, "stl_export") else "export_mesh.stl"
