"""Write a PolyMesh as a binary FBX 7.4 file that Blender, Maya and Unity import.

One Geometry (shared vertices, polygons, flat smoothing, UVs, per-polygon
material), one Model, a Material per mesh material and, for a textured
material, a Texture + Video pair (the PNG embedded, or only named for a zip
that ships the PNG beside the file). The axes and units follow what
Blender's own exporter writes: the file declares Y up and centimetres, the
vertices are stored in Blender's frame (Z up, metres) and the Model carries
a -90° X rotation and a 100× scale. Blender's importer cancels both and
lands the object with an identity transform; other tools read the same
world-space model in centimetres.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .fbx_binary import Long, Node, encode
from .mesh import Material
from .polymesh import PolyMesh, unique_rows

CREATOR = "ai-studio-bridge emulator (FBX 7.4 binary)"
GLTF_TO_BLENDER = np.array([[1.0, 0, 0], [0, 0, -1.0], [0, 1.0, 0]])   # (x, y, z) → (x, -z, y)


def _p(name: str, kind: str, label: str, flags: str, *values) -> Node:
    return Node("P", [name, kind, label, flags, *values])


def _props(*entries: Node) -> Node:
    return Node("Properties70", [], list(entries))


def _uid(*parts) -> Long:
    """A stable object id from a name, so the same model gives the same bytes."""
    digest = hashlib.sha1("\x00".join(map(str, parts)).encode("utf-8")).digest()
    return Long(int.from_bytes(digest[:7], "little") + 1000)


def _header() -> list[Node]:
    stamp = Node("CreationTimeStamp", [], [Node(k, [v]) for k, v in (
        ("Version", 1000), ("Year", 1970), ("Month", 1), ("Day", 1), ("Hour", 0),
        ("Minute", 0), ("Second", 0), ("Millisecond", 0))])
    return [
        Node("FBXHeaderExtension", [], [Node("FBXHeaderVersion", [1003]), Node("FBXVersion", [7400]),
                                        Node("EncryptionType", [0]), stamp, Node("Creator", [CREATOR])]),
        Node("FileId", [bytes(range(16))]),
        Node("CreationTime", ["1970-01-01 00:00:00:000"]),
        Node("Creator", [CREATOR]),
        Node("GlobalSettings", [], [Node("Version", [1000]), _props(
            _p("UpAxis", "int", "Integer", "", 1), _p("UpAxisSign", "int", "Integer", "", 1),
            _p("FrontAxis", "int", "Integer", "", 2), _p("FrontAxisSign", "int", "Integer", "", 1),
            _p("CoordAxis", "int", "Integer", "", 0), _p("CoordAxisSign", "int", "Integer", "", 1),
            _p("OriginalUpAxis", "int", "Integer", "", 1), _p("OriginalUpAxisSign", "int", "Integer", "", 1),
            _p("UnitScaleFactor", "double", "Number", "", 1.0),
            _p("OriginalUnitScaleFactor", "double", "Number", "", 1.0),
            _p("TimeMode", "enum", "", "", 11), _p("CustomFrameRate", "double", "Number", "", 24.0))]),
        Node("Documents", [], [Node("Count", [1]), Node("Document", [_uid("document"), "Scene", "Scene"], [
            _props(_p("SourceObject", "object", "", ""), _p("ActiveAnimStackName", "KString", "", "", "")),
            Node("RootNode", [Long(0)])])]),
        Node("References"),
    ]


def _layer_element(kind: str, mapping: str, reference: str, *data: Node, name: str = "") -> Node:
    return Node(kind, [0], [Node("Version", [101]), Node("Name", [name]),
                            Node("MappingInformationType", [mapping]),
                            Node("ReferenceInformationType", [reference]), *data])


def _edges(mesh: PolyMesh, polygon_index: np.ndarray) -> np.ndarray:
    """For each distinct edge, the polygon-vertex index where it starts (what FBX 'Edges' holds)."""
    nxt = np.arange(len(polygon_index)) + 1
    ends = mesh.face_starts + mesh.face_sizes
    nxt[ends - 1] = mesh.face_starts
    a, b = mesh.corner_verts, mesh.corner_verts[nxt]
    keys = np.minimum(a, b) * (len(mesh.positions) + 1) + np.maximum(a, b)
    _, first = np.unique(keys, return_index=True)
    return np.sort(first).astype(np.int32)


def _geometry(mesh: PolyMesh, uid: Long, name: str) -> Node:
    vertices = (mesh.positions @ GLTF_TO_BLENDER.T).reshape(-1)
    polygon_index = mesh.corner_verts.astype(np.int32)
    last = mesh.face_starts + mesh.face_sizes - 1
    polygon_index[last] = ~polygon_index[last]          # FBX marks a polygon's last corner as -(i + 1)
    layers = [_layer_element("LayerElementSmoothing", "ByPolygon", "Direct",
                             Node("Smoothing", [np.zeros(mesh.face_count, np.int32)]))]
    if mesh.corner_uvs is not None:
        uv = mesh.corner_uvs * [1.0, -1.0] + [0.0, 1.0]    # FBX v runs up the image
        unique, index = unique_rows(uv)
        layers.append(_layer_element("LayerElementUV", "ByPolygonVertex", "IndexToDirect",
                                     Node("UV", [unique.reshape(-1).astype(np.float64)]),
                                     Node("UVIndex", [index.reshape(-1).astype(np.int32)]), name="UVMap"))
    layers.append(_layer_element("LayerElementMaterial", "ByPolygon", "IndexToDirect",
                                 Node("Materials", [mesh.face_materials.astype(np.int32)])))
    layer = Node("Layer", [0], [Node("Version", [100])] + [
        Node("LayerElement", [], [Node("Type", [el.name]), Node("TypedIndex", [0])]) for el in layers])
    return Node("Geometry", [uid, f"{name}\x00\x01Geometry", "Mesh"], [
        _props(), Node("GeometryVersion", [124]), Node("Vertices", [vertices.astype(np.float64)]),
        Node("PolygonVertexIndex", [polygon_index]), Node("Edges", [_edges(mesh, polygon_index)]),
        *layers, layer])


def _model(uid: Long, name: str) -> Node:
    return Node("Model", [uid, f"{name}\x00\x01Model", "Mesh"], [
        Node("Version", [232]),
        _props(_p("Lcl Rotation", "Lcl Rotation", "", "A", -90.0, 0.0, 0.0),
               _p("Lcl Scaling", "Lcl Scaling", "", "A", 100.0, 100.0, 100.0),
               _p("DefaultAttributeIndex", "int", "Integer", "", 0),
               _p("InheritType", "enum", "", "", 1)),
        Node("MultiLayer", [0]), Node("MultiTake", [0]), Node("Shading", [True]),
        Node("Culling", ["CullingOff"])])


def _material(mat: Material, uid: Long) -> Node:
    r, g, b, alpha = (float(c) for c in mat.color)
    shininess = ((1.0 - float(mat.roughness)) * 10.0) ** 2     # Blender reads roughness = 1 - sqrt(s) / 10
    return Node("Material", [uid, f"{mat.name}\x00\x01Material", ""], [
        Node("Version", [102]), Node("ShadingModel", ["Phong"]), Node("MultiLayer", [0]),
        _props(_p("DiffuseColor", "Color", "", "A", r, g, b), _p("DiffuseFactor", "Number", "", "A", 1.0),
               _p("Opacity", "Number", "", "A", alpha), _p("SpecularFactor", "Number", "", "A", 0.25),
               _p("Shininess", "Number", "", "A", shininess),
               _p("ShininessExponent", "Number", "", "A", shininess),
               _p("ReflectionFactor", "Number", "", "A", float(mat.metallic)))])


def _texture_pair(name: str, file_name: str, png: bytes | None, tex_uid: Long, video_uid: Long):
    texture = Node("Texture", [tex_uid, f"{name}\x00\x01Texture", ""], [
        Node("Type", ["TextureVideoClip"]), Node("Version", [202]),
        Node("TextureName", [f"{name}\x00\x01Texture"]), Node("Media", [f"{name}\x00\x01Video"]),
        Node("FileName", [file_name]), Node("RelativeFilename", [file_name]),
        _props(_p("UseMaterial", "bool", "", "", 1))])
    video = Node("Video", [video_uid, f"{name}\x00\x01Video", "Clip"], [
        Node("Type", ["Clip"]), _props(_p("Path", "KString", "Url", "", file_name)),
        Node("UseMipMap", [0]), Node("Filename", [file_name]), Node("RelativeFilename", [file_name]),
        *([Node("Content", [png])] if png else [])])
    return texture, video


def texture_file_names(mesh: PolyMesh, stem: str = "model") -> dict[int, str]:
    """Material index → the PNG file name the FBX refers to (and a zip ships)."""
    return {i: f"{stem}_texture{'' if i == 0 else f'_{i}'}.png"
            for i, m in enumerate(mesh.materials) if m.texture_png}


def write_fbx(mesh: PolyMesh, name: str = "model", embed_textures: bool = True) -> bytes:
    """Binary FBX 7.4 bytes of ``mesh`` (textures embedded unless a zip carries them)."""
    geometry_id, model_id = _uid(name, "geometry"), _uid(name, "model")
    objects = [_geometry(mesh, geometry_id, name), _model(model_id, name)]
    links = [Node("C", ["OO", model_id, Long(0)]), Node("C", ["OO", geometry_id, model_id])]
    files = texture_file_names(mesh)
    for index, mat in enumerate(mesh.materials):
        mat_id = _uid(name, "material", index)
        objects.append(_material(mat, mat_id))
        links.append(Node("C", ["OO", mat_id, model_id]))
        if index in files:
            tex_id, video_id = _uid(name, "texture", index), _uid(name, "video", index)
            objects += _texture_pair(f"{mat.name}_texture", files[index],
                                     mat.texture_png if embed_textures else None, tex_id, video_id)
            links += [Node("C", ["OP", tex_id, mat_id, "DiffuseColor"]), Node("C", ["OO", video_id, tex_id])]
    counts = {"Geometry": 1, "Model": 1, "Material": len(mesh.materials),
              "Texture": len(files), "Video": len(files)}
    definitions = Node("Definitions", [], [Node("Version", [100]), Node("Count", [sum(counts.values()) + 1]),
                                           Node("ObjectType", ["GlobalSettings"], [Node("Count", [1])])]
                       + [Node("ObjectType", [kind], [Node("Count", [n])]) for kind, n in counts.items() if n])
    return encode(_header() + [definitions, Node("Objects", [], objects), Node("Connections", [], links),
                               Node("Takes", [], [Node("Current", [""])])])
