"""Named print scales: which real size they assume, shown beside the scale, and the 100 cm limit."""

import types

import bpy
import pytest
from sample_pictures import png_bytes

from ai_studio_bridge.addon.jobs import request_factory
from ai_studio_bridge.addon.printing.scaling import target_height_mm
from ai_studio_bridge.bridge.api.miniature import assumed_subject_cm, scale_for_subject
from ai_studio_bridge.bridge.errors import ValidationError
from ai_studio_bridge.bridge.imagefile import data_url

pytestmark = pytest.mark.blender

PICTURE = data_url(png_bytes())  # a whole picture: only the scale is at issue


def test_only_full_human_figures_assume_a_175_cm_subject():
    assert assumed_subject_cm("miniature_human_full_body") == 175.0
    assert assumed_subject_cm("v3_miniature_human_full_body_waving") == 175.0
    for preset in ("miniature_animal", "realistic_object", "miniature_human_bust", "v4_miniature_general"):
        assert assumed_subject_cm(preset) is None


def test_a_ratio_for_a_real_size_becomes_the_printed_height():
    assert scale_for_subject("miniature_animal", "o", None, 240.0) == ("custom", 5.0)
    assert scale_for_subject("miniature_human_full_body", "h0", None, None) == ("h0", None)
    assert scale_for_subject("miniature_human_full_body", "1:10", None, 190.0) == ("custom", 19.0)
    assert scale_for_subject("miniature_object", "custom", 12.0, None) == ("custom", 12.0)
    with pytest.raises(ValidationError, match="an animal has no standard size"):
        scale_for_subject("miniature_animal", "o", None, None)


def test_the_request_carries_the_subjects_scale_and_the_service_limit_is_a_message():
    request = request_factory.miniature_request(PICTURE, "miniature_animal", "fast", "o", 10.0,
                                              subject_height_cm=240.0)
    assert (request.scale, request.scale_height_cm) == ("custom", 5.0)
    big = request_factory.miniature_request(PICTURE, "miniature_animal", "fast", "g", 10.0,
                                          subject_height_cm=3000.0)
    with pytest.raises(ValidationError, match="up to 100 cm"):
        big.validate()                                         # 3000 / 22.5 = 133 cm


class _Layout:
    """Records the texts a panel draws (background Blender has no window to draw in)."""

    def __init__(self, log=None):
        self.log = log if log is not None else []

    def __getattr__(self, name):
        def call(*args, **kwargs):
            self.log.append((name, kwargs.get("text", "")))
            return types.SimpleNamespace() if name == "operator" else _Layout(self.log)
        return call

    def labels(self):
        return [text for name, text in self.log if name == "label"]


def _labels(panel_cls):
    layout = _Layout()
    panel = types.SimpleNamespace(layout=layout, _run=getattr(panel_cls, "_run", None))
    panel_cls.draw(panel, bpy.context)
    return layout.labels()


def test_panels_show_the_assumption_beside_the_scale(scene, registered):
    from ai_studio_bridge.addon.printing.panel import AISTUDIO_PT_print
    from ai_studio_bridge.addon.ui.panels import AISTUDIO_PT_miniature
    mini = bpy.context.scene.aistudio.miniature
    mini.scale, mini.preset = "o", "miniature_human_full_body"
    assert "assumes a 175 cm figure" in _labels(AISTUDIO_PT_miniature)
    mini.preset = "miniature_animal"
    assert any("real height" in text for text in _labels(AISTUDIO_PT_miniature))
    mini.subject_height_cm = 240.0
    assert not any("assumes" in text or "real height" in text for text in _labels(AISTUDIO_PT_miniature))

    printing = bpy.context.scene.aistudio.printing
    printing.scale, printing.subject_height_cm = "h0", 175.0
    assert f"→ {1750 / 87:.1f} mm" in _labels(AISTUDIO_PT_print)
    assert target_height_mm("o", subject_height_cm=240.0) == pytest.approx(50.0)
