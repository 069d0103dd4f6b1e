"""Tencent, TRELLIS.2 and Tripo requests: wire names, local refusals, prices."""

import base64

import pytest

from bridge.api.tencent import (
    TencentProRequest,
    TencentRapidRequest,
    TencentTextureEditRequest,
    TencentTopologyRequest,
)
from bridge.api.trellis import Trellis2Request
from bridge.api.tripo import (
    TripoImageRequest,
    TripoMultiviewRequest,
    TripoP1ImageRequest,
    TripoP1MultiviewRequest,
    TripoP1TextRequest,
    TripoTextRequest,
)
from bridge.errors import ValidationError


def is_png_data_url(value):
    assert value.startswith("data:image/png;base64,")
    assert base64.b64decode(value.split(",", 1)[1]).startswith(b"\x89PNG")
    return True


# -- Tencent Rapid ------------------------------------------------------------------

def test_rapid_text_payload_and_price():
    req = TencentRapidRequest(prompt="a wooden chair", enable_pbr=True)
    assert req.payload() == {"prompt": "a wooden chair", "enable_pbr": True}
    assert req.endpoint() == "/v1/3d-models/tencent/generate/rapid/"
    assert (req.credits().low, req.credits().high) == (50, 50)
    assert TencentRapidRequest(prompt="x").credits().low == 35


def test_rapid_image_becomes_data_url(png):
    body = TencentRapidRequest(image=png).payload()
    assert set(body) == {"image"} and is_png_data_url(body["image"])


@pytest.mark.parametrize("kw, words", [
    ({}, "prompt or an image"),
    ({"prompt": "x" * 1025}, "1025 characters; the limit is 1024"),
    ({"prompt": "a", "image": "https://e.x/a.png"}, "not both"),
    ({"prompt": "a", "enable_pbr": "yes"}, "enable_pbr must be true or false"),
])
def test_rapid_refusals(kw, words):
    with pytest.raises(ValidationError, match=words):
        TencentRapidRequest(**kw).validate()


# -- Tencent Pro --------------------------------------------------------------------

def test_pro_full_payload_uses_documented_names():
    req = TencentProRequest(model="3.0", prompt="a sword", enable_pbr=True, face_count=300_000,
                            generate_type="LowPoly", polygon_type="quadrilateral")
    assert req.payload() == {"model": "3.0", "prompt": "a sword", "enable_pbr": True,
                             "face_count": 300_000, "generate_type": "LowPoly",
                             "polygon_type": "quadrilateral"}
    assert req.credits().low == 80


def test_pro_multiview_payload_and_price(png, jpeg):
    req = TencentProRequest(model="3.1", enable_pbr=True, multi_view_images=[
        {"view_type": "front", "view_image": png},
        {"view_type": "left_front", "view_image": jpeg}])
    body = req.payload()
    assert body["model"] == "3.1" and body["enable_pbr"] is True
    assert [v["view_type"] for v in body["multi_view_images"]] == ["front", "left_front"]
    assert is_png_data_url(body["multi_view_images"][0]["view_image"])
    assert body["multi_view_images"][1]["view_image"].startswith("data:image/jpeg;base64,")
    credits = req.credits()
    assert (credits.low, credits.high) == (100, 100)
    assert "multi-view" in credits.note and "PBR" in credits.note
    # The record keeps the path, not megabytes of base64.
    assert req.to_record()["fields"]["multi_view_images"][0]["view_image"] == png


@pytest.mark.parametrize("kw, words", [
    ({"model": "", "prompt": "a"}, "model is required"),
    ({"model": "2.0", "prompt": "a"}, r"model must be one of 3\.0, 3\.1"),
    ({"prompt": "a", "face_count": 39_999}, "face_count must be between 40,000 and 1,500,000"),
    ({"prompt": "a", "face_count": 1_500_001}, "face_count must be between"),
    ({"prompt": "a", "generate_type": "Cartoon"}, "generate_type must be one of Normal, LowPoly, "
                                                 "Geometry, Sketch"),
    ({"model": "3.1", "prompt": "a", "generate_type": "LowPoly"}, "not available on model 3.1"),
    ({"model": "3.1", "image": "https://e.x/s.png", "generate_type": "Sketch"},
     "not available on model 3.1"),
    ({"prompt": "a", "polygon_type": "triangle"}, "polygon_type only applies with generate_type LowPoly"),
    ({"prompt": "a", "generate_type": "LowPoly", "polygon_type": "hex"}, "polygon_type must be one of"),
    ({"prompt": "a", "image": "https://e.x/a.png"}, "need generate_type Sketch"),
    ({"prompt": "x" * 1025}, "limit is 1024"),
    ({"generate_type": "Sketch", "prompt": "a"}, "Sketch needs an image"),
])
def test_pro_refusals(kw, words):
    with pytest.raises(ValidationError, match=words):
        TencentProRequest(**kw).validate()


def test_pro_sketch_takes_prompt_and_image_together():
    TencentProRequest(prompt="a cat", image="https://e.x/sketch.png", generate_type="Sketch").validate()


