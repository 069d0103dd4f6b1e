"""Tools: model by URL (JSON) or local file (multipart), options and prices."""

import pytest

from bridge.api.image_tools import ImageEnhanceRequest, RemoveBackgroundRequest
from bridge.api.tools import (
    BakeTextureRequest,
    ConvertRequest,
    OptimizeRequest,
    RenderRequest,
    RepairRequest,
    VolumeRequest,
    parse_heights,
)
from bridge.errors import ValidationError

URL = "https://cdn.example/model.glb"


def test_convert_by_url_is_json():
    req = ConvertRequest(model_url=URL, output_format="stl", max_size=100, unit="mm")
    assert not req.uses_multipart()
    assert req.endpoint() == "/v1/tools/convert/"
    assert req.payload() == {"model_url": URL, "output_format": "stl", "max_size": 100, "unit": "mm"}
    assert req.credits().low == 10


def test_convert_by_file_is_multipart(glb):
    req = ConvertRequest(model_file=glb, output_format="obj_zip")
    assert req.uses_multipart()
    fields, files = req.multipart()
    assert fields == {"output_format": "obj_zip"}
    assert files == {"model_file": glb}


@pytest.mark.parametrize("kw, words", [
    ({"output_format": "stl"}, "model_url or model_file"),
    ({"model_url": URL, "model_file": "x.glb", "output_format": "stl"}, "not both"),
    ({"model_url": "ftp://x/y.glb", "output_format": "stl"}, "model_url must be an http"),
    ({"model_url": URL}, "output_format is required"),
    ({"model_url": URL, "output_format": "blend"}, "output_format must be one of glb, obj"),
    ({"model_url": URL, "output_format": "stl", "unit": "furlong"}, "unit must be one of"),
])
def test_convert_refusals(kw, words):
    with pytest.raises(ValidationError, match=words):
        ConvertRequest(**kw).validate()


def test_local_model_files_are_checked(tmp_path, fake_glb):
    with pytest.raises(ValidationError, match="named .glb but is not a GLB"):
        ConvertRequest(model_file=fake_glb, output_format="stl").validate()
    blend = tmp_path / "scene.blend"
    blend.write_bytes(b"BLENDER")
    with pytest.raises(ValidationError, match="GLB, GLTF, OBJ, STL, PLY, FBX, ZIP"):
        ConvertRequest(model_file=str(blend), output_format="stl").validate()
    with pytest.raises(ValidationError, match="does not exist"):
        ConvertRequest(model_file=str(tmp_path / "gone.obj"), output_format="stl").validate()
    stl = tmp_path / "part.STL"
    stl.write_bytes(b"solid part\nendsolid\n")
    ConvertRequest(model_file=str(stl), output_format="glb").validate()


def test_render_options_and_price():
    req = RenderRequest(model_url=URL, output_type="video", angle="turntable_8", resolution=2048,
                        lighting="studio", background="transparent", ground_shadow=True)
    assert req.payload() == {"model_url": URL, "output_type": "video", "angle": "turntable_8",
                             "resolution": 2048, "lighting": "studio", "background": "transparent",
                             "ground_shadow": True}
    assert req.credits().low == 20
    assert RenderRequest(model_url=URL).credits().low == 5
    with pytest.raises(ValidationError, match="resolution must be between 64 and 4,096"):
        RenderRequest(model_url=URL, resolution=8192).validate()
    with pytest.raises(ValidationError, match="angle must be one of front"):
        RenderRequest(model_url=URL, angle="diagonal").validate()


def test_repair_options_and_price(glb):
    req = RepairRequest(model_file=glb, output_format="stl", hollow=True, wall_thickness=2.0,
                        target_height=10, unit="cm", quality="max", topology="quads")
    fields, files = req.multipart()
    assert fields == {"output_format": "stl", "hollow": True, "wall_thickness": 2.0,
                      "target_height": 10, "unit": "cm", "quality": "max", "topology": "quads"}
    assert files == {"model_file": glb}
    assert req.credits().low == 90
    assert RepairRequest(model_url=URL).credits().low == 60
    with pytest.raises(ValidationError, match="wall_thickness only applies with hollow"):
        RepairRequest(model_url=URL, wall_thickness=2.0).validate()
    with pytest.raises(ValidationError, match="quality must be one of low, default, max"):
        RepairRequest(model_url=URL, quality="ultra").validate()


