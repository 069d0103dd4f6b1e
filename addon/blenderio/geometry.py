"""A mesh's geometry in a few bytes: is it still the mesh whose copy is on the service?

An object keeps the address of its copy on the service (``addon/meshaddress.py``)
with this fingerprint of the mesh as it was sent or imported: vertex
positions, which vertex each face corner uses, and the active UV map (a bake
onto a low-poly uses its UVs, so an unwrap counts as a change). Read through
the attribute arrays, it costs some 15 ms for a 500k-triangle mesh.

Used in the helper Blender (right after an import) and on the main thread;
both get the same bytes from the same mesh, so a fingerprint taken in the
helper matches the appended object's.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

#: Formats whose importer in Blender gives the object the file's own coordinates
#: (glTF converts its axes in the data; the service's FBX lands with an identity
#: transform). OBJ, STL and PLY land rotated or in other units: no address for those.
SAME_FRAME_FORMATS = (".glb", ".gltf", ".fbx")
#: The custom property the importer leaves on a fresh import for the main thread.
IMPORT_STAMP = "aistudio_geometry_at_import"


def _read(mesh, name: str, data_type: str, key: str, out: np.ndarray) -> bool:
    """The attribute's bulk path (several times faster than ``vertices``/``loops``)."""
    attribute = mesh.attributes.get(name)
    if attribute is None or attribute.data_type != data_type:
        return False
    attribute.data.foreach_get(key, out)
    return True


def fingerprint(ob) -> str:
    """``"<vertices>/<faces>/<corners>/<crc>"`` of a mesh object ('' for anything else)."""
    if ob is None or getattr(ob, "type", "") != "MESH":
        return ""
    mesh = ob.data
    vertices, faces, corners = len(mesh.vertices), len(mesh.polygons), len(mesh.loops)
    positions = np.empty(vertices * 3, np.float32)
    if not _read(mesh, "position", "FLOAT_VECTOR", "vector", positions):
        mesh.vertices.foreach_get("co", positions)
    corner_verts = np.empty(corners, np.int32)
    if not _read(mesh, ".corner_vert", "INT", "value", corner_verts):
        mesh.loops.foreach_get("vertex_index", corner_verts)
    crc = zlib.crc32(corner_verts, zlib.crc32(positions))
    uv_map = mesh.uv_layers.active
    if uv_map is not None:
        uvs = np.empty(corners * 2, np.float32)
        if not _read(mesh, uv_map.name, "FLOAT2", "vector", uvs):
            uv_map.data.foreach_get("uv", uvs)
        crc = zlib.crc32(uvs, crc)
    return f"{vertices}/{faces}/{corners}/{crc:08x}"


def _identity(matrix, tolerance: float = 1e-6) -> bool:
    return all(abs(matrix[r][c] - (1.0 if r == c else 0.0)) <= tolerance
               for r in range(4) for c in range(4))


def stamp_import(top, path) -> None:
    """Right after an import: note the mesh's fingerprint if it is the file's own geometry.

    Only a single mesh object whose importer left it untransformed qualifies:
    its mesh is then exactly the file the service holds, so the file's
    address can stand for it (the main thread turns the stamp into an address).
    """
    if getattr(top, "type", "") != "MESH" or Path(str(path)).suffix.lower() not in SAME_FRAME_FORMATS:
        return
    if top.parent is not None or not _identity(top.matrix_basis):
        return
    top[IMPORT_STAMP] = fingerprint(top)
