"""Read a Wavefront OBJ (with its MTL and PNG textures when they come in the same zip).

OBJ has no units or axes of its own; like Blender's and the service's
exporters we read it as metres with +Y up, which is glTF's frame. Faces keep
their polygons (quads stay quads); ``v/vt/vn`` corners with negative
(relative) indices, ``usemtl`` groups, ``Kd``, ``d`` and ``map_Kd`` are read.
"""

from __future__ import annotations

import numpy as np

from ..errors import BridgeError
from .mesh import Material
from .polymesh import PolyMesh


class ObjError(BridgeError):
    """The OBJ text could not be read."""


def _materials(mtl_text: str, files: dict[str, bytes]) -> dict[str, Material]:
    found: dict[str, Material] = {}
    current = None
    for line in mtl_text.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "newmtl" and len(words) > 1:
            current = found.setdefault(" ".join(words[1:]), Material(" ".join(words[1:])))
        elif current is None:
            continue
        elif words[0] == "Kd" and len(words) >= 4:
            current.color = (*(float(w) for w in words[1:4]), current.color[3])
        elif words[0] == "d" and len(words) > 1:
            current.color = (*current.color[:3], float(words[1]))
        elif words[0] == "map_Kd" and len(words) > 1:
            name = words[-1].replace("\\", "/").rsplit("/", 1)[-1]
            data = files.get(name)
            if data and data.startswith(b"\x89PNG"):
                current.texture_png = data
    return found


def _index(token: str, count: int) -> int:
    value = int(token)
    return value - 1 if value > 0 else count + value


def read_obj(text: str, files: dict[str, bytes] | None = None) -> PolyMesh:
    """One PolyMesh of every face; ``files`` maps names to the MTL/PNG files shipped beside it."""
    files = files or {}
    positions: list[list[float]] = []
    tex: list[list[float]] = []
    corner_v: list[int] = []
    corner_t: list[int] = []
    sizes: list[int] = []
    face_mat: list[int] = []
    library: dict[str, Material] = {}
    used: dict[str, int] = {}
    material = 0
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words:
            continue
        try:
            if words[0] == "v":
                positions.append([float(w) for w in words[1:4]])
            elif words[0] == "vt":
                tex.append([float(words[1]), float(words[2]) if len(words) > 2 else 0.0])
            elif words[0] == "f" and len(words) >= 4:
                for corner in words[1:]:
                    parts = corner.split("/")
                    corner_v.append(_index(parts[0], len(positions)))
                    corner_t.append(_index(parts[1], len(tex)) if len(parts) > 1 and parts[1] else -1)
                sizes.append(len(words) - 1)
                face_mat.append(material)
            elif words[0] == "mtllib":
                for name in words[1:]:
                    data = files.get(name.replace("\\", "/").rsplit("/", 1)[-1])
                    if data:
                        library.update(_materials(data.decode("utf-8", "replace"), files))
            elif words[0] == "usemtl" and len(words) > 1:
                material = used.setdefault(" ".join(words[1:]), len(used))
        except (ValueError, IndexError):
            raise ObjError(f"OBJ line {number} is not valid: {line.strip()[:60]!r}") from None
    if not sizes:
        raise ObjError("The OBJ file holds no faces.")
    corners = np.asarray(corner_v, dtype=np.int64)
    if corners.min() < 0 or corners.max() >= len(positions):
        raise ObjError("An OBJ face refers to a vertex that does not exist.")
    texcoords = np.asarray(corner_t, dtype=np.int64)
    uvs = None
    if tex and (texcoords >= 0).all():
        uvs = np.asarray(tex, dtype=np.float64)[texcoords] * [1.0, -1.0] + [0.0, 1.0]   # OBJ v runs up
    names = list(used) or ["material"]
    materials = [library.get(name, Material(name)) for name in names]
    return PolyMesh(np.asarray(positions, dtype=np.float64), np.asarray(sizes, dtype=np.int64), corners,
                    uvs, np.asarray(face_mat, dtype=np.int64), materials)