@pytest.mark.parametrize("model, views, words", [
    ("3.0", ["front", "top"], "view_type 'top' is not available on model 3.0"),
    ("3.0", ["left", "back"], "needs a 'front' view"),
    ("3.1", ["front", "front"], "given twice"),
    ("3.1", ["front", "diagonal"], "allowed: front, left, right, back, top, bottom"),
])
def test_pro_views_per_model_version(png, model, views, words):
    mv = [{"view_type": v, "view_image": png} for v in views]
    with pytest.raises(ValidationError, match=words):
        TencentProRequest(model=model, multi_view_images=mv).validate()


def test_pro_view_image_checked_by_bytes(png, not_an_image):
    mv = [{"view_type": "front", "view_image": png}, {"view_type": "back", "view_image": not_an_image}]
    with pytest.raises(ValidationError, match="not a PNG, JPEG or WebP"):
        TencentProRequest(multi_view_images=mv).validate()


def test_pro_image_that_is_not_an_image_is_refused(not_an_image):
    with pytest.raises(ValidationError, match="liar.png"):
        TencentProRequest(image=not_an_image).payload()


def test_pro_missing_image_file_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="does not exist"):
        TencentProRequest(image=str(tmp_path / "nope.png")).validate()


# -- Tencent topology and texture edit ------------------------------------------------

def test_topology_payload_and_checks():
    req = TencentTopologyRequest(file_url="https://e.x/m.glb", file_type="GLB",
                                 polygon_type="quadrilateral", face_level="low", output_format="fbx")
    assert req.payload() == {"file_url": "https://e.x/m.glb", "file_type": "GLB",
                             "polygon_type": "quadrilateral", "face_level": "low",
                             "output_format": "fbx"}
    assert req.credits().low == 100
    with pytest.raises(ValidationError, match="file_type must be one of GLB, OBJ"):
        TencentTopologyRequest(file_url="https://e.x/m", file_type="FBX").validate()
    with pytest.raises(ValidationError, match="ends in .obj"):
        TencentTopologyRequest(file_url="https://e.x/m.obj", file_type="GLB").validate()
    with pytest.raises(ValidationError, match="face_level must be one of high, medium, low"):
        TencentTopologyRequest(file_url="https://e.x/m.glb", face_level="ultra").validate()


def test_texture_edit_payload_and_checks():
    req = TencentTextureEditRequest(file_url="https://e.x/m.fbx", prompt="rusty", enable_pbr=False)
    assert req.payload() == {"file_url": "https://e.x/m.fbx", "prompt": "rusty", "enable_pbr": False}
    assert req.credits().low == 80
    with pytest.raises(ValidationError, match="must point to an FBX"):
        TencentTextureEditRequest(file_url="https://e.x/m.glb", prompt="x").validate()
    with pytest.raises(ValidationError, match="file_url is required"):
        TencentTextureEditRequest(prompt="x").validate()


# -- TRELLIS.2 ------------------------------------------------------------------------

def test_trellis_payload(png):
    req = Trellis2Request(image=png, resolution="1536", steps=20, textures=True, texture_size=4096,
                          decimation_target=500_000, seed=7, generate_thumbnail=True)
    body = req.payload()
    assert set(body) == {"image", "resolution", "steps", "textures", "texture_size",
                         "decimation_target", "seed", "generate_thumbnail"}
    assert body["resolution"] == "1536" and body["textures"] is True
    assert is_png_data_url(body["image"])
    credits = req.credits()
    assert (credits.low, credits.high) == (10, 50) and "resolution" in credits.note
    assert req.expected_seconds() > Trellis2Request(image=png, resolution="512").expected_seconds()


def test_trellis_url_input():
    assert Trellis2Request(image_url="https://e.x/c.png").payload() == {"image_url": "https://e.x/c.png"}


@pytest.mark.parametrize("kw, words", [
    ({}, "image or image_url"),
    ({"image_url": "https://e.x/a.png", "image": "data:image/png;base64,iVBORw0KGgo="}, "not both"),
    ({"image": "https://e.x/a.png"}, "as image_url"),
    ({"image_url": "https://e.x/a.png", "resolution": "2048"}, 'resolution must be one of 512, 1024, 1536'),
    ({"image_url": "https://e.x/a.png", "resolution": 1024}, "string on the wire"),
    ({"image_url": "https://e.x/a.png", "steps": 51}, "steps must be between 1 and 50"),
    ({"image_url": "https://e.x/a.png", "steps": 0}, "steps must be between 1 and 50"),
    ({"image_url": "https://e.x/a.png", "texture_size": 2048}, "only applies with textures"),
    ({"image_url": "https://e.x/a.png", "textures": True, "texture_size": 3000},
     "texture_size must be one of"),
    ({"image_url": "https://e.x/a.png", "decimation_target": 999}, "decimation_target must be between"),
])
def test_trellis_refusals(kw, words):
    with pytest.raises(ValidationError, match=words):
        Trellis2Request(**kw).validate()


# -- Tripo v3 ---------------------------------------------------------------------------

