"""Mesh file formats the convert tool and the miniature archive produce.

All take world-space triangles in metres (glTF's unit); STL is written in
the requested unit (millimetres by default, what slicers assume).
"""

from __future__ import annotations

import io
import struct
import zipfile

import numpy as np

from .mesh import face_normals, signed_volume

UNIT_PER_METRE = {"mm": 1000.0, "cm": 100.0, "m": 1.0, "in": 1000.0 / 25.4}


def to_stl(tris: np.ndarray, unit: str = "mm") -> bytes:
    """Binary STL in ``unit``."""
    t = np.asarray(tris, dtype=np.float64) * UNIT_PER_METRE[unit]
    record = np.zeros(len(t), dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("attr", "<u2")])
    record["n"] = face_normals(t)
    record["v"] = t
    header = f"ai-studio-bridge emulator, unit={unit}".encode("ascii").ljust(80, b" ")
    return header + struct.pack("<I", len(t)) + record.tobytes()


def to_obj(tris: np.ndarray, uvs: np.ndarray | None, mtl_name: str = "model.mtl",
           material: str = "material") -> bytes:
    """Wavefront OBJ (flat normals, one vertex per corner, which every importer takes)."""
    t = np.asarray(tris, dtype=np.float64)
    n = face_normals(t)
    out = io.StringIO()
    out.write(f"# ai-studio-bridge emulator\nmtllib {mtl_name}\nusemtl {material}\n")
    np.savetxt(out, t.reshape(-1, 3), fmt="v %.6f %.6f %.6f")
    if uvs is not None:
        uv = np.asarray(uvs, dtype=np.float64).reshape(-1, 2).copy()
        uv[:, 1] = 1.0 - uv[:, 1]  # OBJ's v runs up, glTF's down
        np.savetxt(out, uv, fmt="vt %.6f %.6f")
    np.savetxt(out, n, fmt="vn %.6f %.6f %.6f")
    corner = np.arange(1, len(t) * 3 + 1).reshape(-1, 3)
    normal = np.repeat(np.arange(1, len(t) + 1)[:, None], 3, axis=1)
    if uvs is not None:
        faces = np.stack([corner, corner, normal], axis=-1).reshape(len(t), 9)
        np.savetxt(out, faces, fmt="f %d/%d/%d %d/%d/%d %d/%d/%d")
    else:
        faces = np.stack([corner, normal], axis=-1).reshape(len(t), 6)
        np.savetxt(out, faces, fmt="f %d//%d %d//%d %d//%d")
    return out.getvalue().encode("ascii")


def to_mtl(material: str, color, texture_name: str | None) -> bytes:
    r, g, b = (float(c) for c in color[:3])
    text = f"newmtl {material}\nKd {r:.4f} {g:.4f} {b:.4f}\nKa 0 0 0\nKs 0 0 0\nd 1\nillum 1\n"
    if texture_name:
        text += f"map_Kd {texture_name}\n"
    return text.encode("ascii")


def obj_zip(tris: np.ndarray, uvs: np.ndarray | None, color, texture_png: bytes | None,
            stem: str = "model") -> bytes:
    """A zip of OBJ + MTL (+ the texture PNG), the way the service ships OBJ."""
    buf = io.BytesIO()
    texture = f"{stem}_texture.png" if texture_png and uvs is not None else None
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{stem}.obj", to_obj(tris, uvs, f"{stem}.mtl", "material"))
        zf.writestr(f"{stem}.mtl", to_mtl("material", color, texture))
        if texture:
            zf.writestr(texture, texture_png)
    return buf.getvalue()


def to_ply(tris: np.ndarray) -> bytes:
    """Binary little-endian PLY with per-corner vertices and normals."""
    t = np.asarray(tris, dtype=np.float64)
    normals = np.repeat(face_normals(t), 3, axis=0)
    verts = np.zeros(len(t) * 3, dtype=[("p", "<f4", 3), ("n", "<f4", 3)])
    verts["p"] = t.reshape(-1, 3)
    verts["n"] = normals
    faces = np.zeros(len(t), dtype=[("count", "u1"), ("idx", "<i4", 3)])
    faces["count"] = 3
    faces["idx"] = np.arange(len(t) * 3).reshape(-1, 3)
    header = ("ply\nformat binary_little_endian 1.0\ncomment ai-studio-bridge emulator\n"
              f"element vertex {len(verts)}\nproperty float x\nproperty float y\nproperty float z\n"
              "property float nx\nproperty float ny\nproperty float nz\n"
              f"element face {len(faces)}\nproperty list uchar int vertex_indices\nend_header\n")
    return header.encode("ascii") + verts.tobytes() + faces.tobytes()


def volume_report(tris: np.ndarray, unit: str = "cm", heights: list[float] | None = None) -> dict:
    """Mesh volume in ``unit``³, as is or scaled so its height equals each target height.

    Target heights are in ``unit`` too, matching how the tool's form reads.
    """
    t = np.asarray(tris, dtype=np.float64)
    per_m = UNIT_PER_METRE[unit]
    height_m = float(t[..., 1].max() - t[..., 1].min())
    volume_m3 = abs(signed_volume(t))
    report = {"unit": unit, "volume_unit": f"{unit}3", "height": round(height_m * per_m, 6),
              "volume": round(volume_m3 * per_m ** 3, 6),
              "watertight_assumed": True}
    if heights:
        report["volumes"] = [{"target_height": h,
                              "volume": round(volume_m3 * (h / (height_m * per_m)) ** 3 * per_m ** 3, 6)
                              if height_m > 0 else 0.0}
                             for h in heights]
    return report
