"""Read any model file the model tools accept into a PolyMesh, by its content.

GLB, binary FBX, OBJ, STL (binary or ASCII), PLY (binary or ASCII) and a zip
holding one of them (with the MTL and textures an OBJ needs) — the contract's
"GLB/glTF, OBJ, STL, PLY, FBX, ZIP". The bytes decide, not the name, since
pre-signed URLs often have none. A glTF JSON with external buffers, USDZ
and 3MF are refused with a message that says so.
"""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np

from ..errors import BridgeError
from .exporters import UNIT_PER_METRE
from .fbx_binary import HEAD_MAGIC
from .fbx_read import read_fbx
from .gltf_read import read_glb
from .mesh import Material
from .obj_read import read_obj
from .polymesh import PolyMesh

MODEL_EXTENSIONS = ("glb", "fbx", "obj", "stl", "ply")


class ModelFormatError(BridgeError):
    """The bytes are not a model format the emulator reads."""


def sniff_model(data: bytes) -> str | None:
    """'glb', 'fbx', 'zip', 'ply', 'stl', 'obj', 'gltf' or None."""
    head = data[:512].lstrip()
    if data[:4] == b"glTF":
        return "glb"
    if data.startswith(HEAD_MAGIC[:18]) or head.startswith(b"; FBX"):
        return "fbx"
    if data[:4] == b"PK\x03\x04":
        return "zip"
    if data[:4] == b"ply\n" or data[:5] == b"ply\r\n":
        return "ply"
    if len(data) >= 84 and len(data) == 84 + 50 * int.from_bytes(data[80:84], "little"):
        return "stl"
    if head.startswith(b"solid") and b"facet" in data[:4096]:
        return "stl"
    if head.startswith(b"{"):
        return "gltf"
    if re.search(rb"^\s*v\s", data[:65536], re.M) and re.search(rb"^\s*f\s", data, re.M):
        return "obj"
    return None


def read_model(data: bytes, stl_unit: str = "mm") -> PolyMesh:
    """The model in ``data``; STL without a unit in its header is read in ``stl_unit``."""
    kind = sniff_model(data)
    if kind == "glb":
        return from_glb(data)
    if kind == "fbx":
        return read_fbx(data)
    if kind == "zip":
        return _read_zip(data, stl_unit)
    if kind == "obj":
        return read_obj(data.decode("utf-8", "replace"))
    if kind == "stl":
        return read_stl(data, stl_unit)
    if kind == "ply":
        return read_ply(data)
    if kind == "gltf":
        raise ModelFormatError("A .gltf JSON file is not read by the emulator; send a self-contained GLB.")
    raise ModelFormatError("The file is not a model the emulator reads (GLB, FBX, OBJ, STL, PLY or a zip "
                           "of one).")


def from_glb(data: bytes) -> PolyMesh:
    glb = read_glb(data)
    doc = glb.json
    materials = []
    for entry in doc.get("materials", []):
        pbr = entry.get("pbrMetallicRoughness", {})
        png = None
        if "baseColorTexture" in pbr:
            source = doc["textures"][pbr["baseColorTexture"]["index"]].get("source")
            image = glb.images[source] if source is not None and source < len(glb.images) else None
            png = image if image and image.startswith(b"\x89PNG") else None
        materials.append(Material(entry.get("name") or "material",
                                  tuple(float(c) for c in pbr.get("baseColorFactor", (1, 1, 1, 1))), png,
                                  float(pbr.get("metallicFactor", 1.0)), float(pbr.get("roughnessFactor", 1.0))))
    tri_mats = glb.triangle_materials
    if (tri_mats < 0).any():
        materials.append(Material("default"))
        tri_mats = np.where(tri_mats < 0, len(materials) - 1, tri_mats)
    return PolyMesh.from_triangles(glb.triangles, glb.uvs, tri_mats, materials)


def _read_zip(data: bytes, stl_unit: str) -> PolyMesh:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        files = {name.rsplit("/", 1)[-1]: archive.read(name) for name in archive.namelist()
                 if not name.endswith("/") and archive.getinfo(name).file_size < 256 * 1024 * 1024}
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelFormatError(f"The zip could not be opened: {exc}") from None
    for ext in MODEL_EXTENSIONS:
        name = next((n for n in sorted(files) if n.lower().endswith("." + ext)), None)
        if name is None:
            continue
        if ext == "obj":
            return read_obj(files[name].decode("utf-8", "replace"), files)
        if ext == "fbx":
            return read_fbx(files[name], files)
        return read_model(files[name], stl_unit)
    raise ModelFormatError("The zip holds no GLB, FBX, OBJ, STL or PLY file.")


