"""Every request type against the emulator over real loopback HTTP.

The emulator checks bodies against the contract (unknown fields and bad enum
values are a 400 ``validation_failed``), so a wrong wire name here fails
before it can fail against the real service. Invalid requests must be refused
locally: the emulator's log stays empty.
"""

import io
import zipfile

import numpy as np
import pytest
from sample_pictures import jpeg_bytes

from bridge.api import REQUEST_TYPES, build_request
from bridge.client import client_for
from bridge.emulator.glb import write_glb
from bridge.emulator.mesh import Material, box, part_from_triangles
from bridge.errors import ValidationError
from bridge.pngcodec import encode_png

# Real, decodable inputs: the emulator looks inside pictures and meshes. 128 px: the
# smallest side Tencent's endpoints accept.
PNG = encode_png(np.full((128, 128, 4), 200, dtype=np.uint8))
JPEG = jpeg_bytes()
M = "https://cdn.example.com/m.glb"
U = "https://cdn.example.com/a.png"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    return buffer.getvalue()


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "front.png").write_bytes(PNG)
    (tmp_path / "side.jpg").write_bytes(JPEG)
    (tmp_path / "model.glb").write_bytes(write_glb([part_from_triangles(box((0, 0, 0), (1, 1, 1)),
                                                                        Material())]))
    (tmp_path / "model.zip").write_bytes(_zip())
    (tmp_path / "liar.png").write_bytes(b"GIF89a definitely not a png")
    (tmp_path / "liar.glb").write_bytes(b"solid not-a-glb")
    return {name: str(tmp_path / name) for name in
            ("front.png", "side.jpg", "model.glb", "model.zip", "liar.png", "liar.glb")}


def valid_requests(f):
    png, jpg, glb = f["front.png"], f["side.jpg"], f["model.glb"]
    return {
        "TencentRapidRequest": {"prompt": "a wooden chair", "enable_pbr": True},
        "TencentProRequest": {"model": "3.1", "enable_pbr": True, "face_count": 200_000,
                              "multi_view_images": [{"view_type": "front", "view_image": png},
                                                    {"view_type": "left_front", "view_image": jpg}]},
        "TencentTopologyRequest": {"file_url": M, "file_type": "GLB", "polygon_type": "quadrilateral",
                                   "face_level": "medium"},
        "TencentTextureEditRequest": {"file_url": "https://cdn.example.com/m.fbx", "prompt": "rusty"},
        "Trellis2Request": {"image": png, "resolution": "1536", "steps": 20, "textures": True,
                            "texture_size": 4096, "decimation_target": 500_000, "seed": 1,
                            "generate_thumbnail": True},
        "TripoTextRequest": {"prompt": "castle", "version": "v3.1", "negative_prompt": "blurry",
                             "texture_quality": "detailed", "geometry_quality": "detailed",
                             "face_limit": 20_000, "quad": True, "export_uv": True, "compress": "geometry"},
        "TripoImageRequest": {"image": png, "texture_alignment": "geometry", "orientation": "align_image",
                              "enable_image_autofix": True},
        "TripoMultiviewRequest": {"images": [png, jpg, png], "version": "v3.1"},
        "TripoP1TextRequest": {"prompt": "ship", "negative_prompt": "blurry", "image_seed": 2,
                               "model_seed": 3, "face_limit": 10_000},
        "TripoP1ImageRequest": {"image_url": U, "face_limit": 48},
        "TripoP1MultiviewRequest": {"images": [png, jpg]},
        "Gemini3ProImageRequest": {"prompt": "a", "resolution": "4K", "aspect_ratio": "21:9",
                                   "output_format": "webp", "num_images": 4},
        "Gemini3ProEditRequest": {"prompt": "grey background", "images": [png, U]},
        "Gemini31FlashImageRequest": {"prompt": "a", "aspect_ratio": "1:8", "resolution": "512px"},
        "Gemini31FlashEditRequest": {"prompt": "a", "images": [png]},
        "Gemini25FlashImageRequest": {"prompt": "a", "num_images": 2, "aspect_ratio": "auto"},
        "Gemini25FlashEditRequest": {"prompt": "a", "images": [jpg]},
        "SeedreamImageRequest": {"prompt": "a", "image_size": "auto_3K", "num_images": 6, "seed": 5,
                                 "enable_safety_checker": False},
        "SeedreamEditRequest": {"prompt": "a", "image_urls": [U, png]},
        "ConvertRequest": {"model_url": M, "output_format": "obj_zip", "max_size": 10, "unit": "cm"},
        "RenderRequest": {"model_file": glb, "output_type": "video", "angle": "turntable_8",
                          "resolution": 1024, "ground_shadow": True},
        "RepairRequest": {"model_url": M, "output_format": "stl", "hollow": True, "wall_thickness": 2.0,
                          "target_height": 10.0, "unit": "cm", "quality": "max"},
        "OptimizeRequest": {"model_file": glb, "preset": "low", "max_texture_size": 1024},
        "BakeTextureRequest": {"original_url": M, "retopo_url": M, "texture_resolution": 2048},
        "RemoveBackgroundRequest": {"image_file": png, "quality": "high", "return_mask": True},
        "ImageEnhanceRequest": {"image_url": U, "mode": "restore", "remove_bg": True,
                                "remove_bg_quality": "low"},
        "VolumeRequest": {"model_file": f["model.zip"], "target_heights": "5,10,15", "unit": "cm"},
        "Image3dRequest": {"image": png, "quality": "proplus", "mesh_only": True},
        "MiniatureRequest": {"image": png, "preset": "v4_miniature_general", "edition": "fast",
                             "scale": "h0"},
    }


