"""Producers for the tools that read a model and answer with one: convert, topology, texture edit, bake.

Each takes ``results.Inputs`` and returns ``[(asset_type, file name, bytes,
metadata)]`` like every producer in ``results.PRODUCERS``. Models come from
the upload or from this emulator's own ``/files/`` URLs, so one job's result
URL can be the next job's input (convert → texture edit, convert → topology,
result → bake). A URL elsewhere is not fetched: a labelled placeholder model
stands in. An input the tool does not take (texture edit wants FBX,
topology GLB or OBJ) fails the job with a reason, as the service would.
"""

from __future__ import annotations

import numpy as np

from ..pngcodec import decode_png, encode_png
from .bake import bake
from .decimate import decimate, pair_quads, target_faces
from .exporters import UNIT_PER_METRE
from .mesh import Material, box
from .model_read import ModelFormatError, read_model, sniff_model
from .model_write import WRITABLE, encode
from .polymesh import PolyMesh
from .retexture import paint, palette_from_picture, palette_from_prompt, pbr_maps
from .texels import surface_texels, texture_image
from .uv_atlas import atlas_uvs, usable_uvs

TEXTURE_SIZE = 512              # texture edit's painted maps
BAKE_DEFAULT_SIZE = 512         # bake without texture_resolution
BAKE_MAX_SIZE = 512             # the emulator's cap on texture_resolution (the service takes up to 8192)
OUTSIDE = "The model URL points outside the emulator, which does not fetch it; a placeholder slab stands in."


def _placeholder() -> PolyMesh:
    return PolyMesh.from_triangles(box((0, 0.5, 0), (1.0, 1.0, 0.08)),
                                   materials=[Material("placeholder", (0.75, 0.75, 0.75, 1.0))])


def _load(inputs, field: str, takes: tuple[str, ...] = (), tool: str = "", unit: str = "mm"):
    """(mesh, extra metadata) of the model in ``field`` (or the upload)."""
    found = inputs.model(field)
    if found is None:
        return _placeholder(), {"note": OUTSIDE}
    kind = sniff_model(found[1])
    if takes and kind not in takes:
        wanted = " or ".join(k.upper() for k in takes if k != "zip")
        raise ModelFormatError(f"{tool} takes {wanted} models; the file at {field} is "
                               f"{(kind or 'not a model file').upper()}.")
    return read_model(found[1], stl_unit=unit), {}


def _counts(mesh: PolyMesh) -> dict:
    return {"faces": mesh.face_count, "vertices": int(len(mesh.positions)),
            "triangles": int((mesh.face_sizes == 3).sum()), "quads": int((mesh.face_sizes == 4).sum())}


def _output_format(requested, default: str = "glb") -> tuple[str, dict]:
    fmt = (requested or default).lower()
    if fmt in WRITABLE:
        return fmt, {}
    return default, {"note": f"output_format {requested} is not produced by the emulator; {default} instead."}


def produce_convert(inputs) -> list:
    body = inputs.body
    asked, unit = body["output_format"], body.get("unit", "mm")
    found = inputs.model("model_url")
    if asked not in WRITABLE and found is not None:
        return [("3D_MODEL", "model." + (sniff_model(found[1]) or "bin"), found[1],
                 {"emulated": "pass-through", "note": f"output_format {asked} is not produced by the "
                                                     "emulator; the input comes back unchanged."})]
    mesh, meta = _load(inputs, "model_url", unit=unit)
    fmt, fmt_meta = _output_format(asked)
    if body.get("max_size"):
        lo, hi = mesh.bounds()
        extent = float((hi - lo).max()) * UNIT_PER_METRE[unit]
        mesh = mesh.replace(positions=mesh.positions * (body["max_size"] / extent if extent else 1.0))
    name, data = encode(mesh, fmt, unit)
    meta = {"emulated": True, "output_format": fmt, **_counts(mesh), **fmt_meta, **meta}
    if fmt == "stl":
        meta["unit"] = unit
    return [("3D_MODEL", name, data, meta)]


