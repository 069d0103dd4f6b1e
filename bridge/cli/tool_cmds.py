"""Tool commands: convert, render, repair, optimize, remove-bg, image-enhance, volume,
and the Tencent topology / texture-edit tools (bake-texture, retexture and retopology,
which also take local files, are in ``mesh_cmds``)."""

from __future__ import annotations

import argparse

from ..api.image_tools import QUALITIES, ImageEnhanceRequest, RemoveBackgroundRequest
from ..api.tencent import POLYGON_TYPES, TencentTextureEditRequest, TencentTopologyRequest
from ..api.tools import (
    OUTPUT_FORMATS,
    RENDER_ANGLES,
    UNITS,
    ConvertRequest,
    OptimizeRequest,
    RenderRequest,
    RepairRequest,
    VolumeRequest,
)
from ..errors import ValidationError
from .commands import add_request_command
from .sources import is_url, one_image

BOOL = argparse.BooleanOptionalAction
FORMATS = ", ".join(OUTPUT_FORMATS)


def _model(a) -> dict:
    return {"model_url": a.model_url, "model_file": a.model_file}


def _image(a, command: str) -> dict:
    image = one_image(a.image, command)
    if image and a.image_url:
        raise ValidationError("Give --image or --image-url, not both.")
    if is_url(image) or (image or "").startswith("data:"):
        return {"image_url": image, "image_file": None}
    return {"image_url": a.image_url, "image_file": image}


def _model_args(p) -> None:
    p.add_argument("--model-url", metavar="URL", help="public http(s) URL of the model (sent as JSON)")
    p.add_argument("--model-file", metavar="PATH",
                   help="local GLB/glTF/OBJ/STL/PLY/FBX/ZIP file (uploaded as multipart)")


def _image_args(p) -> None:
    p.add_argument("--image", action="append", metavar="PICTURE",
                   help="local picture (uploaded as image_file) or http(s) URL")
    p.add_argument("--image-url", metavar="URL", help="public URL of the picture")


def _optimize(a) -> OptimizeRequest:
    if a.model_url:
        raise ValidationError("optimize takes a local file only (--model-file); the service does "
                              "not accept a model URL.")
    return OptimizeRequest(model_file=a.model_file or "", preset=a.preset,
                           max_texture_size=a.max_texture_size)


def _register_model_tools(sub) -> None:
    p = add_request_command(sub, "convert", "Convert a model to another format (10 credits)",
                            lambda a: ConvertRequest(**_model(a), output_format=a.output_format or "",
                                                     max_size=a.max_size, unit=a.unit))
    _model_args(p)
    p.add_argument("--output-format", metavar="FMT", help=f"target format (required): {FORMATS}")
    p.add_argument("--max-size", type=float, metavar="SIZE", help="scale so the largest side is SIZE")
    p.add_argument("--unit", help=f"unit of --max-size: {', '.join(UNITS)}")

    p = add_request_command(sub, "render", "Render a model to a picture (5 credits) or video (20)",
                            lambda a: RenderRequest(**_model(a), output_type=a.output_type,
                                                    angle=a.angle, resolution=a.resolution,
                                                    lighting=a.lighting, background=a.background,
                                                    ground_shadow=a.ground_shadow))
    _model_args(p)
    p.add_argument("--output-type", metavar="TYPE", help="image (default) or video")
    p.add_argument("--angle", help=f"{', '.join(RENDER_ANGLES)} (default 3/4)")
    p.add_argument("--resolution", type=int, metavar="PX", help="size in pixels, up to 4096")
    p.add_argument("--lighting", help="lighting preset, e.g. studio")
    p.add_argument("--background", help="background, e.g. transparent")
    p.add_argument("--ground-shadow", action=BOOL, default=None, help="draw a shadow on the ground")

    p = add_request_command(sub, "repair", "Repair a mesh and prepare it for printing "
                            "(60 credits, 90 hollowed)",
                            lambda a: RepairRequest(
                                **_model(a), output_format=a.output_format, hollow=a.hollow,
                                wall_thickness=a.wall_thickness, target_height=a.target_height,
                                unit=a.unit, quality=a.quality, topology=a.topology,
                                texture_resolution=a.texture_resolution,
                                bake_textures=a.bake_textures))
    _model_args(p)
    p.add_argument("--output-format", metavar="FMT", help=FORMATS)
    p.add_argument("--hollow", action="store_true", default=None, help="hollow the model (+30 credits)")
    p.add_argument("--wall-thickness", type=float, metavar="T", help="wall thickness for --hollow")
    p.add_argument("--target-height", type=float, metavar="H", help="scale to this height")
    p.add_argument("--unit", help=f"unit of the sizes: {', '.join(UNITS)}")
    p.add_argument("--quality", help="low, default or max")
    p.add_argument("--topology", help="tris or quads")
    p.add_argument("--texture-resolution", type=int, metavar="PX", help="baked texture size")
    p.add_argument("--bake-textures", action=BOOL, default=None, help="bake textures onto the result")

    p = add_request_command(sub, "optimize", "Optimize / compress a local model file (10 credits)",
                            _optimize)
    _model_args(p)
    p.add_argument("--preset", help="optimization preset, e.g. low or default")
    p.add_argument("--max-texture-size", type=int, metavar="PX", help="largest texture side")

    p = add_request_command(sub, "volume", "Calculate a model's volume for printing (20 credits)",
                            lambda a: VolumeRequest(**_model(a), target_height=a.target_height,
                                                    target_heights=a.target_heights, unit=a.unit))
    _model_args(p)
    p.add_argument("--target-height", type=float, metavar="H", help="height to scale to first")
    p.add_argument("--target-heights", metavar="LIST", help='up to 10 heights, e.g. "5,10,15"')
    p.add_argument("--unit", help=f"{', '.join(UNITS)}")


