"""Build bridge request objects from the add-on's model ids and options.

No ``bpy`` here beyond reading option values handed in, so the mapping from
"Tencent Pro, multi-view, PBR" to a request type and its wire fields sits in
one small place.
"""

from __future__ import annotations

from ...bridge.api import image3d, images, miniature, tencent, tools, trellis, tripo
from ...bridge.errors import ValidationError

#: An option left to the service is not sent at all (the enums' first choice).
SERVICE_DEFAULT = "SERVICE"
#: Models that take several views, and the order their endpoint expects them
#: (Tencent Pro's depend on its version: :func:`view_order`).
MULTIVIEW_ORDER = {
    "TENCENT_PRO": ("front", "back", "left", "right"),
    "TRIPO": ("front", "left", "back", "right"),
    "TRIPO_P1": ("front", "left", "back", "right"),
}
TEXT_MODELS = ("TENCENT_RAPID", "TENCENT_PRO", "TRIPO", "TRIPO_P1", "IMAGE3D")


def _chosen(value: str):
    return None if value == SERVICE_DEFAULT else value


def _true_or_none(value) -> bool | None:
    # Off is the service's default for these switches: leave it out of the request.
    return True if value else None


def _tripo_fields(model: str, opts, source: str, version: str | None = None) -> dict:
    """Tripo's options for ``source`` text, image or multiview (P1 takes fewer of them)."""
    p1 = model == "TRIPO_P1"
    fields = {"texture": bool(opts.tripo_texture), "pbr": bool(opts.tripo_pbr),
              "texture_quality": _chosen(opts.tripo_texture_quality)}
    if opts.use_face_limit:
        fields["face_limit"] = int(opts.p1_face_limit if p1 else opts.face_limit)
    if opts.tripo_use_seeds:
        fields["texture_seed"] = int(opts.tripo_texture_seed)
        if p1:
            fields["model_seed"] = int(opts.tripo_model_seed)
            if source == "text":
                fields["image_seed"] = int(opts.tripo_image_seed)
    if source == "text":
        fields["negative_prompt"] = opts.tripo_negative_prompt.strip() or None
    if not p1:
        fields.update(version=f"v{version or opts.tripo_version}",
                      geometry_quality=_chosen(opts.tripo_geometry_quality),
                      quad=_true_or_none(opts.tripo_quad),
                      smart_low_poly=_true_or_none(opts.tripo_smart_low_poly),
                      generate_parts=_true_or_none(opts.tripo_generate_parts))
        if source != "text":
            fields.update(texture_alignment=_chosen(opts.tripo_texture_alignment),
                          orientation=_chosen(opts.tripo_orientation))
        if source == "image":
            fields["enable_image_autofix"] = _true_or_none(opts.tripo_image_autofix)
    return {k: v for k, v in fields.items() if v is not None}


def _tencent_pro(opts, version: str | None = None) -> dict:
    fields = {"model": version or opts.tencent_version, "enable_pbr": bool(opts.enable_pbr),
              "face_count": int(opts.face_count), "generate_type": opts.generate_type}
    if opts.generate_type == "LowPoly" and _chosen(opts.polygon_type):
        fields["polygon_type"] = opts.polygon_type
    return fields


def _trellis(opts) -> dict:
    fields = {"resolution": opts.trellis_resolution, "textures": bool(opts.trellis_textures),
              "steps": int(opts.trellis_steps),
              "decimation_target": int(opts.trellis_decimation_target)}
    if opts.trellis_textures:
        fields["texture_size"] = int(opts.trellis_texture_size)
    if opts.trellis_use_seed:
        fields["seed"] = int(opts.trellis_seed)
    return fields


def text_request(model: str, prompt: str, opts):
    if not (prompt or "").strip():
        raise ValidationError("Type a prompt first: describe the object to generate.")
    if model == "TENCENT_RAPID":
        return tencent.TencentRapidRequest(prompt=prompt, enable_pbr=bool(opts.enable_pbr))
    if model == "TENCENT_PRO":
        if opts.generate_type == "Sketch":
            raise ValidationError("Tencent Pro's Sketch type makes a model from a picture (the "
                                  "sketch); the prompt goes with it. Use From Picture.")
        return tencent.TencentProRequest(prompt=prompt, **_tencent_pro(opts))
    if model == "TRIPO":
        return tripo.TripoTextRequest(prompt=prompt, **_tripo_fields(model, opts, "text"))
    if model == "TRIPO_P1":
        return tripo.TripoP1TextRequest(prompt=prompt, **_tripo_fields(model, opts, "text"))
    if model == "IMAGE3D":
        return image3d.Image3dRequest(mode="text", prompt=prompt, quality=opts.image3d_quality,
                                              mesh_only=bool(opts.image3d_mesh_only) or None)
    raise ValidationError(f"{model} makes models from pictures only; pick a picture "
                          f"or another model ({', '.join(TEXT_MODELS)}).")


