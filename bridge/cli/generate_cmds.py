"""3D generation commands: Tencent, TRELLIS.2, Tripo, miniature, image3d.io."""

from __future__ import annotations

import argparse

from ..api.image3d import QUALITIES, Image3dRequest
from ..api.miniature import EDITIONS, MiniatureRequest, scale_for_subject
from ..api.tencent import GENERATE_TYPES, POLYGON_TYPES, VIEWS, TencentProRequest, TencentRapidRequest
from ..api.trellis import RESOLUTIONS, TEXTURE_SIZES, Trellis2Request
from ..api.tripo import (
    ORIENTATIONS,
    TEXTURE_ALIGNMENTS,
    VERSIONS,
    TripoImageRequest,
    TripoMultiviewRequest,
    TripoP1ImageRequest,
    TripoP1MultiviewRequest,
    TripoP1TextRequest,
    TripoTextRequest,
)
from ..api.tripo import QUALITIES as TRIPO_QUALITIES
from ..errors import ValidationError
from .commands import add_request_command
from .sources import one_image, parse_views, split_image

BOOL = argparse.BooleanOptionalAction
IMAGE_HELP = "picture file (PNG/JPEG/WebP, checked by content) or http(s) URL"


def _flag(p, *names, **kw):
    """``store_true`` flags default to None so an unset flag is not sent at all."""
    p.add_argument(*names, action="store_true", default=None, **kw)


def _prompt(p, limit=1024):
    p.add_argument("--prompt", help=f"text description (up to {limit} characters)")


def _image(p, help_text=IMAGE_HELP, repeat=False):
    p.add_argument("--image", action="append", metavar="PICTURE", help=help_text +
                   ("; repeat the flag for several pictures" if repeat else ""))


# -- Tencent ------------------------------------------------------------------------

def _tencent_rapid(a) -> TencentRapidRequest:
    return TencentRapidRequest(prompt=a.prompt, image=one_image(a.image, "tencent-rapid"),
                               enable_pbr=a.enable_pbr)


def _tencent_pro(a) -> TencentProRequest:
    return TencentProRequest(model=a.model, prompt=a.prompt,
                             image=one_image(a.image, "tencent-pro"), enable_pbr=a.enable_pbr,
                             face_count=a.face_count, generate_type=a.generate_type,
                             polygon_type=a.polygon_type, multi_view_images=parse_views(a.view))


def _register_tencent(sub) -> None:
    p = add_request_command(sub, "tencent-rapid", "Tencent Hunyuan Rapid: fast text/image to 3D "
                            "(35 credits, +15 PBR)", _tencent_rapid)
    _prompt(p)
    _image(p)
    _flag(p, "--enable-pbr", help="physically based materials (+15 credits)")

    p = add_request_command(sub, "tencent-pro", "Tencent Hunyuan Pro 3.0/3.1: text, image, sketch or "
                            "multi-view to 3D (60 credits, +20 PBR, +20 multi-view)", _tencent_pro)
    p.add_argument("--model", default="3.0", metavar="VERSION",
                   help="model version: 3.0 (default) or 3.1")
    _prompt(p)
    _image(p, IMAGE_HELP + "; with --prompt only for --generate-type Sketch")
    _flag(p, "--enable-pbr", help="physically based materials (+20 credits)")
    p.add_argument("--face-count", type=int, metavar="N",
                   help="target faces, 40000-1500000 (service default 500000)")
    p.add_argument("--generate-type", metavar="TYPE",
                   help=f"{', '.join(GENERATE_TYPES)} (LowPoly and Sketch only on 3.0)")
    p.add_argument("--polygon-type", metavar="TYPE",
                   help=f"{' or '.join(POLYGON_TYPES)}; only with --generate-type LowPoly")
    p.add_argument("--view", action="append", metavar="VIEW=PICTURE",
                   help="a multi-view picture (+20 credits), repeatable; front is required. "
                        f"Views on 3.0: {', '.join(VIEWS['3.0'])}; 3.1 adds "
                        f"{', '.join(VIEWS['3.1'][4:])}")


# -- TRELLIS.2 -------------------------------------------------------------------------

def _trellis(a) -> Trellis2Request:
    image, url = split_image(one_image(a.image, "trellis"))
    return Trellis2Request(image=image, image_url=url, resolution=a.resolution, steps=a.steps,
                           textures=a.textures, texture_size=a.texture_size,
                           decimation_target=a.decimation_target, seed=a.seed,
                           generate_thumbnail=a.thumbnail)


