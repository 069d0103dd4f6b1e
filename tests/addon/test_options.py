"""Every documented model option is reachable from the panel and arrives on the wire.

The options live on ``Scene.aistudio.options`` (and ``.miniature``); each
test sets them as a user would in the Advanced sub-panels, presses the
button's operator and reads what the emulator accepted (the emulator refuses
unknown field names, so a wrong wire name fails here too).
"""

import types

import bpy
import pytest
from addon_helpers import pump_until, sample_picture
from test_panel import RecordingLayout

pytestmark = pytest.mark.blender


def _sent(emu, fragment):
    """The body of the one submit whose endpoint contains ``fragment`` (pumping until it came)."""
    found = pump_until(lambda: [a for a in emu.accepted if fragment in a["endpoint"]])
    (submit,) = found
    return submit["body"]


def _draw(panel_cls, context=None):
    layout = RecordingLayout()
    panel_cls.draw(types.SimpleNamespace(layout=layout), context or bpy.context)
    return layout


def test_tripo_text_sends_every_advanced_option(studio):
    opts = bpy.context.scene.aistudio.options
    opts.tripo_version = "3.1"
    opts.tripo_negative_prompt = "no handles"
    opts.tripo_texture_quality, opts.tripo_geometry_quality = "detailed", "detailed"
    opts.tripo_quad = opts.tripo_smart_low_poly = True
    opts.tripo_use_seeds, opts.tripo_texture_seed = True, 1234
    opts.use_face_limit, opts.face_limit = True, 8000
    assert bpy.ops.aistudio.text_to_3d(prompt="a mug", model="TRIPO") == {"FINISHED"}
    body = _sent(studio, "/tripo/text-to-3d/3.1/")
    assert body["negative_prompt"] == "no handles"
    assert (body["texture_quality"], body["geometry_quality"]) == ("detailed", "detailed")
    assert body["quad"] is True and body["smart_low_poly"] is True
    assert body["texture_seed"] == 1234 and body["face_limit"] == 8000
    assert "version" not in body  # the version is in the path


def test_tripo_picture_options_and_parts(studio):
    opts = bpy.context.scene.aistudio.options
    opts.tripo_texture = opts.tripo_pbr = False
    opts.tripo_generate_parts = True
    opts.tripo_texture_alignment, opts.tripo_orientation = "geometry", "align_image"
    opts.tripo_image_autofix = True
    assert bpy.ops.aistudio.image_to_3d(filepath=str(sample_picture()), model="TRIPO") == {"FINISHED"}
    body = _sent(studio, "/tripo/image-to-3d/")
    assert body["generate_parts"] is True and body["texture"] is False and body["pbr"] is False
    assert (body["texture_alignment"], body["orientation"]) == ("geometry", "align_image")
    assert body["enable_image_autofix"] is True


def test_options_left_to_the_service_are_not_sent(studio):
    assert bpy.ops.aistudio.text_to_3d(prompt="a mug", model="TRIPO") == {"FINISHED"}
    body = _sent(studio, "/tripo/text-to-3d/")
    for name in ("negative_prompt", "texture_quality", "geometry_quality", "quad", "face_limit",
                 "texture_seed", "generate_parts"):
        assert name not in body, name


def test_tripo_p1_seeds_and_its_own_face_limit(studio):
    opts = bpy.context.scene.aistudio.options
    opts.use_face_limit, opts.p1_face_limit = True, 48
    opts.tripo_use_seeds = True
    opts.tripo_model_seed, opts.tripo_image_seed, opts.tripo_texture_seed = 7, 8, 9
    assert bpy.ops.aistudio.text_to_3d(prompt="a lamp", model="TRIPO_P1") == {"FINISHED"}
    body = _sent(studio, "/text-to-3d/p1/")
    assert body["face_limit"] == 48
    assert (body["model_seed"], body["image_seed"], body["texture_seed"]) == (7, 8, 9)


