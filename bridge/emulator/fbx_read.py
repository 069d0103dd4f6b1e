"""Read the meshes of a binary FBX into one PolyMesh (glTF space: metres, +Y up, +Z front).

What the model tools need and no more: every mesh Geometry with its
polygons, first UV layer and per-polygon materials (diffuse colour and an
embedded or zipped-beside PNG texture), placed by its Model's transform
chain (translation, pre/post rotation, Euler rotation in any order, scale,
geometric offset), then turned into glTF axes and metres using the file's
GlobalSettings. Rotation/scaling pivots and offsets, property templates,
skinning, shape keys and animation are ignored: the emulator needs the
model's surface, not its rig.
"""

from __future__ import annotations

import numpy as np

from .fbx_binary import FbxError, Node, decode
from .mesh import Material
from .polymesh import PolyMesh, concatenate, transform_positions

_AXES = np.eye(3)


def _props(node: Node | None) -> dict[str, list]:
    table = node.find("Properties70") if node is not None else None
    return {p.props[0]: p.props[4:] for p in (table.children if table else []) if p.props}


def _axis_rotation(axis: str, radians: float) -> np.ndarray:
    c, s = np.cos(radians), np.sin(radians)
    i, j = {"X": (1, 2), "Y": (2, 0), "Z": (0, 1)}[axis]
    r = np.eye(4)
    r[i, i], r[i, j], r[j, i], r[j, j] = c, -s, s, c
    return r


def _euler(degrees, order: str = "XYZ") -> np.ndarray:
    """Rotation matrix applying the axes in ``order`` (FBX eEulerXYZ: X first)."""
    angles = dict(zip("XYZ", np.radians(np.asarray(degrees, dtype=np.float64))))
    out = np.eye(4)
    for axis in order:
        out = _axis_rotation(axis, angles[axis]) @ out
    return out


_ORDERS = ("XYZ", "XZY", "YZX", "YXZ", "ZXY", "ZYX", "XYZ")  # RotationOrder enum; 6 (spheric) read as XYZ


def _trs(translation=(0, 0, 0), rotation=(0, 0, 0), scaling=(1, 1, 1), order="XYZ") -> np.ndarray:
    t = np.eye(4)
    t[:3, 3] = translation
    return t @ _euler(rotation, order) @ np.diag([*scaling, 1.0])


def _local_matrix(model: Node) -> np.ndarray:
    p = _props(model)
    order = _ORDERS[int(p.get("RotationOrder", [0])[0]) % len(_ORDERS)]
    post = _euler(p.get("PostRotation", (0, 0, 0)))
    return (_trs(p.get("Lcl Translation", (0, 0, 0))) @ _euler(p.get("PreRotation", (0, 0, 0)))
            @ _euler(p.get("Lcl Rotation", (0, 0, 0)), order) @ np.linalg.inv(post)
            @ np.diag([*p.get("Lcl Scaling", (1, 1, 1)), 1.0]))


def _geometric_matrix(model: Node) -> np.ndarray:
    p = _props(model)
    return _trs(p.get("GeometricTranslation", (0, 0, 0)), p.get("GeometricRotation", (0, 0, 0)),
                p.get("GeometricScaling", (1, 1, 1)))


def _to_gltf_matrix(settings: Node | None) -> np.ndarray:
    """File axes and units → glTF axes in metres (the defaults are what Blender's importer assumes)."""
    p = _props(settings)

    def axis(name: str, default: int) -> np.ndarray:
        return _AXES[int(p.get(name, [default])[0])] * int(p.get(name + "Sign", [1])[0])

    m = np.eye(4)
    m[:3, :3] = np.stack([axis("CoordAxis", 0), axis("UpAxis", 2), axis("FrontAxis", 1)])
    return np.diag([0.01 * float(p.get("UnitScaleFactor", [1.0])[0])] * 3 + [1.0]) @ m


def _by_corner(layer: Node, data_name: str, index_name: str, width: int, corner_verts: np.ndarray):
    data = layer.value(data_name)
    if data is None:
        return None
    data = np.asarray(data, dtype=np.float64).reshape(-1, width)
    mapping = layer.value("MappingInformationType", "ByPolygonVertex")
    if layer.value("ReferenceInformationType", "Direct") in ("IndexToDirect", "Index"):
        data = data[np.asarray(layer.value(index_name), dtype=np.int64)]
    if mapping in ("ByVertice", "ByVertex"):
        return data[corner_verts]
    if mapping == "AllSame":
        return np.repeat(data[:1], len(corner_verts), axis=0)
    return data if len(data) == len(corner_verts) else None


