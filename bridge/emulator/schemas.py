"""Every endpoint of the contract as data: wire fields, rules, price, duration, result.

One table per family; ``ENDPOINTS`` maps a POST path to its schema. Field
kinds are checked by ``validation``; ``price`` and ``seconds`` take the
validated body; ``result`` names the producer in ``results``. Enumerations
come from the request types in ``bridge.api`` (one transcription of the
contract), while the table structure — which names exist on the wire —
is written here from the contract, so a client that sends a name the
contract lacks is caught.
"""

from __future__ import annotations

import base64

from ..api import images as img_api
from ..api import miniature as mini_api
from ..api import tencent as tencent_api
from ..api import tools as tools_api
from ..api import trellis as trellis_api
from ..api import tripo as tripo_api
from ..api.image3d import QUALITIES as IMAGE3D_QUALITIES
from ..api.image3d import QUALITY_SECONDS as IMAGE3D_SECONDS
from ..errors import ValidationError
from ..imagefile import sniff_image_type
from .validation import WireError

BOOL = ("bool", None)
URL = ("url", None)
IMAGE = ("image", None)
FILE = ("file", None)


def TEXT(n):  # noqa: N802 - reads like the type it declares
    return ("text", n)


def INT(lo, hi):  # noqa: N802
    return ("int", (lo, hi))


def NUM(lo=1e-9, hi=1e12):  # noqa: N802
    return ("num", (lo, hi))


def ENUM(*choices):  # noqa: N802
    return ("enum", tuple(choices))


def _scale(name, value):
    try:
        mini_api.scale_ratio(value)
    except ValidationError as exc:
        raise WireError(f"{name}: {exc}") from None


def _raw_or_data_url_image(name, value):
    """image3d.io takes plain base64 (older page) or a data URL (newer page)."""
    try:
        data = image3d_image_bytes(value)
    except (ValueError, TypeError):
        raise WireError(f"{name}: must be base64 image data or a data URL") from None
    if sniff_image_type(data) is None:
        raise WireError(f"{name}: does not hold a PNG, JPEG or WebP image")


