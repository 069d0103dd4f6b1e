"""Write a PolyMesh in any output format the model tools offer that Blender reads back.

``encode(mesh, fmt)`` → (file name, bytes) for glb, obj, obj_zip, stl, ply,
fbx and fbx_zip. GLB, STL and PLY hold triangles (quads are split into two
triangles one after the other); OBJ and FBX keep polygons, so a quad
retopology survives in them. STL is written in the requested unit (mm by
default, what slicers assume); every other format in metres (FBX: in
centimetres with a 100× Model scale, as Blender writes it).
"""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np

from . import exporters
from .fbx_write import texture_file_names, write_fbx
from .glb import write_glb
from .polymesh import PolyMesh, unique_rows

WRITABLE = ("glb", "obj", "obj_zip", "stl", "ply", "fbx", "fbx_zip")
FILE_NAMES = {"glb": "model.glb", "obj": "model.obj", "obj_zip": "model.zip", "stl": "model.stl",
              "ply": "model.ply", "fbx": "model.fbx", "fbx_zip": "model_fbx.zip"}


def _material_names(mesh: PolyMesh) -> list[str]:
    names, seen = [], set()
    for index, mat in enumerate(mesh.materials):
        name = re.sub(r"\s+", "_", mat.name.strip()) or "material"
        if name in seen:
            name = f"{name}_{index}"
        seen.add(name)
        names.append(name)
    return names


def _lines(fmt: str, rows: np.ndarray) -> str:
    """One formatted line per row, in a single %-format call (np.savetxt loops in Python per row)."""
    if not len(rows):
        return ""
    return ((fmt + "\n") * len(rows)) % tuple(np.asarray(rows).reshape(-1).tolist())


def to_obj(mesh: PolyMesh, stem: str = "model") -> bytes:
    """OBJ with shared vertices and polygon faces, grouped by material (``mtllib stem.mtl``)."""
    out = [f"# ai-studio-bridge emulator\nmtllib {stem}.mtl\n", _lines("v %.6f %.6f %.6f", mesh.positions)]
    uv_index = None
    if mesh.corner_uvs is not None:
        unique, uv_index = unique_rows(mesh.corner_uvs)
        out.append(_lines("vt %.6f %.6f", unique * [1.0, -1.0] + [0.0, 1.0]))   # OBJ v runs up
    names = _material_names(mesh)
    for material in range(len(mesh.materials)):
        mine = mesh.face_materials == material
        if not mine.any():
            continue
        out.append(f"usemtl {names[material]}\n")
        for size in np.unique(mesh.face_sizes[mine]):
            faces = np.flatnonzero(mine & (mesh.face_sizes == size))
            corners = mesh.face_starts[faces][:, None] + np.arange(size)
            if uv_index is None:
                out.append(_lines("f" + " %d" * size, mesh.corner_verts[corners] + 1))
            else:
                pairs = np.stack([mesh.corner_verts[corners] + 1, uv_index[corners] + 1], axis=-1)
                out.append(_lines("f" + " %d/%d" * size, pairs.reshape(len(faces), -1)))
    return "".join(out).encode("utf-8")


def to_mtl(mesh: PolyMesh, stem: str = "model") -> bytes:
    files = texture_file_names(mesh, stem) if mesh.corner_uvs is not None else {}
    text = ""
    for index, (name, mat) in enumerate(zip(_material_names(mesh), mesh.materials)):
        r, g, b, alpha = (float(c) for c in mat.color)
        text += f"newmtl {name}\nKd {r:.4f} {g:.4f} {b:.4f}\nKa 0 0 0\nKs 0 0 0\nd {alpha:.4f}\nillum 1\n"
        if index in files:
            text += f"map_Kd {files[index]}\n"
    return text.encode("utf-8")


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buf.getvalue()


def _textures(mesh: PolyMesh, stem: str) -> dict[str, bytes]:
    if mesh.corner_uvs is None:
        return {}
    return {name: mesh.materials[i].texture_png for i, name in texture_file_names(mesh, stem).items()}


def encode(mesh: PolyMesh, fmt: str, unit: str = "mm", stem: str = "model") -> tuple[str, bytes]:
    """(file name, bytes) of ``mesh`` in ``fmt`` (one of WRITABLE)."""
    if fmt == "glb":
        return FILE_NAMES[fmt], write_glb(mesh.to_parts(), extras={"emulated": True})
    if fmt == "stl":
        return FILE_NAMES[fmt], exporters.to_stl(mesh.triangles, unit)
    if fmt == "ply":
        return FILE_NAMES[fmt], exporters.to_ply(mesh.triangles)
    if fmt == "obj":
        return FILE_NAMES[fmt], to_obj(mesh, stem)
    if fmt == "obj_zip":
        return FILE_NAMES[fmt], _zip({f"{stem}.obj": to_obj(mesh, stem), f"{stem}.mtl": to_mtl(mesh, stem),
                                      **_textures(mesh, stem)})
    if fmt == "fbx":
        return FILE_NAMES[fmt], write_fbx(mesh, stem)
    if fmt == "fbx_zip":
        return FILE_NAMES[fmt], _zip({f"{stem}.fbx": write_fbx(mesh, stem, embed_textures=False),
                                      **_textures(mesh, stem)})
    raise ValueError(f"output format {fmt!r} is not written by the emulator")