def _texture_png(material_id: int, objects: dict, links: list, files: dict[str, bytes]) -> bytes | None:
    for _kind, src, dst, prop in links:
        colour_slot = prop == "" or any(w in prop.lower() for w in ("diffuse", "basecolor", "base_color"))
        if dst != material_id or not colour_slot or objects.get(src, Node("")).name != "Texture":
            continue
        texture = objects[src]
        sources = [texture] + [objects[s] for k, s, d, _ in links if d == src and s in objects]
        for node in sources:
            content = node.value("Content")
            if isinstance(content, bytes) and content.startswith(b"\x89PNG"):
                return content
        for node in sources:
            name = str(node.value("RelativeFilename") or node.value("FileName") or "").replace("\\", "/")
            found = files.get(name.rsplit("/", 1)[-1])
            if found and found.startswith(b"\x89PNG"):
                return found
    return None


def _material(node: Node, objects: dict, links: list, files: dict[str, bytes]) -> Material:
    p = _props(node)
    colour = [float(c) for c in p.get("DiffuseColor", p.get("Diffuse", (0.8, 0.8, 0.8)))[:3]]
    alpha = float(p.get("Opacity", [1.0])[0])
    shininess = float(p.get("Shininess", p.get("ShininessExponent", [20.0]))[0])
    return Material(str(node.props[1]).split("\x00\x01")[0] or "material", (*colour, alpha),
                    _texture_png(node.props[0], objects, links, files),
                    metallic=float(np.clip(p.get("ReflectionFactor", [0.0])[0], 0, 1)),
                    roughness=float(np.clip(1.0 - np.sqrt(max(shininess, 0.0)) / 10.0, 0, 1)))


def _geometry_mesh(geometry: Node, materials: list[Material]) -> PolyMesh:
    vertices = np.asarray(geometry.value("Vertices", np.zeros(0)), dtype=np.float64).reshape(-1, 3)
    polygon_index = np.asarray(geometry.value("PolygonVertexIndex", np.zeros(0)), dtype=np.int64)
    ends = np.flatnonzero(polygon_index < 0)
    if not len(vertices) or not len(ends):
        raise FbxError(f"The FBX mesh {geometry.props[1].split(chr(0))[0]!r} has no polygons.")
    corners = np.where(polygon_index < 0, ~polygon_index, polygon_index)[:ends[-1] + 1]
    sizes = np.diff(np.concatenate([[-1], ends]))
    uv_layer = geometry.find("LayerElementUV")
    uvs = _by_corner(uv_layer, "UV", "UVIndex", 2, corners) if uv_layer is not None else None
    if uvs is not None:
        uvs = uvs * [1.0, -1.0] + [0.0, 1.0]        # back to v running down the image
    face_mats = np.zeros(len(sizes), dtype=np.int64)
    mat_layer = geometry.find("LayerElementMaterial")
    if mat_layer is not None and mat_layer.value("Materials") is not None:
        values = np.asarray(mat_layer.value("Materials"), dtype=np.int64)
        if mat_layer.value("MappingInformationType") == "ByPolygon" and len(values) == len(sizes):
            face_mats = values
        elif len(values):
            face_mats[:] = values[0]
    materials = materials or [Material("material")]
    face_mats = np.clip(face_mats, 0, len(materials) - 1)
    return PolyMesh(vertices, sizes.astype(np.int64), corners, uvs, face_mats, materials)


def read_fbx(data: bytes, files: dict[str, bytes] | None = None) -> PolyMesh:
    """Every mesh in the file, in world space; ``files`` holds textures shipped beside it (a zip)."""
    _, nodes = decode(data)
    top = {n.name: n for n in nodes}
    if "Objects" not in top:
        raise FbxError("The FBX file has no Objects section.")
    objects = {n.props[0]: n for n in top["Objects"].children if n.props}
    links = [(c.props[0], c.props[1], c.props[2], c.props[3] if len(c.props) > 3 else "")
             for c in (top["Connections"].children if "Connections" in top else []) if len(c.props) >= 3]
    parents = {src: dst for kind, src, dst, _ in links if kind == "OO"
               and objects.get(src, Node("")).name == "Model" and dst in objects}
    to_gltf = _to_gltf_matrix(top.get("GlobalSettings"))
    parts = []
    for gid, geometry in objects.items():
        if geometry.name != "Geometry" or geometry.props[-1] != "Mesh":
            continue
        for kind, src, model_id, _ in links:
            model = objects.get(model_id)
            if src != gid or kind != "OO" or model is None or model.name != "Model":
                continue
            materials = [_material(objects[s], objects, links, files or {}) for k, s, d, _ in links
                         if d == model_id and k == "OO" and objects.get(s, Node("")).name == "Material"]
            world, node_id = _geometric_matrix(model), model_id
            while node_id in objects:
                world = _local_matrix(objects[node_id]) @ world
                node_id = parents.get(node_id)
            parts.append(transform_positions(_geometry_mesh(geometry, materials), to_gltf @ world))
    if not parts:
        raise FbxError("The FBX file holds no mesh.")
    return concatenate(parts)
