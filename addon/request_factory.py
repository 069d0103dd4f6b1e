"""Build bridge request objects from the add-on's model ids and options.

No ``bpy`` here beyond reading option values handed in, so the mapping from
"Tencent Pro, multi-view, PBR" to a request type and its wire fields sits in
one small place.
"""

from __future__ import annotations

from ..bridge.api import image3d, miniature, tencent, tools, trellis, tripo
from ..bridge.errors import ValidationError

#: Models that take several views, and the order their endpoint expects them.
MULTIVIEW_ORDER = {
    "TENCENT_PRO": ("front", "back", "left", "right"),
    "TRIPO": ("front", "left", "back", "right"),
    "TRIPO_P1": ("front", "left", "back", "right"),
}
TEXT_MODELS = ("TENCENT_RAPID", "TENCENT_PRO", "TRIPO", "TRIPO_P1", "IMAGE3D")


def _tripo_common(opts) -> dict:
    fields = {"texture": bool(opts.tripo_texture), "pbr": bool(opts.tripo_pbr)}
    if opts.face_limit:
        fields["face_limit"] = int(opts.face_limit)
    return fields


def _tencent_pro(opts) -> dict:
    return {"model": opts.tencent_version, "enable_pbr": bool(opts.enable_pbr),
            "face_count": int(opts.face_count), "generate_type": opts.generate_type}


def text_request(model: str, prompt: str, opts):
    if not (prompt or "").strip():
        raise ValidationError("Type a prompt first: describe the object to generate.")
    if model == "TENCENT_RAPID":
        return tencent.TencentRapidRequest(prompt=prompt, enable_pbr=bool(opts.enable_pbr))
    if model == "TENCENT_PRO":
        return tencent.TencentProRequest(prompt=prompt, **_tencent_pro(opts))
    if model == "TRIPO":
        return tripo.TripoTextRequest(prompt=prompt, version=f"v{opts.tripo_version}",
                                              **_tripo_common(opts))
    if model == "TRIPO_P1":
        return tripo.TripoP1TextRequest(prompt=prompt, **_tripo_common(opts))
    if model == "IMAGE3D":
        return image3d.Image3dRequest(mode="text", prompt=prompt, quality=opts.image3d_quality,
                                              mesh_only=bool(opts.image3d_mesh_only) or None)
    raise ValidationError(f"{model} makes models from pictures only; pick a picture "
                          f"or another model ({', '.join(TEXT_MODELS)}).")


def image_request(model: str, image: str, opts):
    if model == "TENCENT_RAPID":
        return tencent.TencentRapidRequest(image=image, enable_pbr=bool(opts.enable_pbr))
    if model == "TENCENT_PRO":
        return tencent.TencentProRequest(image=image, **_tencent_pro(opts))
    if model == "TRELLIS2":
        return trellis.Trellis2Request(image=image, resolution=opts.trellis_resolution,
                                               textures=bool(opts.trellis_textures))
    if model == "TRIPO":
        return tripo.TripoImageRequest(image=image, version=f"v{opts.tripo_version}",
                                               **_tripo_common(opts))
    if model == "TRIPO_P1":
        return tripo.TripoP1ImageRequest(image=image, **_tripo_common(opts))
    if model == "IMAGE3D":
        return image3d.Image3dRequest(mode="image", image=image, quality=opts.image3d_quality,
                                              mesh_only=bool(opts.image3d_mesh_only) or None)
    raise ValidationError(f"Unknown model {model!r}.")


def multiview_request(model: str, views: dict[str, str], opts):
    """``views`` maps front/back/left/right to picture paths (missing views left out)."""
    order = MULTIVIEW_ORDER.get(model)
    if order is None:
        raise ValidationError(f"{model} has no multi-view mode; use Tencent Pro, Tripo or Tripo P1.")
    if not views.get("front"):
        raise ValidationError("Multi-view needs at least the front picture.")
    given = [v for v in order if views.get(v)]
    if model == "TENCENT_PRO":
        items = [{"view_type": v, "view_image": views[v]} for v in given]
        return tencent.TencentProRequest(multi_view_images=items, **_tencent_pro(opts))
    if len(given) < 2:
        raise ValidationError("Tripo multi-view needs 2 to 4 pictures (front plus at least one more).")
    images = [{"image": views[v]} for v in given]
    if model == "TRIPO":
        return tripo.TripoMultiviewRequest(images=images, version=f"v{opts.tripo_version}",
                                                   **_tripo_common(opts))
    return tripo.TripoP1MultiviewRequest(images=images, **_tripo_common(opts))


def miniature_request(image: str, preset: str, edition: str, scale: str, scale_height_cm: float,
                      subject_height_cm: float = 0.0):
    """A 1:N scale for a subject that is not the assumed adult is sent as its printed height."""
    scale, height = miniature.scale_for_subject(
        preset, None if scale in ("", "none") else scale,
        float(scale_height_cm) if scale == "custom" else None, float(subject_height_cm or 0) or None)
    return miniature.MiniatureRequest(image=image, preset=preset, edition=edition or None,
                                      scale=scale, scale_height_cm=height)


def tool_request(tool: str, model_file: str, tools_opts, *, original_url: str = "", retopo_url: str = ""):
    height = float(tools_opts.target_height_cm) or None
    if tool == "REPAIR":
        return tools.RepairRequest(model_file=model_file, output_format=tools_opts.output_format,
                                   hollow=bool(tools_opts.hollow) or None, target_height=height,
                                   unit="cm" if height else None)
    if tool == "OPTIMIZE":
        return tools.OptimizeRequest(model_file=model_file)
    if tool == "CONVERT":
        return tools.ConvertRequest(model_file=model_file, output_format=tools_opts.output_format)
    if tool == "RENDER":
        return tools.RenderRequest(model_file=model_file, angle=tools_opts.render_angle)
    if tool == "VOLUME":
        return tools.VolumeRequest(model_file=model_file, target_height=height,
                                   unit="cm" if height else None)
    if tool == "BAKE":
        # The bake endpoint takes model URLs only (no file upload in the contract).
        if not (original_url and retopo_url):
            raise ValidationError(
                "Bake Texture needs web addresses of both models (original_url and retopo_url): "
                "the service does not accept uploaded files for baking.")
        return tools.BakeTextureRequest(original_url=original_url, retopo_url=retopo_url)
    raise ValidationError(f"Unknown tool {tool!r}; use REPAIR, OPTIMIZE, BAKE, CONVERT, RENDER or VOLUME.")