def image3d_image_bytes(value: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError("not a string")
    payload = value.partition(",")[2] if value.startswith("data:") else value
    return base64.b64decode(payload, validate=True)


SEED = INT(0, 2**32 - 1)
UNIT = ENUM(*tools_api.UNITS)
FORMATS = ENUM(*tools_api.OUTPUT_FORMATS)

# -- 3D generation ---------------------------------------------------------------

TENCENT_RAPID = {
    "fields": {"prompt": TEXT(1024), "image": IMAGE, "enable_pbr": BOOL},
    "one_of": [("prompt", "image")],
    "price": lambda b: 35 + (15 if b.get("enable_pbr") else 0),
    "seconds": lambda b: 120.0, "result": "model",
}

TENCENT_PRO = {
    "fields": {"model": ENUM(*tencent_api.PRO_MODELS), "prompt": TEXT(1024), "image": IMAGE,
               "enable_pbr": BOOL, "face_count": INT(40_000, 1_500_000),
               "generate_type": ENUM(*tencent_api.GENERATE_TYPES),
               "polygon_type": ENUM(*tencent_api.POLYGON_TYPES),
               "multi_view_images": ("views", tencent_api.VIEWS["3.1"])},
    "required": ["model"],
    "any_of": [("prompt", "image", "multi_view_images")],
    "rules": [
        (lambda b: not (b.get("model") == "3.1" and b.get("generate_type") in tencent_api.NOT_ON_31),
         "generate_type LowPoly and Sketch are not available on model 3.1."),
        (lambda b: "polygon_type" not in b or b.get("generate_type") == "LowPoly",
         "polygon_type only applies with generate_type LowPoly."),
        (lambda b: not ("prompt" in b and ("image" in b or "multi_view_images" in b))
         or b.get("generate_type") == "Sketch",
         "prompt and image together only with generate_type Sketch."),
        (lambda b: not ("image" in b and "multi_view_images" in b),
         "Give the front picture as the 'front' view, not also as image."),
        (lambda b: all(v["view_type"] in tencent_api.VIEWS[b.get("model", "3.0")]
                       for v in b.get("multi_view_images", [])),
         "A view_type in multi_view_images is not available on this model."),
    ],
    "price": lambda b: 60 + (20 if b.get("enable_pbr") else 0) + (20 if b.get("multi_view_images") else 0),
    "seconds": lambda b: 180.0 + (60.0 if b.get("multi_view_images") else 0.0),
    "result": "model",
}

TRELLIS = {
    "fields": {"image": IMAGE, "image_url": URL, "resolution": ENUM(*trellis_api.RESOLUTIONS),
               "steps": INT(1, 50), "textures": BOOL,
               "texture_size": ENUM(*trellis_api.TEXTURE_SIZES),
               "decimation_target": INT(1_000, 16_000_000), "seed": SEED,
               "generate_thumbnail": BOOL},
    "one_of": [("image", "image_url")],
    "rules": [(lambda b: "texture_size" not in b or b.get("textures"),
               "texture_size only applies with textures true.")],
    "price": lambda b: {"512": 10, "1024": 20, "1536": 30}[b.get("resolution", "1024")]
    + (20 if b.get("textures") else 0),
    "seconds": lambda b: 90.0, "result": "model",
}

_TRIPO_COMMON = {"texture": BOOL, "pbr": BOOL, "texture_quality": ENUM(*tripo_api.QUALITIES),
                 "texture_seed": SEED, "auto_size": BOOL, "export_uv": BOOL,
                 "compress": ENUM("geometry")}
_TRIPO_V3 = {**_TRIPO_COMMON, "geometry_quality": ENUM(*tripo_api.QUALITIES),
             "face_limit": INT(500, 500_000), "quad": BOOL, "smart_low_poly": BOOL,
             "generate_parts": BOOL}
_TRIPO_IMAGE = {"texture_alignment": TEXT(64), "orientation": TEXT(64)}
_PARTS_RULE = (lambda b: not b.get("generate_parts")
               or (b.get("texture") is False and b.get("pbr") is False),
               "generate_parts needs texture=false and pbr=false.")


def _tripo_price(base: int, texture: int, detailed_geometry: int = 0):
    def price(b):
        total = base
        if b.get("texture", True):
            total += texture
        if b.get("pbr", True):
            total += texture
        if b.get("texture_quality") == "detailed":
            total += 20
        if b.get("geometry_quality") == "detailed":
            total += detailed_geometry
        return total
    return price


def _tripo(fields, one_of=(), seconds=120.0, price=None, rules=()):
    return {"fields": fields, "one_of": list(one_of), "rules": [*rules],
            "required": ["prompt"] if "prompt" in fields else [],
            "price": price, "seconds": lambda b: seconds, "result": "model"}


TRIPO_TEXT = _tripo({**_TRIPO_V3, "prompt": TEXT(1024), "negative_prompt": TEXT(1024)},
                    price=_tripo_price(20, 20, 40), rules=[_PARTS_RULE])
TRIPO_IMAGE = _tripo({**_TRIPO_V3, **_TRIPO_IMAGE, "image": IMAGE, "image_url": URL,
                      "enable_image_autofix": BOOL}, one_of=[("image", "image_url")],
                     price=_tripo_price(40, 20), rules=[_PARTS_RULE])
TRIPO_MULTI = _tripo({**_TRIPO_V3, **_TRIPO_IMAGE, "images": ("tripo_images", (2, 4))},
                     seconds=150.0, price=_tripo_price(40, 20), rules=[_PARTS_RULE])
TRIPO_MULTI["required"] = ["images"]

_P1 = {**_TRIPO_COMMON, "face_limit": INT(48, 20_000), "model_seed": SEED}
P1_TEXT = _tripo({**_P1, "prompt": TEXT(1024), "negative_prompt": TEXT(255), "image_seed": SEED},
                 seconds=180.0, price=_tripo_price(60, 40))
P1_IMAGE = _tripo({**_P1, "image": IMAGE, "image_url": URL}, one_of=[("image", "image_url")],
                  seconds=180.0, price=_tripo_price(60, 40))
P1_MULTI = _tripo({**_P1, "images": ("tripo_images", (2, 4))}, seconds=180.0,
                  price=_tripo_price(60, 40))
P1_MULTI["required"] = ["images"]

# -- images ----------------------------------------------------------------------


def _gemini(ratios, resolutions, per_image, edit: bool):
    fields = {"prompt": TEXT(img_api.PROMPT_LIMIT), "output_format": ENUM(*img_api.OUTPUT_FORMATS),
              "aspect_ratio": ENUM(*ratios), "num_images": INT(1, 4)}
    if resolutions:
        fields["resolution"] = ENUM(*resolutions)
    if edit:
        fields["images"] = ("image_list", (1, img_api.GEMINI_EDIT_MAX))
    return {"fields": fields, "required": ["prompt", *(["images"] if edit else [])],
            "price": lambda b: per_image(b) * b.get("num_images", 1),
            "seconds": lambda b: 20.0 + 5.0 * (b.get("num_images", 1) - 1),
            "result": "image_edit" if edit else "image"}


def _seedream(edit: bool):
    fields = {"prompt": TEXT(img_api.PROMPT_LIMIT), "image_size": ENUM(*img_api.SEEDREAM_SIZES),
              "num_images": INT(1, 6), "seed": INT(0, 2**31 - 1), "enable_safety_checker": BOOL}
    if edit:
        fields["image_urls"] = ("image_list", (1, img_api.SEEDREAM_EDIT_MAX))
    return {"fields": fields, "required": ["prompt", *(["image_urls"] if edit else [])],
            "price": lambda b: 10 * b.get("num_images", 1),
            "seconds": lambda b: 20.0 + 5.0 * (b.get("num_images", 1) - 1),
            "result": "image_edit" if edit else "image"}


_G3PRO = (img_api.ASPECT_RATIOS, ("1K", "2K", "4K"),
          lambda b: 80 if b.get("resolution") == "4K" else 50)
_G31 = (img_api.ASPECT_RATIOS + img_api.FLASH31_EXTRA_RATIOS, ("512px", "1K", "2K", "4K"),
        lambda b: {"512px": 10, "1K": 15, "2K": 20, "4K": 25}[b.get("resolution", "1K")])
_G25 = (img_api.ASPECT_RATIOS, (), lambda b: 5)

# -- tools -----------------------------------------------------------------------

_MODEL = {"model_url": URL, "model_file": FILE}
_IMAGE_IN = {"image_url": IMAGE, "image_file": FILE}


def _tool(fields, price, seconds=30.0, result="passthrough", one_of=(("model_url", "model_file"),),
          required=(), rules=()):
    return {"fields": fields, "one_of": list(one_of), "required": list(required),
            "rules": list(rules), "price": price, "seconds": lambda b: seconds, "result": result}


TOOLS = {
    "/v1/tools/convert/": _tool({**_MODEL, "output_format": FORMATS, "max_size": NUM(), "unit": UNIT},
                                lambda b: 10, result="convert", required=["output_format"]),
    "/v1/tools/render/": _tool({**_MODEL, "output_type": ENUM("image", "video"),
                                "angle": ENUM(*tools_api.RENDER_ANGLES), "resolution": INT(64, 4096),
                                "lighting": TEXT(64), "background": TEXT(64), "ground_shadow": BOOL},
                               lambda b: 20 if b.get("output_type") == "video" else 5, result="render"),
    "/v1/tools/repair/": _tool({**_MODEL, "output_format": FORMATS, "hollow": BOOL,
                                "wall_thickness": NUM(), "target_height": NUM(), "unit": UNIT,
                                "quality": ENUM("low", "default", "max"), "topology": ENUM("tris", "quads"),
                                "texture_resolution": INT(256, 8192), "bake_textures": BOOL},
                               lambda b: 90 if b.get("hollow") else 60, seconds=60.0,
                               rules=[(lambda b: "wall_thickness" not in b or b.get("hollow"),
                                       "wall_thickness only applies with hollow true.")]),
    "/v1/tools/optimize/": _tool({"model_file": FILE, "preset": TEXT(32), "max_texture_size": INT(64, 8192)},
                                 lambda b: 10, one_of=(), required=["model_file"]),
    "/v1/tools/bake-texture/": _tool({"original_url": URL, "retopo_url": URL,
                                      "texture_resolution": INT(256, 8192), "output_format": FORMATS},
                                     lambda b: 5, one_of=(), required=["original_url", "retopo_url"],
                                     result="bake"),
    "/v1/tools/remove-bg/": _tool({**_IMAGE_IN, "quality": ENUM("low", "medium", "high"),
                                   "return_mask": BOOL},
                                  lambda b: {"low": 3, "medium": 4, "high": 5}[b.get("quality", "medium")],
                                  one_of=(("image_url", "image_file"),), result="passthrough_image"),
    "/v1/tools/image-enhance/": _tool({**_IMAGE_IN, "enhance": BOOL, "mode": ENUM("enhance", "restore"),
                                       "remove_bg": BOOL, "remove_bg_quality": ENUM("low", "medium", "high")},
                                      lambda b: 15 + (5 if b.get("remove_bg") else 0),
                                      one_of=(("image_url", "image_file"),), result="passthrough_image"),
    "/v1/tools/calculate-volume/": _tool(
        {**_MODEL, "target_height": NUM(), "target_heights": ("heights", None), "unit": UNIT},
        lambda b: 20, seconds=20.0, result="volume",
        rules=[(lambda b: not ("target_height" in b and "target_heights" in b),
                "Give target_height or target_heights, not both.")]),
    "/v1/3d-models/tencent/topology/": _tool(
        {"file_url": URL, "file_type": ENUM("GLB", "OBJ"), "polygon_type": ENUM(*tencent_api.POLYGON_TYPES),
         "face_level": ENUM("high", "medium", "low"), "output_format": TEXT(16)},
        lambda b: 100, seconds=150.0, one_of=(), required=["file_url"], result="topology"),
    "/v1/3d-models/tencent/texture-edit/": _tool(
        {"file_url": URL, "prompt": TEXT(1024), "image": IMAGE, "enable_pbr": BOOL},
        lambda b: 80, seconds=150.0, one_of=(("prompt", "image"),), required=["file_url"],
        result="texture_edit"),
}

MINIATURE = {
    "fields": {"image": IMAGE, "preset": ENUM(*mini_api.PRESETS), "edition": ENUM(*mini_api.EDITIONS),
               "scale": ("custom", _scale), "scale_height_cm": NUM(0.1, 100),
               "face_count": INT(3_000, 1_500_000), "obj_scale_multiplier": NUM(0.0001, 100_000),
               "2d_engine": ENUM(*mini_api.ENGINES_2D), "3d_engine": ENUM(*mini_api.ENGINES_3D)},
    "required": ["image", "preset"],
    "rules": [(lambda b: b.get("scale") != "custom" or "scale_height_cm" in b,
               "scale custom needs scale_height_cm."),
              (lambda b: "scale_height_cm" not in b or b.get("scale") == "custom",
               "scale_height_cm only applies with scale custom.")],
    "price": lambda b: mini_api.EDITIONS[b.get("edition", "default")],
    "seconds": lambda b: mini_api.EDITION_SECONDS[b.get("edition", "default")],
    "result": "miniature",
}

ENDPOINTS: dict[str, dict] = {
    "/v1/3d-models/tencent/generate/rapid/": TENCENT_RAPID,
    "/v1/3d-models/tencent/generate/pro/": TENCENT_PRO,
    "/v1/3d-models/trellis2/generate/": TRELLIS,
    "/v1/3d-models/tripo/text-to-3d/": TRIPO_TEXT,
    "/v1/3d-models/tripo/text-to-3d/3.1/": TRIPO_TEXT,
    "/v1/3d-models/tripo/image-to-3d/": TRIPO_IMAGE,
    "/v1/3d-models/tripo/image-to-3d/3.1/": TRIPO_IMAGE,
    "/v1/3d-models/tripo/multiview-to-3d/": TRIPO_MULTI,
    "/v1/3d-models/tripo/multiview-to-3d/3.1/": TRIPO_MULTI,
    "/v1/3d-models/tripo/text-to-3d/p1/": P1_TEXT,
    "/v1/3d-models/tripo/image-to-3d/p1/": P1_IMAGE,
    "/v1/3d-models/tripo/multiview-to-3d/p1/": P1_MULTI,
    "/v1/images/gemini/3/pro/generate/": _gemini(*_G3PRO, edit=False),
    "/v1/images/gemini/3/pro/edit/": _gemini(*_G3PRO, edit=True),
    "/v1/images/gemini/3.1/flash/generate/": _gemini(*_G31, edit=False),
    "/v1/images/gemini/3.1/flash/edit/": _gemini(*_G31, edit=True),
    "/v1/images/gemini/2.5/flash/generate/": _gemini(*_G25, edit=False),
    "/v1/images/gemini/2.5/flash/edit/": _gemini(*_G25, edit=True),
    "/v1/images/seedream/v5/lite/generate/": _seedream(edit=False),
    "/v1/images/seedream/v5/lite/edit/": _seedream(edit=True),
    **TOOLS,
    "/v1/flow/miniature/": MINIATURE,
}

IMAGE3D_GENERATE = {
    "fields": {"mode": ENUM("image", "text"), "prompt": TEXT(2000),
               "image": ("custom", _raw_or_data_url_image),
               "quality": ENUM(*IMAGE3D_QUALITIES), "mesh_only": BOOL},
    "required": ["mode"],
    "rules": [(lambda b: b["mode"] != "text" or "prompt" in b, "mode text needs a prompt."),
              (lambda b: b["mode"] != "image" or "image" in b, "mode image needs an image.")],
    "price": lambda b: 1,
    "seconds": lambda b: IMAGE3D_SECONDS[b.get("quality", "pro")],
    "result": "model",
}