def takes_sketch_prompt(model: str, opts) -> bool:
    """True when a prompt may go with the picture (Tencent Pro, type Sketch)."""
    return model == "TENCENT_PRO" and opts.generate_type == "Sketch"


def image_request(model: str, image: str, opts, prompt: str = ""):
    prompt = (prompt or "").strip()
    if prompt and not takes_sketch_prompt(model, opts):
        raise ValidationError("A prompt goes with a picture only for Tencent Pro with type "
                              "Sketch; leave the prompt out or pick that model and type.")
    if model == "TENCENT_RAPID":
        return tencent.TencentRapidRequest(image=image, enable_pbr=bool(opts.enable_pbr))
    if model == "TENCENT_PRO":
        return tencent.TencentProRequest(image=image, prompt=prompt or None, **_tencent_pro(opts))
    if model == "TRELLIS2":
        return trellis.Trellis2Request(image=image, **_trellis(opts))
    if model in ("TRIPO", "TRIPO_P1"):
        cls = tripo.TripoImageRequest if model == "TRIPO" else tripo.TripoP1ImageRequest
        return cls(image=image, **_tripo_fields(model, opts, "image"))
    if model == "IMAGE3D":
        return image3d.Image3dRequest(mode="image", image=image, quality=opts.image3d_quality,
                                              mesh_only=bool(opts.image3d_mesh_only) or None)
    raise ValidationError(f"Unknown model {model!r}.")


def view_order(model: str, opts, version: str | None = None) -> tuple[str, ...]:
    """The views ``model`` takes, in its endpoint's order (empty: no multi-view mode)."""
    if model == "TENCENT_PRO":
        # The four views in the panel's order, then the ones 3.1 adds.
        allowed = tencent.VIEWS.get(version or opts.tencent_version, ())
        return tuple(v for v in dict.fromkeys((*MULTIVIEW_ORDER[model], *tencent.VIEWS["3.1"])) if v in allowed)
    return MULTIVIEW_ORDER.get(model, ())


def multiview_request(model: str, views: dict[str, str], opts, version: str | None = None):
    """``views`` maps view names (front, back, …) to picture paths; missing views left out.

    ``version`` overrides the options' Tencent Pro / Tripo version (e.g. "3.0").
    """
    order = view_order(model, opts, version)
    if not order:
        raise ValidationError(f"{model} has no multi-view mode; use Tencent Pro, Tripo or Tripo P1.")
    if not views.get("front"):
        raise ValidationError("Multi-view needs at least the front picture.")
    extra = [v for v, path in views.items() if path and v not in order]
    if extra:
        raise ValidationError(f"{model.replace('_', ' ').title()} takes the views {', '.join(order)}; "
                              f"it cannot use {', '.join(extra)}"
                              + (" (Tencent Pro 3.1 takes eight views)." if model == "TENCENT_PRO" else "."))
    given = [v for v in order if views.get(v)]
    if model == "TENCENT_PRO":
        items = [{"view_type": v, "view_image": views[v]} for v in given]
        return tencent.TencentProRequest(multi_view_images=items, **_tencent_pro(opts, version))
    if len(given) < 2:
        raise ValidationError("Tripo multi-view needs 2 to 4 pictures (front plus at least one more).")
    images = [{"image": views[v]} for v in given]
    fields = _tripo_fields(model, opts, "multiview", version)
    if model == "TRIPO":
        return tripo.TripoMultiviewRequest(images=images, **fields)
    return tripo.TripoP1MultiviewRequest(images=images, **fields)


def miniature_scale(scale: str, ratio: float = 0.0) -> str | None:
    """The wire's scale: a named one, ``custom``, ``1:N`` for the ratio choice, None for none."""
    if scale in ("", "none"):
        return None
    if scale == "ratio":
        return f"1:{float(ratio):g}"
    return scale


def miniature_request(image: str, preset: str, edition: str, scale: str, scale_height_cm: float,
                      scale_ratio: float = 0.0, face_count: int | None = None,
                      subject_height_cm: float = 0.0):
    """A 1:N scale for a subject that is not the assumed adult is sent as its printed height."""
    wire_scale, height = miniature.scale_for_subject(
        preset, miniature_scale(scale, scale_ratio),
        float(scale_height_cm) if scale == "custom" else None, float(subject_height_cm or 0) or None)
    return miniature.MiniatureRequest(
        image=image, preset=preset, edition=edition or None, scale=wire_scale,
        scale_height_cm=height, face_count=int(face_count) if face_count else None)