def test_tripo_version_goes_in_the_path_not_the_body():
    v30 = TripoTextRequest(prompt="castle")
    v31 = TripoTextRequest(prompt="castle", version="v3.1", pbr=False, face_limit=10_000)
    assert v30.endpoint() == "/v1/3d-models/tripo/text-to-3d/"
    assert v31.endpoint() == "/v1/3d-models/tripo/text-to-3d/3.1/"
    assert "version" not in v31.payload()
    assert v31.payload() == {"prompt": "castle", "pbr": False, "face_limit": 10_000}


def test_tripo_text_every_option_keeps_its_wire_name():
    req = TripoTextRequest(prompt="p", negative_prompt="n", texture=False, pbr=False,
                           texture_quality="detailed", texture_seed=1, geometry_quality="detailed",
                           face_limit=500, quad=True, smart_low_poly=True, generate_parts=True,
                           export_uv=False, auto_size=True, compress="geometry")
    assert req.payload() == {"prompt": "p", "negative_prompt": "n", "texture": False, "pbr": False,
                             "texture_quality": "detailed", "texture_seed": 1,
                             "geometry_quality": "detailed", "face_limit": 500, "quad": True,
                             "smart_low_poly": True, "generate_parts": True, "export_uv": False,
                             "auto_size": True, "compress": "geometry"}
    assert (req.credits().low, req.credits().high) == (20, 120)


def test_tripo_image_and_multiview(png, jpeg):
    img = TripoImageRequest(image=png, version="v3.1", texture_alignment="geometry",
                            orientation="align_image", enable_image_autofix=True)
    assert img.endpoint() == "/v1/3d-models/tripo/image-to-3d/3.1/"
    body = img.payload()
    assert set(body) == {"image", "texture_alignment", "orientation", "enable_image_autofix"}
    assert TripoImageRequest(image_url="https://e.x/a.png", texture=False, pbr=False).credits().high == 40
    mv = TripoMultiviewRequest(images=[png, jpeg, png])
    assert mv.endpoint() == "/v1/3d-models/tripo/multiview-to-3d/"
    wire = mv.payload()["images"]
    assert len(wire) == 3 and all(set(item) == {"image"} for item in wire)
    assert is_png_data_url(wire[0]["image"])


@pytest.mark.parametrize("kw, words", [
    ({"prompt": ""}, "prompt is required"),
    ({"prompt": "x" * 1025}, "limit is 1024"),
    ({"prompt": "a", "version": "v2.5"}, "version must be one of v3.0, v3.1"),
    ({"prompt": "a", "version": "3.1"}, "written v3.1"),
    ({"prompt": "a", "face_limit": 499}, "face_limit must be between 500 and 500,000"),
    ({"prompt": "a", "compress": "draco"}, "compress must be one of geometry"),
    ({"prompt": "a", "texture_quality": "ultra"}, "texture_quality must be one of standard, detailed"),
    ({"prompt": "a", "generate_parts": True}, "needs texture=false and pbr=false"),
])
def test_tripo_text_refusals(kw, words):
    with pytest.raises(ValidationError, match=words):
        TripoTextRequest(**kw).validate()


def test_tripo_multiview_needs_two_to_four(png, not_an_image):
    with pytest.raises(ValidationError, match="2 to 4 images; got 1"):
        TripoMultiviewRequest(images=[png]).validate()
    with pytest.raises(ValidationError, match="2 to 4 images; got 5"):
        TripoMultiviewRequest(images=[png] * 5).validate()
    with pytest.raises(ValidationError, match="images #2"):
        TripoMultiviewRequest(images=[png, not_an_image]).validate()


def test_tripo_image_refuses_orientation_outside_the_list():
    with pytest.raises(ValidationError, match="orientation must be one of default, align_image"):
        TripoImageRequest(image_url="https://e.x/a.png", orientation="upside").validate()


# -- Tripo P1 ---------------------------------------------------------------------------

def test_p1_payloads_and_price(png, jpeg):
    text = TripoP1TextRequest(prompt="ship", negative_prompt="blurry", image_seed=3, model_seed=4,
                              face_limit=20_000)
    assert text.endpoint() == "/v1/3d-models/tripo/text-to-3d/p1/"
    assert text.payload() == {"prompt": "ship", "negative_prompt": "blurry", "image_seed": 3,
                              "model_seed": 4, "face_limit": 20_000}
    assert (text.credits().low, text.credits().high) == (60, 160)
    assert TripoP1ImageRequest(image_url="https://e.x/a.png").endpoint() == \
        "/v1/3d-models/tripo/image-to-3d/p1/"
    mv = TripoP1MultiviewRequest(images=[png, jpeg])
    assert mv.endpoint() == "/v1/3d-models/tripo/multiview-to-3d/p1/"
    assert len(mv.payload()["images"]) == 2


@pytest.mark.parametrize("kw, words", [
    ({"prompt": "a", "negative_prompt": "n" * 256}, "256 characters; the limit is 255"),
    ({"prompt": "a", "face_limit": 47}, "face_limit must be between 48 and 20,000"),
    ({"prompt": "a", "face_limit": 20_001}, "face_limit must be between 48 and 20,000"),
])
def test_p1_ranges(kw, words):
    with pytest.raises(ValidationError, match=words):
        TripoP1TextRequest(**kw).validate()