def _register_trellis(sub) -> None:
    p = add_request_command(sub, "trellis", "TRELLIS.2: image to 3D (10-50 credits by resolution "
                            "and textures)", _trellis)
    _image(p)
    _flag(p, "--enable-pbr", "--textures", dest="textures",
          help="PBR textures (sent as the documented field 'textures')")
    p.add_argument("--resolution", metavar="R", help=f"{', '.join(RESOLUTIONS)} (default 1024)")
    p.add_argument("--steps", type=int, metavar="N", help="sampling steps 1-50 (default 12)")
    p.add_argument("--texture-size", type=int, metavar="PX",
                   help=f"{', '.join(map(str, TEXTURE_SIZES))}; only with --enable-pbr")
    p.add_argument("--decimation-target", type=int, metavar="FACES",
                   help="face budget 1000-16000000 (default 1000000)")
    p.add_argument("--seed", type=int, help="random seed for repeatable results")
    _flag(p, "--thumbnail", help="also render a preview thumbnail (generate_thumbnail)")


# -- Tripo ------------------------------------------------------------------------------

def _tripo_common(a) -> dict:
    return {"texture": a.texture, "pbr": a.pbr, "texture_quality": a.texture_quality,
            "texture_seed": a.texture_seed, "face_limit": a.face_limit, "auto_size": a.auto_size,
            "export_uv": a.export_uv, "compress": a.compress}


def _tripo_pick(a, command: str, text_cls, image_cls, multi_cls, extra: dict):
    images = a.image or []
    if a.prompt and images:
        raise ValidationError(f"{command} takes --prompt or --image, not both.")
    common = {**_tripo_common(a), **extra}
    if len(images) > 1:
        return multi_cls(images=images, **common)
    if images:
        image, url = split_image(images[0])
        return image_cls(image=image, image_url=url, **common)
    return text_cls(prompt=a.prompt or "", negative_prompt=a.negative_prompt, **common)


def _tripo(a):
    extra = {"version": a.version, "geometry_quality": a.geometry_quality, "quad": a.quad,
             "smart_low_poly": a.smart_low_poly, "generate_parts": a.generate_parts}
    request = _tripo_pick(a, "tripo", TripoTextRequest, TripoImageRequest, TripoMultiviewRequest, extra)
    if not isinstance(request, TripoTextRequest):
        if a.negative_prompt:
            raise ValidationError("--negative-prompt only applies to text-to-3D (--prompt).")
        request.texture_alignment = a.texture_alignment
        request.orientation = a.orientation
        if isinstance(request, TripoImageRequest):
            request.enable_image_autofix = a.image_autofix
    return request


def _tripo_p1(a):
    request = _tripo_pick(a, "tripo-p1", TripoP1TextRequest, TripoP1ImageRequest,
                          TripoP1MultiviewRequest, {"model_seed": a.model_seed})
    if isinstance(request, TripoP1TextRequest):
        request.image_seed = a.image_seed
    elif a.negative_prompt or a.image_seed is not None:
        raise ValidationError("--negative-prompt and --image-seed only apply to text-to-3D (--prompt).")
    return request


def _tripo_options(p, face_range: str) -> None:
    p.add_argument("--negative-prompt", metavar="TEXT", help="what to avoid (text-to-3D only)")
    p.add_argument("--texture", action=BOOL, default=None, help="texture the model (service default: on)")
    p.add_argument("--pbr", "--enable-pbr", dest="pbr", action=BOOL, default=None,
                   help="PBR materials (service default: on)")
    p.add_argument("--texture-quality", metavar="Q", help=" or ".join(TRIPO_QUALITIES))
    p.add_argument("--texture-seed", type=int, metavar="N", help="seed for the texture")
    p.add_argument("--face-limit", type=int, metavar="N", help=f"maximum faces, {face_range}")
    p.add_argument("--auto-size", action=BOOL, default=None, help="scale to real-world size")
    p.add_argument("--export-uv", action=BOOL, default=None, help="export UVs (service default: on)")
    p.add_argument("--compress", metavar="MODE", help="'geometry' to compress the mesh")


