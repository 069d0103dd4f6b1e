"""Image commands: Gemini 3 Pro / 3.1 Flash / 2.5 Flash and Seedream, generate or edit.

Giving ``--image`` (repeatable) turns a command into the model's edit endpoint.
"""

from __future__ import annotations

from ..api.images import (
    ASPECT_RATIOS,
    FLASH31_EXTRA_RATIOS,
    GEMINI_EDIT_MAX,
    OUTPUT_FORMATS,
    SEEDREAM_SIZES,
    Gemini3ProEditRequest,
    Gemini3ProImageRequest,
    Gemini25FlashEditRequest,
    Gemini25FlashImageRequest,
    Gemini31FlashEditRequest,
    Gemini31FlashImageRequest,
    SeedreamEditRequest,
    SeedreamImageRequest,
)
from .commands import add_request_command

GEMINI = {
    # command: (generate type, edit type, price text, aspect ratios, resolutions)
    "image-gemini3pro": (Gemini3ProImageRequest, Gemini3ProEditRequest,
                         "50 credits per 1K/2K image, 80 per 4K", ASPECT_RATIOS, "1K, 2K, 4K"),
    "image-gemini31flash": (Gemini31FlashImageRequest, Gemini31FlashEditRequest,
                            "10-25 credits per image by resolution",
                            ASPECT_RATIOS + FLASH31_EXTRA_RATIOS, "512px, 1K, 2K, 4K"),
    "image-gemini25flash": (Gemini25FlashImageRequest, Gemini25FlashEditRequest,
                            "5 credits per image", ASPECT_RATIOS, ""),
}


def _gemini_maker(generate_cls, edit_cls):
    def make(a):
        common = {"prompt": a.prompt or "", "output_format": a.output_format,
                  "aspect_ratio": a.aspect_ratio, "num_images": a.count,
                  "resolution": getattr(a, "resolution", None)}
        if a.image:
            return edit_cls(images=list(a.image), **common)
        return generate_cls(**common)
    return make


def _seedream(a):
    common = {"prompt": a.prompt or "", "image_size": a.image_size, "num_images": a.count,
              "seed": a.seed, "enable_safety_checker": a.safety_checker}
    if a.image:
        return SeedreamEditRequest(image_urls=list(a.image), **common)
    return SeedreamImageRequest(**common)


def _edit_flag(p, limit: int) -> None:
    p.add_argument("--image", action="append", metavar="PICTURE",
                   help=f"picture to edit (file or http(s) URL); repeat for up to {limit}. "
                        "Given: the edit endpoint is used")


def register_images(sub) -> None:
    for command, (gen_cls, edit_cls, price, ratios, resolutions) in GEMINI.items():
        p = add_request_command(sub, command, f"{gen_cls.LABEL} generate or edit ({price})",
                                _gemini_maker(gen_cls, edit_cls))
        p.add_argument("--prompt", help="what to draw or how to change the pictures (required)")
        _edit_flag(p, GEMINI_EDIT_MAX)
        p.add_argument("--count", type=int, metavar="N",
                       help="number of images, 1-4 (sent as num_images)")
        p.add_argument("--aspect-ratio", metavar="W:H", help=", ".join(ratios))
        if resolutions:
            p.add_argument("--resolution", help=resolutions)
        p.add_argument("--output-format", metavar="FMT", help=", ".join(OUTPUT_FORMATS))

    p = add_request_command(sub, "image-seedream", "Seedream v5 lite generate or edit "
                            "(10 credits per image)", _seedream)
    p.add_argument("--prompt", help="what to draw or how to change the pictures (required)")
    _edit_flag(p, 14)
    p.add_argument("--count", type=int, metavar="N", help="number of images, 1-6 (sent as num_images)")
    p.add_argument("--image-size", metavar="SIZE", help=", ".join(SEEDREAM_SIZES))
    p.add_argument("--seed", type=int, help="random seed for repeatable results")
    p.add_argument("--safety-checker", action="store_true", default=None,
                   help="ask for the service's safety checker (enable_safety_checker)")
    p.add_argument("--no-safety-checker", dest="safety_checker", action="store_false",
                   help="turn the service's safety checker off")