def read_stl(data: bytes, unit: str = "mm") -> PolyMesh:
    """STL triangles in metres; the emulator's own files name their unit in the header."""
    named = re.search(rb"unit=(mm|cm|m|in)\b", data[:80])
    scale = 1.0 / UNIT_PER_METRE[named.group(1).decode() if named else unit]
    if data.lstrip()[:5] == b"solid" and len(data) != 84 + 50 * int.from_bytes(data[80:84], "little"):
        numbers = re.findall(rb"vertex\s+(\S+)\s+(\S+)\s+(\S+)", data)
        tris = np.array(numbers, dtype=np.float64).reshape(-1, 3, 3)
    else:
        count = int.from_bytes(data[80:84], "little")
        record = np.dtype([("n", "<f4", 3), ("v", "<f4", (3, 3)), ("attr", "<u2")])
        tris = np.frombuffer(data, dtype=record, count=count, offset=84)["v"].astype(np.float64)
    if not len(tris):
        raise ModelFormatError("The STL file holds no triangles.")
    return PolyMesh.from_triangles(tris * scale)


_PLY_TYPES = {"char": "i1", "uchar": "u1", "short": "i2", "ushort": "u2", "int": "i4", "uint": "u4",
              "float": "f4", "double": "f8", "int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2",
              "int32": "i4", "uint32": "u4", "float32": "f4", "float64": "f8"}


def read_ply(data: bytes) -> PolyMesh:
    """PLY vertices and face lists (binary little-endian or ASCII; other elements are skipped)."""
    end = data.find(b"end_header")
    if end < 0:
        raise ModelFormatError("The PLY header has no end_header.")
    header = data[:end].decode("ascii", "replace").splitlines()
    body = data[data.index(b"\n", end) + 1:]
    fmt = next((line.split()[1] for line in header if line.startswith("format")), "ascii")
    elements: list[tuple[str, int, list]] = []
    for line in header:
        words = line.split()
        if words[:1] == ["element"]:
            elements.append((words[1], int(words[2]), []))
        elif words[:1] == ["property"] and elements:
            elements[-1][2].append(words[1:])
    if fmt == "ascii":
        return _ply_ascii(body.decode("ascii", "replace").split(), elements)
    if fmt != "binary_little_endian":
        raise ModelFormatError(f"PLY format {fmt} is not read by the emulator.")
    positions, faces, pos = None, [], 0
    for name, count, props in elements:
        if props and props[0][0] == "list":
            for _ in range(count):
                n = int(np.frombuffer(body, _PLY_TYPES[props[0][1]], 1, pos)[0])
                pos += np.dtype(_PLY_TYPES[props[0][1]]).itemsize
                item = np.dtype(_PLY_TYPES[props[0][2]])
                faces.append(np.frombuffer(body, item, n, pos).astype(np.int64))
                pos += n * item.itemsize
            continue
        row = np.dtype([(p[-1], "<" + _PLY_TYPES[p[0]]) for p in props])
        table = np.frombuffer(body, row, count, pos)
        pos += count * row.itemsize
        if name == "vertex":
            positions = np.stack([table[a].astype(np.float64) for a in "xyz"], axis=1)
    return _ply_mesh(positions, faces)


def _ply_ascii(tokens: list[str], elements) -> PolyMesh:
    positions, faces, i = None, [], 0
    for name, count, props in elements:
        rows = []
        for _ in range(count):
            if props and props[0][0] == "list":
                n = int(tokens[i])
                rows.append(np.array(tokens[i + 1:i + 1 + n], dtype=np.int64))
                i += n + 1
            else:
                rows.append(tokens[i:i + len(props)])
                i += len(props)
        if name == "vertex":
            names = [p[-1] for p in props]
            table = np.array(rows, dtype=np.float64)
            positions = table[:, [names.index(a) for a in "xyz"]]
        elif name == "face":
            faces = rows
    return _ply_mesh(positions, faces)


def _ply_mesh(positions, faces) -> PolyMesh:
    if positions is None or not faces:
        raise ModelFormatError("The PLY file holds no vertices or no faces.")
    sizes = np.array([len(f) for f in faces], dtype=np.int64)
    return PolyMesh(positions, sizes, np.concatenate(faces), None, np.zeros(len(sizes), np.int64),
                    [Material("material")])
