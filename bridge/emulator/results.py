"""Build a finished job's result files from its request.

One producer per kind of endpoint (named by the schema's ``result``). Each
returns ``[(asset_type, file name, bytes, metadata)]``; the caller stores
the files and turns them into status ``results``. Inputs given as URLs are
only readable when they point at this emulator's own ``/files/`` (nothing
here reaches the internet); otherwise a clearly labelled stand-in is used.
"""

from __future__ import annotations

import json
from typing import Callable
from urllib.parse import urlparse

import numpy as np

from ..api.miniature import target_height_cm
from ..errors import BridgeError
from ..imagefile import decode_data_url, sniff_image_type
from ..pngcodec import decode_png
from . import exporters, model_tools, pictures
from .glb import write_glb
from .mesh import Material, Part, bounds, cylinder, part_from_triangles, transformed
from .model_read import read_model
from .schemas import image3d_image_bytes
from .shapes import generic_slab, shape_for_prompt
from .silhouette import model_from_png
from .state import EmulatorState, Job

GREY = (0.75, 0.75, 0.75, 1.0)
BASE_HEIGHT = 0.06
CONTENT_TYPES = {"glb": "model/gltf-binary", "png": "image/png", "zip": "application/zip",
                 "stl": "model/stl", "obj": "text/plain", "ply": "application/octet-stream",
                 "json": "application/json"}

Output = tuple[str, str, bytes, dict]


class Inputs:
    """Resolves the pictures and models a job refers to."""

    def __init__(self, job: Job, state: EmulatorState):
        self.job, self.state, self.body = job, state, job.body

    def bytes_of(self, ref) -> bytes | None:
        if not isinstance(ref, str):
            return None
        if ref.startswith("data:"):
            return decode_data_url(ref)[0]
        if ref.startswith(("http://", "https://")):
            stored = self.state.file_for_path(urlparse(ref).path)
            if stored is None:
                return None
            owner = self.state.jobs.get(stored.task_id)
            if owner is not None and self.state.job_expired(owner):
                # The service cannot download an expired result either: the job fails.
                raise BridgeError(f"The input file {urlparse(ref).path.rsplit('/', 1)[-1]} expired "
                                  "24 hours after its job completed.")
            return stored.data
        return None

    def picture(self) -> bytes | None:
        """The first picture of the request, however the endpoint spells it."""
        b = self.body
        if self.job.provider == "image3d" and b.get("image"):
            return image3d_image_bytes(b["image"])
        candidates = [b.get("image"), b.get("image_url")]
        candidates += [v["view_image"] for v in b.get("multi_view_images", []) if v["view_type"] == "front"]
        candidates += [v["image"] for v in b.get("images", []) if isinstance(v, dict)]
        candidates += [v for v in b.get("images", []) + b.get("image_urls", []) if isinstance(v, str)]
        if "image_file" in self.job.files:
            return self.job.files["image_file"][1]
        for ref in candidates:
            data = self.bytes_of(ref)
            if data:
                return data
        return None

    def model(self, *url_fields: str) -> tuple[str, bytes] | None:
        """(file name, bytes) of the uploaded or referenced model."""
        if "model_file" in self.job.files:
            return self.job.files["model_file"]
        for field in url_fields or ("model_url",):
            data = self.bytes_of(self.body.get(field))
            if data:
                return urlparse(self.body[field]).path.rsplit("/", 1)[-1] or "model.glb", data
        return None


def _picture_model(png: bytes | None, prompt: str | None) -> tuple[list[Part], dict]:
    """Parts and metadata for a picture (silhouette) or a prompt (procedural shape)."""
    if png is not None:
        kind = sniff_image_type(png)
        if kind == "png":
            try:
                return model_from_png(png)
            except BridgeError as exc:
                reason = str(exc)
        else:
            reason = f"{kind or 'unknown'} input is not decoded by the emulator"
        colour = tuple(float(c) for c in np.random.default_rng(len(png)).uniform(0.3, 0.9, 3)) + (1.0,)
        return generic_slab(Material("flat_colour", colour)), {
            "source": "generic", "shape": "placeholder slab",
            "note": f"Generic shape with a flat colour: {reason}."}
    if prompt:
        name, parts = shape_for_prompt(prompt)
        return parts, {"source": "prompt", "shape": name}
    return generic_slab(Material("flat_colour", GREY)), {
        "source": "generic", "shape": "placeholder slab",
        "note": "The input was a URL outside the emulator, which it does not fetch."}