def test_bounds_are_on_the_fields_not_only_at_submit(addon):
    rna = bpy.context.scene.aistudio.options.bl_rna.properties
    bounds = {name: (rna[name].hard_min, rna[name].hard_max) for name in
              ("p1_face_limit", "face_limit", "face_count", "trellis_steps", "trellis_decimation_target",
               "tripo_texture_seed", "trellis_seed")}
    assert bounds["p1_face_limit"] == (48, 20_000)
    assert bounds["face_limit"] == (500, 500_000)
    assert bounds["face_count"] == (40_000, 1_500_000)
    assert bounds["trellis_steps"] == (1, 50)
    assert bounds["trellis_decimation_target"] == (1_000, 16_000_000)
    assert bounds["tripo_texture_seed"][0] == 0 and bounds["trellis_seed"][0] == 0
    opts = bpy.context.scene.aistudio.options
    opts.p1_face_limit = 5          # typed below the contract: the field holds the minimum
    assert opts.p1_face_limit == 48
    opts.p1_face_limit = 99_999
    assert opts.p1_face_limit == 20_000
    mini = bpy.context.scene.aistudio.miniature.bl_rna.properties
    assert (mini["face_count"].hard_min, mini["face_count"].hard_max) == (3_000, 1_500_000)


def test_tencent_lowpoly_polygons_and_a_sketch_with_its_prompt(studio):
    settings = bpy.context.scene.aistudio
    opts = settings.options
    opts.generate_type, opts.polygon_type = "LowPoly", "quadrilateral"
    assert bpy.ops.aistudio.text_to_3d(prompt="a stool", model="TENCENT_PRO") == {"FINISHED"}
    body = _sent(studio, "/tencent/generate/pro/")
    assert (body["generate_type"], body["polygon_type"]) == ("LowPoly", "quadrilateral")
    studio.accepted.clear()
    # Sketch: the panel's path (no arguments) sends the picture with the prompt.
    opts.generate_type = "Sketch"
    settings.model, settings.prompt = "TENCENT_PRO", "a cat on a cushion"
    settings.source, settings.picture.filepath = "FILE", str(sample_picture())
    assert bpy.ops.aistudio.image_to_3d() == {"FINISHED"}
    body = _sent(studio, "/tencent/generate/pro/")
    assert body["generate_type"] == "Sketch" and body["prompt"] == "a cat on a cushion"
    assert body["image"].startswith("data:image/png")
    assert "polygon_type" not in body  # LowPoly only


def test_a_prompt_with_a_picture_outside_sketch_is_refused(studio):
    with pytest.raises(RuntimeError, match="Sketch"):
        bpy.ops.aistudio.image_to_3d(filepath=str(sample_picture()), model="TRELLIS2", prompt="a cat")
    assert studio.accepted == []


def test_tencent_31_takes_eight_views(studio):
    bpy.context.scene.aistudio.options.tencent_version = "3.1"
    picture = str(sample_picture())
    views = dict(front=picture, back=picture, left=picture, right=picture, top=picture,
                 bottom=picture, left_front=picture, right_front=picture)
    assert bpy.ops.aistudio.multiview_to_3d(model="TENCENT_PRO", **views) == {"FINISHED"}
    body = _sent(studio, "/tencent/generate/pro/")
    assert body["model"] == "3.1"
    assert {v["view_type"] for v in body["multi_view_images"]} == set(views)


def test_the_extra_views_on_30_are_refused_by_name(studio):
    picture = str(sample_picture())
    with pytest.raises(RuntimeError, match="top"):
        bpy.ops.aistudio.multiview_to_3d(model="TENCENT_PRO", front=picture, top=picture)
    assert studio.accepted == []


def test_generate_panel_shows_eight_slots_for_31(addon):
    from ai_studio_bridge.addon.ui import panels
    settings = bpy.context.scene.aistudio
    settings.model = "TENCENT_PRO"
    settings.options.tencent_version = "3.1"
    labels = _draw(panels.AISTUDIO_PT_generate).texts("label")
    for view in ("Top", "Bottom", "Left Front", "Right Front", "Front", "Back"):
        assert view in labels, labels


def test_trellis_steps_texture_size_decimation_and_seed(studio):
    opts = bpy.context.scene.aistudio.options
    opts.trellis_textures, opts.trellis_texture_size = True, "4096"
    opts.trellis_steps, opts.trellis_decimation_target = 30, 200_000
    opts.trellis_use_seed, opts.trellis_seed = True, 42
    assert bpy.ops.aistudio.image_to_3d(filepath=str(sample_picture()), model="TRELLIS2") == {"FINISHED"}
    body = _sent(studio, "/trellis2/generate/")
    assert (body["steps"], body["texture_size"], body["decimation_target"], body["seed"]) == \
        (30, 4096, 200_000, 42)


