"""Tutorial recipes as data, edit requests from them, and compositing over grey."""

import json
from pathlib import Path

import numpy as np
import pytest

from ai_studio_bridge.bridge.api.images import Gemini3ProEditRequest, SeedreamEditRequest
from ai_studio_bridge.bridge.errors import ConfigError, ValidationError
from ai_studio_bridge.bridge.imagefile import decode_data_url
from ai_studio_bridge.bridge.pngcodec import decode_png
from ai_studio_bridge.bridge.recipes import EDIT_MODELS, build_edit_request, load_recipes
from ai_studio_bridge.bridge.recipes.grey import over_grey, over_grey_file

pytestmark = pytest.mark.blender

SAMPLE = sorted(Path("/work/shared/samples").glob("*.png"))[0]
REQUIRED = {"grey_background", "standing_pose", "round_base", "view_back", "view_left",
            "view_right"}


def test_shipped_recipes_cover_the_tutorial():
    recipes = load_recipes()
    assert REQUIRED <= set(recipes)
    assert "#BEBEBE" in recipes["grey_background"].prompt
    assert "both feet" in recipes["standing_pose"].prompt
    assert "round" in recipes["round_base"].prompt


@pytest.mark.parametrize("model", sorted(EDIT_MODELS))
@pytest.mark.parametrize("recipe_id", sorted(REQUIRED))
def test_every_recipe_builds_a_valid_edit_request(recipe_id, model):
    request = build_edit_request(recipe_id, str(SAMPLE), model=model)
    body = request.payload()
    assert body["prompt"] == load_recipes()[recipe_id].prompt
    images = body["image_urls"] if isinstance(request, SeedreamEditRequest) else body["images"]
    data, mime = decode_data_url(images[0])
    assert mime == "image/png" and data == SAMPLE.read_bytes()


def test_prompt_override_and_user_file(tmp_path):
    user = tmp_path / "mine.json"
    user.write_text(json.dumps({"recipes": [{"id": "round_base", "prompt": "square base"},
                                            {"id": "hat", "prompt": "add a hat"}]}))
    recipes = load_recipes(user)
    assert recipes["round_base"].prompt == "square base" and "hat" in recipes
    assert "#BEBEBE" in recipes["grey_background"].prompt       # the rest still shipped
    req = build_edit_request("grey_background", str(SAMPLE), prompt_override="just grey")
    assert isinstance(req, Gemini3ProEditRequest) and req.payload()["prompt"] == "just grey"


def test_bad_inputs_fail_clearly(tmp_path):
    with pytest.raises(ValidationError, match="Unknown recipe"):
        build_edit_request("nope", str(SAMPLE))
    with pytest.raises(ValidationError, match="model"):
        build_edit_request("round_base", str(SAMPLE), model="dalle")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_recipes(bad)


def test_over_grey_uses_straight_alpha():
    pixels = np.zeros((2, 2, 4), dtype=np.uint8)
    pixels[0, 0] = (255, 0, 0, 255)     # opaque red stays red
    pixels[0, 1] = (255, 0, 0, 0)       # fully transparent becomes grey
    pixels[1, 0] = (0, 0, 0, 128)       # half black over grey
    out = over_grey(pixels)
    assert out.shape == (2, 2, 3)
    assert tuple(out[0, 0]) == (255, 0, 0) and tuple(out[0, 1]) == (190, 190, 190)
    assert tuple(out[1, 0]) == (95, 95, 95)


def test_over_grey_file_writes_an_opaque_png(tmp_path):
    dest = over_grey_file(SAMPLE, tmp_path / "out.png")
    src, out = decode_png(SAMPLE.read_bytes()), decode_png(dest.read_bytes())
    assert out.shape == src.shape[:2] + (3,)
    clear = src[..., 3] == 0
    assert clear.any() and (out[clear] == 190).all()


def test_over_grey_file_refuses_jpeg(tmp_path):
    jpeg = tmp_path / "x.jpg"
    jpeg.write_bytes(b"\xff\xd8\xff" + b"\0" * 100)
    with pytest.raises(ValidationError, match="jpeg"):
        over_grey_file(jpeg)