def invalid_requests(f):
    """One way to get each type wrong; each must be caught before anything is sent."""
    return {
        "TencentRapidRequest": {"prompt": "x" * 1025},
        "TencentProRequest": {"model": "3.0", "multi_view_images": [
            {"view_type": "front", "view_image": f["front.png"]},
            {"view_type": "top", "view_image": f["front.png"]}]},
        "TencentTopologyRequest": {"file_url": M, "face_level": "extreme"},
        "TencentTextureEditRequest": {"file_url": M, "prompt": "rusty"},
        "Trellis2Request": {"image": f["liar.png"]},
        "TripoTextRequest": {"prompt": "castle", "face_limit": 499},
        "TripoImageRequest": {"image": f["liar.png"]},
        "TripoMultiviewRequest": {"images": [f["front.png"]]},
        "TripoP1TextRequest": {"prompt": "ship", "negative_prompt": "n" * 256},
        "TripoP1ImageRequest": {"image_url": U, "face_limit": 20_001},
        "TripoP1MultiviewRequest": {"images": [f["front.png"]] * 5},
        "Gemini3ProImageRequest": {"prompt": "a", "resolution": "512px"},
        "Gemini3ProEditRequest": {"prompt": "a", "images": [f["front.png"]] * 15},
        "Gemini31FlashImageRequest": {"prompt": "a", "num_images": 5},
        "Gemini31FlashEditRequest": {"prompt": "a", "images": []},
        "Gemini25FlashImageRequest": {"prompt": "a", "resolution": "1K"},
        "Gemini25FlashEditRequest": {"prompt": "a", "images": [f["liar.png"]]},
        "SeedreamImageRequest": {"prompt": "a", "num_images": 7},
        "SeedreamEditRequest": {"prompt": "a"},
        "ConvertRequest": {"model_file": f["liar.glb"], "output_format": "stl"},
        "RenderRequest": {"model_url": M, "resolution": 5000},
        "RepairRequest": {"model_url": M, "wall_thickness": 2.0},
        "OptimizeRequest": {},
        "BakeTextureRequest": {"original_url": M},
        "RemoveBackgroundRequest": {"image_file": f["liar.png"]},
        "ImageEnhanceRequest": {"image_url": U, "mode": "sharpen"},
        "VolumeRequest": {"model_url": M, "target_heights": ",".join(["1"] * 11)},
        "Image3dRequest": {"prompt": "a", "quality": "max"},
        "MiniatureRequest": {"image": f["front.png"], "preset": "giant"},
    }


def test_examples_cover_every_type(inputs):
    assert set(valid_requests(inputs)) == set(REQUEST_TYPES)
    assert set(invalid_requests(inputs)) == set(REQUEST_TYPES)


@pytest.mark.parametrize("name", sorted(REQUEST_TYPES))
def test_valid_request_is_accepted(name, inputs, emulator, settings):
    request = build_request(name, valid_requests(inputs)[name])
    submission = client_for(request, settings).submit(request)
    assert submission.task_id
    accepted = [a for a in emulator.accepted if _get(a, "task_id") == submission.task_id]
    assert len(accepted) == 1
    assert _get(accepted[0], "endpoint").rstrip("/") == request.endpoint().rstrip("/")


@pytest.mark.parametrize("name", sorted(REQUEST_TYPES))
def test_invalid_request_is_refused_locally(name, inputs, emulator, settings):
    fields = invalid_requests(inputs)[name]
    cls = REQUEST_TYPES[name]
    request = cls(**fields)
    with pytest.raises(ValidationError):
        client_for(request, settings).submit(request)
    assert list(emulator.log) == []
    assert list(emulator.accepted) == []


def _get(item, key):
    return item[key] if isinstance(item, dict) else getattr(item, key)