def _glb_output(parts, meta, asset_type="3D_MODEL", name="model.glb") -> Output:
    faces = int(sum(len(p.indices) for p in parts) // 3)
    return asset_type, name, write_glb(parts, extras={"emulated": True}), {**meta, "faces": faces}


def produce_model(inputs: Inputs) -> list[Output]:
    if inputs.state.model_file is not None:   # --model-file: the same heavy or odd GLB each time
        return [("3D_MODEL", "model.glb", inputs.state.model_file, {"emulated": True, "fixed": True})]
    parts, meta = _picture_model(inputs.picture(), inputs.body.get("prompt"))
    return [_glb_output(parts, {"emulated": True, **meta})]


def _with_base(parts: list[Part]) -> list[Part]:
    lo, hi = bounds(parts)
    radius = 0.5 * float(max(hi[0] - lo[0], hi[2] - lo[2])) * 1.15
    base = part_from_triangles(cylinder((0, -BASE_HEIGHT, 0), radius, BASE_HEIGHT, 48),
                               Material("base", GREY), "base")
    return transformed(parts + [base], offset=(0.0, BASE_HEIGHT, 0.0))


def produce_miniature(inputs: Inputs) -> list[Output]:
    body = inputs.body
    png = inputs.picture()
    parts, meta = _picture_model(png, None)
    preset = body["preset"]
    has_base = not preset.startswith(("v2_", "v3_"))
    if has_base:
        parts = _with_base(parts)
    meta = {"emulated": True, **meta, "preset": preset, "base": has_base}
    out: list[Output] = []
    if png is not None and sniff_image_type(png) == "png":
        out.append(("EDITED_IMAGE", "edited.png", pictures.over_grey(decode_png(png)),
                    {"emulated": True, "background": "#BEBEBE"}))
    out.append(_glb_output(parts, meta))
    lo, hi = bounds(parts)
    height = float(hi[1] - lo[1])
    target_cm = target_height_cm(body.get("scale"), body.get("scale_height_cm"))
    if target_cm:
        scaled = transformed(parts, scale=(target_cm / 100.0) / height)
        out.append(_glb_output(scaled, {**meta, "scale": body["scale"], "height_cm": target_cm,
                                        "height_m": target_cm / 100.0},
                               "SCALED_3D_MODEL", "model_scaled.glb"))
    tris = np.concatenate([p.triangles() for p in parts]) * float(body.get("obj_scale_multiplier", 1.0))
    uvs = np.concatenate([p.uvs[p.indices].reshape(-1, 3, 2) for p in parts])
    texture = next((p.material.texture_png for p in parts if p.material.texture_png), None)
    out.append(("ARCHIVE", "model_obj.zip", exporters.obj_zip(tris, uvs, (1, 1, 1), texture),
                {"emulated": True, "contents": "OBJ + MTL" + (" + texture PNG" if texture else "")}))
    return out


def produce_image(inputs: Inputs) -> list[Output]:
    body = inputs.body
    size = pictures.picture_size(body.get("aspect_ratio") or body.get("image_size"))
    meta = {"emulated": True, "format": "png"}
    if body.get("output_format", "png") != "png":
        meta["note"] = f"output_format {body['output_format']} is not emulated; the file is a PNG."
    return [("IMAGE", f"image_{i + 1}.png", pictures.generate_picture(body["prompt"], size, i), meta)
            for i in range(body.get("num_images", 1))]


def produce_image_edit(inputs: Inputs) -> list[Output]:
    body = inputs.body
    prompt = body["prompt"]
    source = inputs.picture()
    meta = {"emulated": True, "format": "png"}
    if source is not None and sniff_image_type(source) == "png":
        pixels = decode_png(source)
        grey = any(w in prompt.lower() for w in ("grey", "gray", "background"))
        data = pictures.over_grey(pixels) if grey else pictures.tinted(pixels, prompt)
        meta["edit"] = "composited over #BEBEBE" if grey else "tinted"
    else:
        data = pictures.generate_picture(prompt)
        meta["note"] = "The input picture could not be read (not a PNG, or a URL outside the emulator)."
    return [("IMAGE", f"edited_{i + 1}.png", data, meta) for i in range(body.get("num_images", 1))]


def _read_model(inputs: Inputs, *fields: str):
    found = inputs.model(*fields)
    if found is None:
        return None, None, "The model URL points outside the emulator, which does not fetch it."
    name, data = found
    try:
        return name, read_model(data, inputs.body.get("unit", "mm")), ""
    except BridgeError as exc:
        return name, None, str(exc)


def produce_render(inputs: Inputs) -> list[Output]:
    body = inputs.body
    angle = body.get("angle", "3/4")
    _, mesh, problem = _read_model(inputs)
    meta = {"emulated": True, "angle": angle, "style": "flat-shaded orthographic silhouette"}
    if body.get("output_type") == "video":
        meta["note"] = "Video renders are not emulated; a still image is returned."
    if mesh is None:
        return [("IMAGE", "render.png", pictures.generate_picture("render placeholder"),
                 {**meta, "style": "placeholder", "note": problem})]
    size = min(int(body.get("resolution", 256)), 512)
    return [("IMAGE", "render.png", pictures.render_mesh(mesh.triangles, angle, size), meta)]


def produce_volume(inputs: Inputs) -> list[Output]:
    body = inputs.body
    _, mesh, problem = _read_model(inputs)
    if mesh is None:
        raise BridgeError(f"Cannot compute a volume: {problem}")
    heights = ([float(body["target_height"])] if "target_height" in body else
               [float(v) for v in body["target_heights"].split(",")] if "target_heights" in body else None)
    report = {"emulated": True, **exporters.volume_report(mesh.triangles, body.get("unit", "cm"), heights)}
    return [("DATA", "volume.json", json.dumps(report, indent=2).encode("utf-8"), report)]


def produce_passthrough(inputs: Inputs, note: str = "", url_fields: tuple[str, ...] = ()) -> list[Output]:
    found = inputs.model(*url_fields)
    meta = {"emulated": "pass-through"}
    if found is None:
        parts = generic_slab(Material("placeholder", GREY))
        return [_glb_output(parts, {**meta, "note": note or "The input model URL points outside the "
                                    "emulator; a placeholder model is returned."})]
    name, data = found
    if note:
        meta["note"] = note
    return [("3D_MODEL", _safe_name(name, "model.glb"), data, meta)]


def produce_passthrough_image(inputs: Inputs) -> list[Output]:
    data = inputs.picture()
    meta = {"emulated": "pass-through"}
    if data is None:
        return [("IMAGE", "image.png", pictures.generate_picture("placeholder"),
                 {**meta, "note": "The image URL points outside the emulator; placeholder returned."})]
    return [("IMAGE", f"image.{sniff_image_type(data) or 'png'}", data, meta)]


def _safe_name(name: str, default: str) -> str:
    clean = "".join(ch for ch in name if ch.isalnum() or ch in "._-").lstrip(".")
    return clean or default


PRODUCERS: dict[str, Callable[[Inputs], list[Output]]] = {
    "model": produce_model,
    "miniature": produce_miniature,
    "image": produce_image,
    "image_edit": produce_image_edit,
    "convert": model_tools.produce_convert,
    "topology": model_tools.produce_topology,
    "texture_edit": model_tools.produce_texture_edit,
    "bake": model_tools.produce_bake,
    "render": produce_render,
    "volume": produce_volume,
    "passthrough": produce_passthrough,
    "passthrough_image": produce_passthrough_image,
}


def build_results(job: Job, state: EmulatorState, result_kind: str, base_url: str) -> list[dict]:
    """Produce, store and describe the job's files as status ``results`` items."""
    items = []
    for asset_type, name, data, meta in PRODUCERS[result_kind](Inputs(job, state)):
        ext = name.rsplit(".", 1)[-1]
        path = state.store_file(job.task_id, name, data, CONTENT_TYPES.get(ext, "application/octet-stream"))
        items.append({"asset": base_url + path, "asset_type": asset_type, "thumbnail": None,
                      "metadata": meta})
    return items
