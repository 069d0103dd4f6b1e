"""Write glTF 2.0 binary (GLB) files that Blender's importer accepts.

Layout: one mesh with one primitive per material, one node, one scene.
Every buffer view starts on a 4-byte boundary, POSITION carries min/max
(required by the spec), and textures are embedded PNGs.
"""

from __future__ import annotations

import json
import struct

import numpy as np

from .mesh import Part, merge_by_material

GLB_MAGIC = b"glTF"
_ARRAY_BUFFER = 34962
_ELEMENT_ARRAY_BUFFER = 34963
_FLOAT = 5126
_UNSIGNED_INT = 5125


def _pad(data: bytes, fill: bytes = b"\x00") -> bytes:
    return data + fill * ((4 - len(data) % 4) % 4)


class _Builder:
    def __init__(self):
        self.blob = bytearray()
        self.views: list[dict] = []
        self.accessors: list[dict] = []

    def view(self, data: bytes, target: int | None = None) -> int:
        offset = len(self.blob)
        self.blob += _pad(data)
        view = {"buffer": 0, "byteOffset": offset, "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        self.views.append(view)
        return len(self.views) - 1

    def accessor(self, array: np.ndarray, kind: str, target: int, with_bounds: bool = False) -> int:
        component = _UNSIGNED_INT if array.dtype == np.uint32 else _FLOAT
        acc = {"bufferView": self.view(np.ascontiguousarray(array).tobytes(), target),
               "componentType": component, "count": int(len(array)), "type": kind}
        if with_bounds:
            acc["min"] = [float(v) for v in array.min(axis=0)]
            acc["max"] = [float(v) for v in array.max(axis=0)]
        self.accessors.append(acc)
        return len(self.accessors) - 1


def write_glb(parts: list[Part], name: str = "model", extras: dict | None = None) -> bytes:
    """GLB bytes of ``parts`` (parts sharing a Material object become one primitive)."""
    build = _Builder()
    materials, textures, images = [], [], []
    primitives = []
    for part in merge_by_material(parts):
        mat = part.material
        pbr = {"baseColorFactor": [float(c) for c in mat.color],
               "metallicFactor": float(mat.metallic), "roughnessFactor": float(mat.roughness)}
        def texture(png: bytes, kind: str, mat=mat) -> dict:
            images.append({"bufferView": build.view(png), "mimeType": "image/png",
                           "name": f"{mat.name}_{kind}"})
            textures.append({"source": len(images) - 1, "sampler": 0})
            return {"index": len(textures) - 1, "texCoord": 0}

        entry = {"name": mat.name, "pbrMetallicRoughness": pbr, "doubleSided": False}
        if mat.texture_png:
            pbr["baseColorTexture"] = texture(mat.texture_png, "texture")
        if mat.metal_rough_png:
            pbr["metallicRoughnessTexture"] = texture(mat.metal_rough_png, "metallic_roughness")
        if mat.normal_png:
            entry["normalTexture"] = texture(mat.normal_png, "normal")
        materials.append(entry)
        attributes = {
            "POSITION": build.accessor(part.positions.astype(np.float32), "VEC3", _ARRAY_BUFFER, True),
            "NORMAL": build.accessor(part.normals.astype(np.float32), "VEC3", _ARRAY_BUFFER),
            "TEXCOORD_0": build.accessor(part.uvs.astype(np.float32), "VEC2", _ARRAY_BUFFER),
        }
        primitives.append({"attributes": attributes,
                           "indices": build.accessor(part.indices.astype(np.uint32), "SCALAR",
                                                     _ELEMENT_ARRAY_BUFFER),
                           "material": len(materials) - 1, "mode": 4})
    doc = {
        "asset": {"version": "2.0", "generator": "ai-studio-bridge emulator"},
        "scene": 0,
        "scenes": [{"name": "Scene", "nodes": [0]}],
        "nodes": [{"name": name, "mesh": 0}],
        "meshes": [{"name": name, "primitives": primitives}],
        "materials": materials,
        "accessors": build.accessors,
        "bufferViews": build.views,
        "buffers": [{"byteLength": len(build.blob)}],
    }
    if images:
        doc["images"] = images
        doc["textures"] = textures
        # Linear filtering, repeat wrapping: the glTF defaults, stated for clarity.
        doc["samplers"] = [{"magFilter": 9729, "minFilter": 9987, "wrapS": 10497, "wrapT": 10497}]
    if extras:
        doc["asset"]["extras"] = extras
    json_chunk = _pad(json.dumps(doc, separators=(",", ":")).encode("utf-8"), b" ")
    bin_chunk = bytes(build.blob)
    total = 12 + 8 + len(json_chunk) + 8 + len(bin_chunk)
    return b"".join([
        GLB_MAGIC, struct.pack("<II", 2, total),
        struct.pack("<I", len(json_chunk)), b"JSON", json_chunk,
        struct.pack("<I", len(bin_chunk)), b"BIN\x00", bin_chunk,
    ])
