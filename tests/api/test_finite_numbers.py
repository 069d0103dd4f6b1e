"""Issue 20, item 9: no infinite or NaN number passes a request's checks (one was sent to a
paid endpoint: ``repair --target-height inf``, ``--target-heights 5,inf``)."""

import math

import pytest

from bridge.api.miniature import MiniatureRequest, scale_for_subject
from bridge.api.tools import ConvertRequest, RepairRequest, VolumeRequest, parse_heights
from bridge.errors import ValidationError

URL = "https://cdn.example/model.glb"
ODD = [math.inf, -math.inf, math.nan]


@pytest.mark.parametrize("value", ODD, ids=["inf", "-inf", "nan"])
@pytest.mark.parametrize("make", [
    lambda v: RepairRequest(model_url=URL, target_height=v),
    lambda v: RepairRequest(model_url=URL, hollow=True, wall_thickness=v),
    lambda v: ConvertRequest(model_url=URL, output_format="stl", max_size=v),
    lambda v: VolumeRequest(model_url=URL, target_height=v),
], ids=["repair height", "repair wall", "convert size", "volume height"])
def test_non_finite_numbers_are_refused(make, value):
    with pytest.raises(ValidationError, match="finite"):
        make(value).validate()


@pytest.mark.parametrize("text", ["5,inf", "inf", "5,nan", "-inf,3", "1e999"])
def test_non_finite_target_heights_are_refused(text):
    with pytest.raises(ValidationError, match="finite"):
        parse_heights(text)
    with pytest.raises(ValidationError):
        VolumeRequest(model_url=URL, target_heights=text).validate()


@pytest.mark.parametrize("value", ODD, ids=["inf", "-inf", "nan"])
def test_a_miniature_height_must_be_finite(png, value):
    with pytest.raises(ValidationError):
        MiniatureRequest(image=png, preset="v4_miniature_general", scale="custom",
                         scale_height_cm=value).validate()
    with pytest.raises(ValidationError):
        scale_for_subject("v4_miniature_general", "z", None, subject_height_cm=value)