def test_optimize_takes_a_file_only(glb):
    req = OptimizeRequest(model_file=glb, preset="low", max_texture_size=1024)
    assert req.uses_multipart()
    assert req.multipart() == ({"preset": "low", "max_texture_size": 1024}, {"model_file": glb})
    assert req.credits().low == 10
    with pytest.raises(ValidationError, match="local model file only, not a URL"):
        OptimizeRequest().validate()


def test_bake_texture_uses_documented_names():
    req = BakeTextureRequest(original_url="https://e.x/high.glb", retopo_url="https://e.x/low.obj",
                             texture_resolution=4096, output_format="glb")
    assert req.payload() == {"original_url": "https://e.x/high.glb", "retopo_url": "https://e.x/low.obj",
                             "texture_resolution": 4096, "output_format": "glb"}
    assert "high_poly_model_url" not in req.payload()
    assert req.credits().low == 5
    with pytest.raises(ValidationError, match="retopo_url .* is required"):
        BakeTextureRequest(original_url="https://e.x/high.glb").validate()
    with pytest.raises(ValidationError, match="texture_resolution must be between 256 and 8,192"):
        BakeTextureRequest(original_url="https://e.x/h.glb", retopo_url="https://e.x/l.glb",
                           texture_resolution=16384).validate()


def test_volume_heights():
    req = VolumeRequest(model_url=URL, target_heights="5,10,15", unit="cm")
    assert req.payload() == {"model_url": URL, "target_heights": "5,10,15", "unit": "cm"}
    assert req.credits().low == 20
    assert parse_heights(" 5, 7.5 ") == [5.0, 7.5]
    with pytest.raises(ValidationError, match="at most 10 values; got 11"):
        VolumeRequest(model_url=URL, target_heights=",".join(["1"] * 11)).validate()
    with pytest.raises(ValidationError, match="'ten', which is not a number"):
        VolumeRequest(model_url=URL, target_heights="5,ten").validate()
    with pytest.raises(ValidationError, match="not both"):
        VolumeRequest(model_url=URL, target_height=5, target_heights="5,10").validate()


def test_remove_bg_by_file_and_url(png, not_an_image):
    req = RemoveBackgroundRequest(image_file=png, quality="high", return_mask=True)
    assert req.multipart() == ({"quality": "high", "return_mask": True}, {"image_file": png})
    assert req.credits().low == 5
    assert RemoveBackgroundRequest(image_url="https://e.x/a.png", quality="low").credits().high == 3
    wide = RemoveBackgroundRequest(image_url="https://e.x/a.png").credits()
    assert (wide.low, wide.high) == (3, 5)
    with pytest.raises(ValidationError, match="not a PNG, JPEG or WebP"):
        RemoveBackgroundRequest(image_file=not_an_image).validate()
    with pytest.raises(ValidationError, match="image_url or image_file"):
        RemoveBackgroundRequest().validate()
    with pytest.raises(ValidationError, match="quality must be one of low, medium, high"):
        RemoveBackgroundRequest(image_url="https://e.x/a.png", quality="max").validate()


def test_image_enhance(png):
    req = ImageEnhanceRequest(image_url="https://e.x/a.png", enhance=True, mode="restore",
                              remove_bg=True, remove_bg_quality="medium")
    assert req.payload() == {"image_url": "https://e.x/a.png", "enhance": True, "mode": "restore",
                             "remove_bg": True, "remove_bg_quality": "medium"}
    assert req.credits().low == 20
    assert ImageEnhanceRequest(image_file=png).credits().low == 15
    with pytest.raises(ValidationError, match="mode must be one of enhance, restore"):
        ImageEnhanceRequest(image_file=png, mode="sharpen").validate()
    with pytest.raises(ValidationError, match="remove_bg_quality only applies with remove_bg"):
        ImageEnhanceRequest(image_file=png, remove_bg_quality="low").validate()


def test_a_missing_image_file_is_named_in_words(tmp_path):
    with pytest.raises(ValidationError) as caught:
        RemoveBackgroundRequest(image_file=str(tmp_path / "gone.png")).validate()
    said = str(caught.value)
    assert "image_file file" not in said and said.startswith("The picture file ")
    with pytest.raises(ValidationError, match="is a folder, not a picture"):
        RemoveBackgroundRequest(image_file=str(tmp_path)).validate()