def produce_topology(inputs) -> list:
    body = inputs.body
    level, polygons = body.get("face_level", "medium"), body.get("polygon_type", "triangle")
    takes = {"GLB": ("glb",), "OBJ": ("obj", "zip")}.get(body.get("file_type"), ("glb", "obj", "zip"))
    mesh, meta = _load(inputs, "file_url", takes, "Topology")
    fmt, fmt_meta = _output_format(body.get("output_format"))
    source_triangles = len(mesh.fan[1])
    target = target_faces(source_triangles, level)
    result = decimate(mesh, target)
    if polygons == "quadrilateral":
        result = pair_quads(result)
        if fmt in ("glb", "stl", "ply"):
            meta["note"] = (f"{fmt.upper()} holds triangles only: each quad is two consecutive triangles "
                            "(Blender: Tris to Quads rejoins them); output_format obj or fbx keeps quads.")
    name, data = encode(result, fmt)
    return [("3D_MODEL", name, data, {
        "emulated": True, "method": "quadric vertex clustering" + (" + quad pairing" if polygons ==
                                                                    "quadrilateral" else ""),
        "face_level": level, "polygon_type": polygons, "output_format": fmt,
        "input_triangles": int(source_triangles), "target_triangles": target, **_counts(result),
        **fmt_meta, **meta})]


def produce_texture_edit(inputs) -> list:
    body = inputs.body
    mesh, meta = _load(inputs, "file_url", ("fbx",), "Texture edit")
    if body.get("prompt"):
        palette, seed = palette_from_prompt(body["prompt"]), body["prompt"]
    else:
        picture = inputs.bytes_of(body["image"])
        palette = palette_from_picture(picture) if picture else palette_from_prompt("reference picture")
        seed = "picture"
        if picture is None:
            meta["note"] = "The image URL points outside the emulator; the colours come from no picture."
    kept = usable_uvs(mesh)
    target = mesh if kept else atlas_uvs(mesh, TEXTURE_SIZE)
    old = decode_png(mesh.texture_png) if kept and mesh.texture_png else None
    texel, points = surface_texels(target, TEXTURE_SIZE)
    colours, mask = paint(target, texel, points, palette, seed, old, TEXTURE_SIZE)
    image = texture_image(texel, colours, TEXTURE_SIZE)
    material = Material("retextured", (1.0, 1.0, 1.0, 1.0), encode_png(image), 0.0, 0.8)
    if body.get("enable_pbr"):
        mask_image = texture_image(texel, mask[:, None], TEXTURE_SIZE)[..., 0] / 255.0
        material.metal_rough_png, material.normal_png = pbr_maps(image, mask_image, palette)
        material.metallic = material.roughness = 1.0          # the maps carry the values
    result = target.replace(face_materials=np.zeros(target.face_count, np.int64), materials=[material])
    name, data = encode(result, "glb")
    hexes = ["#%02x%02x%02x" % tuple(int(round(c * 255)) for c in colour)
             for colour in (palette.primary, palette.secondary)]
    return [("3D_MODEL", name, data, {
        "emulated": True, "colours": hexes, "pattern": palette.pattern, "colour_source": palette.source,
        "pbr": bool(body.get("enable_pbr")), "uvs": "kept" if kept else "generated atlas",
        "texture_size": TEXTURE_SIZE, **_counts(result), **meta})]


def produce_bake(inputs) -> list:
    body = inputs.body
    asked = int(body.get("texture_resolution", BAKE_DEFAULT_SIZE))
    size = min(asked, BAKE_MAX_SIZE)
    high, high_meta = _load(inputs, "original_url")
    low, low_meta = _load(inputs, "retopo_url")
    fmt, meta = _output_format(body.get("output_format"))
    result, info = bake(high, low, size)
    name, data = encode(result, fmt)
    meta = {"emulated": True, "texture_resolution": size, "output_format": fmt, **info,
            **_counts(result), **meta}
    if asked > size:
        meta["note"] = f"texture_resolution {asked} is capped at {size} by the emulator."
    if high_meta or low_meta:
        meta["note"] = " ".join(filter(None, [meta.get("note"), OUTSIDE]))
    return [("3D_MODEL", name, data, meta)]
