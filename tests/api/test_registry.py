"""Every request type: registered, priced, timed, and rebuilt from its journal record."""

import json

import pytest

from bridge.api import REQUEST_TYPES, ApiRequest, build_request
from bridge.api.images import Gemini3ProImageRequest
from bridge.api.tools import BakeTextureRequest
from bridge.api.trellis import Trellis2Request
from bridge.errors import ValidationError

U = "https://e.x/a.png"
M = "https://e.x/m.glb"


def valid_examples(png, glb):
    return {
        "TencentRapidRequest": {"prompt": "chair", "enable_pbr": True},
        "TencentProRequest": {"model": "3.1",
                              "multi_view_images": [{"view_type": "front", "view_image": png}]},
        "TencentTopologyRequest": {"file_url": M, "file_type": "GLB"},
        "TencentTextureEditRequest": {"file_url": "https://e.x/m.fbx", "image": png},
        "Trellis2Request": {"image": png, "textures": True, "texture_size": 2048},
        "TripoTextRequest": {"prompt": "castle", "version": "v3.1"},
        "TripoImageRequest": {"image": png},
        "TripoMultiviewRequest": {"images": [png, U], "version": "v3.1"},
        "TripoP1TextRequest": {"prompt": "ship"},
        "TripoP1ImageRequest": {"image_url": U},
        "TripoP1MultiviewRequest": {"images": [png, png, png]},
        "Gemini3ProImageRequest": {"prompt": "a", "resolution": "2K"},
        "Gemini3ProEditRequest": {"prompt": "a", "images": [png]},
        "Gemini31FlashImageRequest": {"prompt": "a", "aspect_ratio": "1:8"},
        "Gemini31FlashEditRequest": {"prompt": "a", "images": [png, U]},
        "Gemini25FlashImageRequest": {"prompt": "a", "num_images": 3},
        "Gemini25FlashEditRequest": {"prompt": "a", "images": [U]},
        "SeedreamImageRequest": {"prompt": "a", "image_size": "square_hd"},
        "SeedreamEditRequest": {"prompt": "a", "image_urls": [U, png]},
        "ConvertRequest": {"model_file": glb, "output_format": "fbx"},
        "RenderRequest": {"model_url": M, "angle": "3/4"},
        "RepairRequest": {"model_url": M, "hollow": True, "wall_thickness": 1.5},
        "OptimizeRequest": {"model_file": glb, "preset": "low"},
        "BakeTextureRequest": {"original_url": M, "retopo_url": M},
        "RemoveBackgroundRequest": {"image_file": png},
        "ImageEnhanceRequest": {"image_url": U, "mode": "enhance"},
        "VolumeRequest": {"model_url": M, "target_height": 12.5, "unit": "cm"},
        "Image3dRequest": {"prompt": "robot", "quality": "pro"},
        "MiniatureRequest": {"image": png, "preset": "v4_miniature_general", "edition": "fast"},
    }


def test_every_registered_type_has_an_example(png, glb):
    assert set(valid_examples(png, glb)) == set(REQUEST_TYPES)


@pytest.mark.parametrize("name", sorted(REQUEST_TYPES))
def test_type_contract(name, png, glb):
    cls = REQUEST_TYPES[name]
    req = build_request(name, valid_examples(png, glb)[name])
    assert cls.LABEL and cls.PROVIDER in ("3daistudio", "image3d")
    assert cls.KIND in ("3d", "image", "tool", "miniature")
    credits = req.credits()
    assert 0 < credits.low <= credits.high
    if credits.low != credits.high:
        assert credits.note, "a range must say what it depends on"
    assert 5 <= req.expected_seconds() <= 900
    assert req.endpoint().startswith(("/v1/", "/api/"))
    # The journal record is JSON and rebuilds an equal request.
    record = json.loads(json.dumps(req.to_record()))
    again = ApiRequest.from_record(record)
    assert type(again) is cls and again == req
    assert again.endpoint() == req.endpoint()
    if req.uses_multipart():
        assert again.multipart() == req.multipart()
    else:
        assert again.payload() == req.payload()
    # Records hold paths, never encoded pixels.
    assert "base64" not in json.dumps(record)


@pytest.mark.parametrize("cls, wrong, right", [
    (Trellis2Request, "enable_pbr", "textures"),
    (Gemini3ProImageRequest, "count", "num_images"),
    (BakeTextureRequest, "high_poly_model_url", "original_url"),
    (BakeTextureRequest, "low_poly_model_url", "retopo_url"),
])
def test_third_party_names_are_refused_with_the_right_one(cls, wrong, right):
    with pytest.raises(ValidationError, match=f"no field '{wrong}'.*{right}"):
        build_request(cls, {wrong: True})


@pytest.mark.parametrize("name, fields", [
    ("TripoTextRequest", {"prompt": "x"}),
    ("TripoImageRequest", {"image_url": U}),
    ("TripoMultiviewRequest", {"images": [U, U]}),
])
def test_tripo_version_is_in_the_path_never_the_body(name, fields):
    req = build_request(name, {**fields, "version": "v3.1"})
    assert "version" not in req.payload()
    assert req.endpoint().endswith("/3.1/")


def test_unknown_type_name():
    with pytest.raises(ValidationError, match="Unknown request type"):
        build_request("TencentUltraRequest", {})
