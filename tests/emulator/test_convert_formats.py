"""convert answers in the requested format, from any input the tools take, over real HTTP."""

import numpy as np
import pytest
from emu_helpers import SAMPLES, data_url, fetch, get, submit
from model_helpers import (
    CONVERT,
    STATUS,
    glb_of,
    model_at,
    post_json,
    result,
    two_colour_ball,
    upload,
    zip_entries,
)

from bridge.emulator.fbx_binary import decode
from bridge.emulator.model_read import read_model, sniff_model
from bridge.emulator.model_write import encode as encode_model

TRELLIS = "/v1/3d-models/trellis2/generate/"


@pytest.fixture
def textured_url(emulator):
    """A textured job result on the emulator (a picture model: silhouette + texture + UVs)."""
    task = submit(emulator, TRELLIS, {"image": data_url(SAMPLES / "horse.png")})
    return result(emulator, task)["asset"]


@pytest.mark.parametrize("fmt, ext, textured", [
    ("glb", "glb", True), ("obj", "obj", False), ("obj_zip", "zip", True), ("stl", "stl", False),
    ("ply", "ply", False), ("fbx", "fbx", True), ("fbx_zip", "zip", True)])
def test_convert_of_a_result_url_answers_in_each_format(emulator, textured_url, fmt, ext, textured):
    source = model_at(textured_url)
    item = result(emulator, post_json(emulator, CONVERT, {"model_url": textured_url, "output_format": fmt}))
    assert item["asset"].endswith("." + ext) and item["asset_type"] == "3D_MODEL"
    data = fetch(item["asset"])
    back = read_model(data)
    assert len(back.triangles) == len(source.triangles) == item["metadata"]["triangles"]
    np.testing.assert_allclose(back.bounds(), source.bounds(), atol=1e-5)   # STL: mm, read back to m
    assert (back.texture_png == source.texture_png) if textured else back.texture_png is None
    if fmt == "fbx":
        version, nodes = decode(data)
        assert version == 7400 and {"GlobalSettings", "Objects", "Connections"} <= {n.name for n in nodes}
    if fmt == "fbx_zip":
        names = sorted(zip_entries(data))
        assert names == ["model.fbx", "model_texture.png"]


@pytest.mark.parametrize("fmt", ["obj_zip", "stl", "fbx", "ply", "glb"])
def test_convert_reads_every_uploaded_input_format(emulator, fmt):
    ball = two_colour_ball(10, 20)
    name, data = encode_model(ball, fmt)
    item = result(emulator, upload(emulator, CONVERT, data, name, output_format="glb"))
    back = model_at(item["asset"])
    assert len(back.triangles) == len(ball.triangles)
    np.testing.assert_allclose(back.bounds(), ball.bounds(), atol=1e-5)
    if fmt in ("fbx", "glb", "obj_zip"):                        # formats with materials keep both colours
        assert {m.name for m in back.materials} >= {"red", "blue"}


def test_max_size_scales_the_largest_side_in_the_unit(emulator):
    item = result(emulator, upload(emulator, CONVERT, glb_of(two_colour_ball(8, 16)), "ball.glb",
                                   output_format="stl", max_size=25, unit="mm"))
    stl = fetch(item["asset"])
    tris = np.frombuffer(stl[84:], dtype=[("n", "<f4", 3), ("v", "<f4", (3, 3)), ("a", "<u2")])["v"]
    assert np.ptp(tris.reshape(-1, 3), axis=0).max() == pytest.approx(25.0, rel=1e-4)
    assert item["metadata"]["unit"] == "mm"


def test_a_format_the_emulator_does_not_write_comes_back_unchanged_with_a_note(emulator, textured_url):
    item = result(emulator, post_json(emulator, CONVERT, {"model_url": textured_url, "output_format": "usdz"}))
    assert item["metadata"]["emulated"] == "pass-through" and "usdz" in item["metadata"]["note"]
    assert fetch(item["asset"]) == fetch(textured_url) and sniff_model(fetch(item["asset"])) == "glb"


def test_an_expired_input_url_fails_the_job_and_refunds_it(emulator):
    source_task = upload(emulator, CONVERT, glb_of(two_colour_ball(8, 16)), "ball.glb", output_format="glb")
    url = result(emulator, source_task)["asset"]
    emulator.expire(source_task)
    balance = emulator.balance
    task = post_json(emulator, CONVERT, {"model_url": url, "output_format": "fbx"})
    emulator.advance(3600)
    body = get(emulator, STATUS.format(task)).json()
    assert body["status"] == "FAILED" and "expired" in body["failure_reason"]
    assert emulator.balance == balance                          # charged 10 at submit, refunded on failure