def miniature_from_settings(image: str, mini):
    """The miniature request ``Scene.aistudio.miniature`` describes, for ``image``."""
    return miniature_request(image, mini.preset, mini.edition, mini.scale, mini.scale_height_cm,
                             mini.scale_ratio, mini.face_count if mini.use_face_count else None,
                             mini.subject_height_cm)


#: What the panel's format choices ask the service for: an OBJ comes as a zip with its
#: MTL and textures, since a bare OBJ names an MTL it does not bring (no material arrives).
WIRE_FORMATS = {"obj": "obj_zip"}


def wire_format(choice: str) -> str:
    return WIRE_FORMATS.get(choice, choice)


def tool_request(tool: str, model_file: str, tools_opts):
    """A tool that takes the mesh as an uploaded file (retexture, retopology and bake take
    addresses: ``meshtools.py`` builds their chains)."""
    height = float(tools_opts.target_height_cm) or None
    if tool == "REPAIR":
        return tools.RepairRequest(model_file=model_file,
                                   output_format=wire_format(tools_opts.output_format),
                                   hollow=bool(tools_opts.hollow) or None, target_height=height,
                                   unit="cm" if height else None)
    if tool == "OPTIMIZE":
        return tools.OptimizeRequest(model_file=model_file)
    if tool == "CONVERT":
        return tools.ConvertRequest(model_file=model_file,
                                    output_format=wire_format(tools_opts.output_format))
    if tool == "RENDER":
        return tools.RenderRequest(model_file=model_file, angle=tools_opts.render_angle)
    if tool == "VOLUME":
        return tools.VolumeRequest(model_file=model_file, target_height=height,
                                   unit="cm" if height else None)
    raise ValidationError(f"Unknown tool {tool!r}; use REPAIR, OPTIMIZE, CONVERT, RENDER, VOLUME, "
                          "RETEXTURE, RETOPOLOGY or BAKE.")


# -- text to image --------------------------------------------------------------

#: The add-on's picture models (their ids are the scripting API) → bridge request types.
IMAGE_MODELS = {
    "GEMINI_3_PRO": images.Gemini3ProImageRequest,
    "GEMINI_31_FLASH": images.Gemini31FlashImageRequest,
    "GEMINI_25_FLASH": images.Gemini25FlashImageRequest,
    "SEEDREAM": images.SeedreamImageRequest,
}
DEFAULT_RESOLUTION = "DEFAULT"
#: Seedream names its sizes; these are the aspect ratios it has one for.
_SEEDREAM_SIZES = {"4:3": "landscape_4_3", "3:4": "portrait_4_3",
                   "16:9": "landscape_16_9", "9:16": "portrait_16_9"}


def _seedream_size(aspect_ratio: str, resolution: str) -> str | None:
    if aspect_ratio in ("", "auto"):
        if resolution == DEFAULT_RESOLUTION:
            return None
        return "auto_3K" if resolution == "4K" else "auto_2K"
    if aspect_ratio == "1:1":
        return "square" if resolution in ("512px", "1K") else "square_hd"
    if aspect_ratio in _SEEDREAM_SIZES:
        return _SEEDREAM_SIZES[aspect_ratio]
    raise ValidationError(f"Seedream makes pictures in auto, 1:1, {', '.join(_SEEDREAM_SIZES)} "
                          f"only; {aspect_ratio} needs a Gemini model.")


def text_image_request(model: str, prompt: str, resolution: str = DEFAULT_RESOLUTION,
                       aspect_ratio: str = "auto", num_images: int = 1):
    """A picture-generation request: ``resolution`` 512px/1K/2K/4K or DEFAULT, ``aspect_ratio`` e.g. 16:9."""
    if not (prompt or "").strip():
        raise ValidationError("Type a prompt first: describe the picture to generate.")
    cls = IMAGE_MODELS.get(model)
    if cls is None:
        raise ValidationError(f"Unknown picture model {model!r}; use {', '.join(IMAGE_MODELS)}.")
    count = int(num_images) if num_images and int(num_images) != 1 else None
    if model == "SEEDREAM":
        return cls(prompt=prompt.strip(), image_size=_seedream_size(aspect_ratio, resolution),
                   num_images=count)
    return cls(prompt=prompt.strip(), num_images=count, aspect_ratio=aspect_ratio or None,
               resolution=None if resolution == DEFAULT_RESOLUTION else resolution)