def _register_url_tools(sub) -> None:
    p = add_request_command(sub, "tencent-topology", "Tencent retopology of a GLB/OBJ (100 credits)",
                            lambda a: TencentTopologyRequest(
                                file_url=a.file_url or "", file_type=a.file_type,
                                polygon_type=a.polygon_type, face_level=a.face_level,
                                output_format=a.output_format))
    p.add_argument("--file-url", metavar="URL", help="public URL of the model (required)")
    p.add_argument("--file-type", help="GLB or OBJ")
    p.add_argument("--polygon-type", help=" or ".join(POLYGON_TYPES))
    p.add_argument("--face-level", help="high, medium or low")
    p.add_argument("--output-format", metavar="FMT", help="format of the result")

    p = add_request_command(sub, "tencent-texture-edit", "Tencent re-texturing of an FBX (80 credits)",
                            lambda a: TencentTextureEditRequest(
                                file_url=a.file_url or "", prompt=a.prompt,
                                image=one_image(a.image, "tencent-texture-edit"),
                                enable_pbr=a.enable_pbr))
    p.add_argument("--file-url", metavar="URL", help="public URL of the FBX model (required)")
    p.add_argument("--prompt", help="describe the new look")
    p.add_argument("--image", action="append", metavar="PICTURE", help="reference picture")
    p.add_argument("--enable-pbr", action="store_true", default=None, help="PBR materials")


def _register_image_tools(sub) -> None:
    p = add_request_command(sub, "remove-bg", "Remove a picture's background (3-5 credits)",
                            lambda a: RemoveBackgroundRequest(**_image(a, "remove-bg"),
                                                              quality=a.quality,
                                                              return_mask=a.return_mask))
    _image_args(p)
    p.add_argument("--quality", help=", ".join(QUALITIES))
    p.add_argument("--return-mask", action="store_true", default=None, help="also return the mask")

    p = add_request_command(sub, "image-enhance", "Enhance or restore a picture (15 credits, "
                            "+5 with background removal)",
                            lambda a: ImageEnhanceRequest(**_image(a, "image-enhance"),
                                                          enhance=a.enhance, mode=a.mode,
                                                          remove_bg=a.remove_bg,
                                                          remove_bg_quality=a.remove_bg_quality))
    _image_args(p)
    p.add_argument("--mode", help="enhance or restore")
    p.add_argument("--enhance", action=BOOL, default=None, help="sharpen and upscale")
    p.add_argument("--remove-bg", action="store_true", default=None,
                   help="also remove the background (+5 credits)")
    p.add_argument("--remove-bg-quality", metavar="Q", help=", ".join(QUALITIES))


def register_tools(sub) -> None:
    _register_model_tools(sub)
    _register_url_tools(sub)
    _register_image_tools(sub)