def test_miniature_at_any_ratio_and_face_count(studio):
    mini = bpy.context.scene.aistudio.miniature
    mini.use_face_count, mini.face_count = True, 50_000
    assert bpy.ops.aistudio.miniature(filepath=str(sample_picture()), edition="fast", scale="ratio",
                                      scale_ratio=35.0) == {"FINISHED"}
    body = _sent(studio, "/flow/miniature/")
    assert body["scale"] == "1:35" and body["face_count"] == 50_000


@pytest.mark.parametrize("model, panel, expected", [
    ("TRIPO", "AISTUDIO_PT_advanced_tripo",
     {"tripo_negative_prompt", "tripo_texture_quality", "tripo_geometry_quality", "tripo_quad",
      "tripo_smart_low_poly", "tripo_generate_parts", "tripo_use_seeds", "tripo_texture_seed",
      "tripo_texture_alignment", "tripo_orientation", "tripo_image_autofix"}),
    ("TRIPO_P1", "AISTUDIO_PT_advanced_tripo",
     {"tripo_negative_prompt", "tripo_texture_quality", "tripo_model_seed", "tripo_image_seed"}),
    ("TENCENT_PRO", "AISTUDIO_PT_advanced_tencent", {"polygon_type"}),
    ("TRELLIS2", "AISTUDIO_PT_advanced_trellis",
     {"trellis_steps", "trellis_texture_size", "trellis_decimation_target", "trellis_seed"}),
])
def test_an_advanced_sub_panel_per_model_closed_by_default(addon, model, panel, expected):
    bpy.context.scene.aistudio.model = model
    cls = getattr(bpy.types, panel)
    assert "DEFAULT_CLOSED" in cls.bl_options
    assert cls.bl_parent_id == "AISTUDIO_PT_generate"
    assert cls.poll(bpy.context)
    assert expected <= set(_draw(cls).props())
    others = [c for c in ("AISTUDIO_PT_advanced_tripo", "AISTUDIO_PT_advanced_tencent",
                          "AISTUDIO_PT_advanced_trellis") if c != panel]
    assert not any(getattr(bpy.types, c).poll(bpy.context) for c in others)


def test_miniature_ratio_field_and_advanced_panel(addon):
    from ai_studio_bridge.addon.ui import panels
    mini = bpy.context.scene.aistudio.miniature
    mini.scale = "ratio"
    assert "scale_ratio" in _draw(panels.AISTUDIO_PT_miniature).props()
    assert "DEFAULT_CLOSED" in bpy.types.AISTUDIO_PT_miniature_advanced.bl_options
    assert "face_count" in _draw(bpy.types.AISTUDIO_PT_miniature_advanced).props()


def test_prepare_reconstruct_sends_the_30_its_label_promises(studio):
    from ai_studio_bridge.addon.ui import prepare_panel
    settings = bpy.context.scene.aistudio
    settings.options.tencent_version = "3.1"          # what the Generate panel holds
    picture = bpy.data.images.load(str(sample_picture()))
    for view in ("front", "back", "left", "right"):
        getattr(settings.multiview, view).image = picture
    (button,) = _draw(prepare_panel.AISTUDIO_PT_prepare).buttons("aistudio.multiview_to_3d")
    assert (button.model, button.version) == ("TENCENT_PRO", "3.0")
    assert bpy.ops.aistudio.multiview_to_3d(model=button.model, version=button.version) == {"FINISHED"}
    assert _sent(studio, "/tencent/generate/pro/")["model"] == "3.0"


def test_trellis_hides_the_text_box_and_says_why(addon):
    from ai_studio_bridge.addon.ui import panels
    bpy.context.scene.aistudio.model = "TRELLIS2"
    layout = _draw(panels.AISTUDIO_PT_generate)
    assert "prompt" not in layout.props()
    assert not layout.buttons("aistudio.text_to_3d")
    assert any("pictures only" in text for text in layout.texts("label"))
    bpy.context.scene.aistudio.model = "TENCENT_RAPID"
    assert "prompt" in _draw(panels.AISTUDIO_PT_generate).props()
