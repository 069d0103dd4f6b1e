"""Read the triangles (and first texture) out of a GLB, for the model tools.

Handles what Blender and the emulator write: float/normalised-int
accessors, byte strides, node TRS or matrix transforms, indexed or not.
Extensions (Draco, meshopt, sparse accessors) are refused with a clear
error, since decoding them wrongly would give wrong volumes silently.
"""

from __future__ import annotations

import dataclasses
import json
import struct

import numpy as np

from ..errors import BridgeError

_DTYPES = {5120: np.int8, 5121: np.uint8, 5122: np.int16, 5123: np.uint16,
           5125: np.uint32, 5126: np.float32}
_WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT4": 16}


class GlbError(BridgeError):
    """The file is not a GLB this reader understands."""


@dataclasses.dataclass
class GlbMesh:
    """All triangles of a GLB's default scene, in world space (metres, +Y up)."""

    triangles: np.ndarray                       # (T, 3, 3) float64
    uvs: np.ndarray | None                      # (T, 3, 2) or None when any primitive lacks UVs
    primitive_materials: list[str]              # material name per primitive
    texture_png: bytes | None                   # the first embedded PNG texture, if any
    base_color: tuple[float, float, float, float]
    json: dict
    triangle_materials: np.ndarray | None = None  # (T,) index into json["materials"], -1 for none
    images: list[bytes | None] = dataclasses.field(default_factory=list)  # embedded image bytes


def parse_glb(data: bytes) -> tuple[dict, bytes]:
    if len(data) < 20 or data[:4] != b"glTF":
        raise GlbError("Not a GLB file (it does not start with 'glTF').")
    version, length = struct.unpack("<II", data[4:12])
    if version != 2:
        raise GlbError(f"Only glTF 2.0 is supported; this file is version {version}.")
    pos, doc, blob = 12, None, b""
    while pos + 8 <= min(length, len(data)):
        size, kind = struct.unpack("<I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + size]
        if kind == b"JSON":
            doc = json.loads(chunk.decode("utf-8"))
        elif kind == b"BIN\x00":
            blob = chunk
        pos += 8 + size
    if doc is None:
        raise GlbError("The GLB file has no JSON chunk.")
    return doc, blob


def _view_bytes(doc: dict, blob: bytes, index: int) -> tuple[bytes, int | None]:
    view = doc["bufferViews"][index]
    if view.get("buffer", 0) != 0 or "uri" in doc["buffers"][view.get("buffer", 0)]:
        raise GlbError("External buffers are not supported; export a self-contained GLB.")
    start = view.get("byteOffset", 0)
    return blob[start:start + view["byteLength"]], view.get("byteStride")


def read_accessor(doc: dict, blob: bytes, index: int) -> np.ndarray:
    acc = doc["accessors"][index]
    if "sparse" in acc:
        raise GlbError("Sparse accessors are not supported.")
    dtype = np.dtype(_DTYPES[acc["componentType"]])
    width = _WIDTH[acc["type"]]
    count = acc["count"]
    data, stride = _view_bytes(doc, blob, acc["bufferView"])
    offset = acc.get("byteOffset", 0)
    item = dtype.itemsize * width
    if stride and stride != item:
        raw = np.frombuffer(data, dtype=np.uint8, count=stride * (count - 1) + item, offset=offset)
        rows = np.lib.stride_tricks.as_strided(raw, shape=(count, item), strides=(stride, 1))
        arr = np.frombuffer(rows.copy().tobytes(), dtype=dtype).reshape(count, width)
    else:
        arr = np.frombuffer(data, dtype=dtype, count=count * width, offset=offset).reshape(count, width)
    if acc.get("normalized") and dtype.kind in "iu":
        arr = arr.astype(np.float64) / np.iinfo(dtype).max
    return arr.astype(np.float64) if dtype.kind == "f" or acc.get("normalized") else arr


def _node_matrix(node: dict) -> np.ndarray:
    if "matrix" in node:
        return np.array(node["matrix"], dtype=np.float64).reshape(4, 4).T  # column-major
    t = np.eye(4)
    t[:3, 3] = node.get("translation", (0, 0, 0))
    x, y, z, w = node.get("rotation", (0, 0, 0, 1))
    r = np.eye(4)
    r[:3, :3] = [[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                 [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                 [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]]
    s = np.diag([*node.get("scale", (1, 1, 1)), 1.0])
    return t @ r @ s


def read_glb(data: bytes) -> GlbMesh:
    """World-space triangles of every mesh node in the default scene."""
    doc, blob = parse_glb(data)
    if doc.get("extensionsRequired"):
        needed = ", ".join(doc["extensionsRequired"])
        raise GlbError(f"The GLB needs extension(s) {needed}, which the emulator cannot decode.")
    tris, uvs, names, mat_index = [], [], [], []
    all_uv = True
    scene = doc.get("scenes", [{}])[doc.get("scene", 0)] if doc.get("scenes") else {}
    roots = scene.get("nodes", list(range(len(doc.get("nodes", [])))))
    stack = [(i, np.eye(4)) for i in roots]
    while stack:
        index, parent = stack.pop()
        node = doc["nodes"][index]
        world = parent @ _node_matrix(node)
        stack.extend((child, world) for child in node.get("children", []))
        if "mesh" not in node:
            continue
        for prim in doc["meshes"][node["mesh"]]["primitives"]:
            if prim.get("mode", 4) != 4:
                continue  # points and lines enclose no volume
            pos = read_accessor(doc, blob, prim["attributes"]["POSITION"])
            pos = (np.c_[pos, np.ones(len(pos))] @ world.T)[:, :3]
            idx = (read_accessor(doc, blob, prim["indices"]).reshape(-1).astype(np.int64)
                   if "indices" in prim else np.arange(len(pos)))
            idx = idx[:len(idx) - len(idx) % 3]
            tris.append(pos[idx].reshape(-1, 3, 3))
            if "TEXCOORD_0" in prim["attributes"]:
                uvs.append(read_accessor(doc, blob, prim["attributes"]["TEXCOORD_0"])[idx].reshape(-1, 3, 2))
            else:
                all_uv = False
            mat = doc.get("materials", [])[prim["material"]] if "material" in prim else {}
            names.append(mat.get("name", ""))
            mat_index.append(np.full(len(tris[-1]), prim.get("material", -1), dtype=np.int64))
    if not tris:
        raise GlbError("The GLB file holds no triangle mesh.")
    images = [bytes(_view_bytes(doc, blob, im["bufferView"])[0]) if "bufferView" in im else None
              for im in doc.get("images", [])]
    return GlbMesh(np.concatenate(tris), np.concatenate(uvs) if all_uv and uvs else None,
                   names, _first_png(doc, blob), _base_color(doc), doc, np.concatenate(mat_index), images)


def _first_png(doc: dict, blob: bytes) -> bytes | None:
    for image in doc.get("images", []):
        if "bufferView" in image:
            data, _ = _view_bytes(doc, blob, image["bufferView"])
            if data.startswith(b"\x89PNG"):
                return bytes(data)
    return None


def _base_color(doc: dict) -> tuple[float, float, float, float]:
    for mat in doc.get("materials", []):
        factor = mat.get("pbrMetallicRoughness", {}).get("baseColorFactor")
        if factor:
            return tuple(float(v) for v in factor)
    return (0.8, 0.8, 0.8, 1.0)