def _register_tripo(sub) -> None:
    p = add_request_command(sub, "tripo", "Tripo v3.0/v3.1: text, image or 2-4 picture multi-view "
                            "to 3D (20-120 credits)", _tripo)
    _prompt(p)
    _image(p, IMAGE_HELP + "; give 2-4 for multi-view", repeat=True)
    p.add_argument("--version", default="v3.0", metavar="V",
                   help=f"{' or '.join(VERSIONS)} (default v3.0; selects the endpoint path)")
    _tripo_options(p, "500-500000")
    p.add_argument("--geometry-quality", metavar="Q", help=" or ".join(TRIPO_QUALITIES))
    p.add_argument("--quad", action=BOOL, default=None, help="quad mesh instead of triangles")
    p.add_argument("--smart-low-poly", action=BOOL, default=None, help="hand-made-like low poly")
    p.add_argument("--generate-parts", action=BOOL, default=None,
                   help="segment into parts (needs --no-texture --no-pbr)")
    p.add_argument("--texture-alignment", metavar="A", help=" or ".join(TEXTURE_ALIGNMENTS))
    p.add_argument("--orientation", metavar="O", help=" or ".join(ORIENTATIONS))
    p.add_argument("--image-autofix", action=BOOL, default=None,
                   help="let the service clean up the picture (enable_image_autofix)")

    p = add_request_command(sub, "tripo-p1", "Tripo P1: premium text, image or multi-view to 3D "
                            "(60-160 credits)", _tripo_p1)
    _prompt(p)
    _image(p, IMAGE_HELP + "; give 2-4 for multi-view", repeat=True)
    _tripo_options(p, "48-20000")
    p.add_argument("--model-seed", type=int, metavar="N", help="seed for the geometry")
    p.add_argument("--image-seed", type=int, metavar="N", help="seed for the intermediate picture "
                   "(text-to-3D only)")


# -- miniature, image3d.io -------------------------------------------------------------

def _miniature(a) -> MiniatureRequest:
    scale, height = scale_for_subject(a.preset, a.scale, a.scale_height_cm, a.subject_height_cm)
    return MiniatureRequest(image=one_image(a.image, "miniature") or "", preset=a.preset,
                            edition=a.edition, scale=scale, scale_height_cm=height,
                            face_count=a.face_count, obj_scale_multiplier=a.obj_scale_multiplier)


def _image3d(a) -> Image3dRequest:
    return Image3dRequest(prompt=a.prompt, image=one_image(a.image, "image3d"), quality=a.quality,
                          mesh_only=a.mesh_only)


def _register_misc(sub) -> None:
    p = add_request_command(sub, "miniature", "Miniature flow: photo to a printable figurine "
                            f"({EDITIONS['fast']}-{EDITIONS['default']} credits)", _miniature)
    _image(p, "photo or picture of the subject (PNG/JPEG/WebP)")
    p.add_argument("--preset", default="miniature_human_full_body",
                   help="style preset, e.g. miniature_human_full_body, v4_miniature_general")
    p.add_argument("--edition", help="default (300 credits, 5-8 min) or fast (200 credits, 3-5 min)")
    p.add_argument("--scale", help="none, z, n, tt, h0, o, g, 1:N, or custom (needs --scale-height-cm)")
    p.add_argument("--scale-height-cm", type=float, metavar="CM",
                   help="printed height in cm for --scale custom (up to 100)")
    p.add_argument("--subject-height-cm", type=float, metavar="CM",
                   help="real height of the subject a 1:N scale applies to (needed for busts, "
                        "animals and objects; full human figures assume 175)")
    p.add_argument("--face-count", type=int, metavar="N", help="3000-1500000 faces")
    p.add_argument("--obj-scale-multiplier", type=float, metavar="X",
                   help="scale applied to the OBJ export, e.g. 1000 for mm")

    p = add_request_command(sub, "image3d", "image3d.io: text or picture to 3D (uses IMAGE3D_TOKEN)",
                            _image3d)
    _prompt(p, 2000)
    _image(p, "picture file (PNG/JPEG/WebP), sent as base64")
    p.add_argument("--quality", help=f"{', '.join(QUALITIES)} (service default pro)")
    _flag(p, "--mesh-only", help="untextured mesh, cheaper")


def register_generation(sub) -> None:
    _register_tencent(sub)
    _register_trellis(sub)
    _register_tripo(sub)
    _register_misc(sub)
