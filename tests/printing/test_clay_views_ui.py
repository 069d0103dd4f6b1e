"""Clay toggle (across save/reload), four-view capture, and the panel/operators."""

import bmesh
import bpy
import numpy as np
import pytest
from mathutils import Matrix
from print_helpers import cube

from ai_studio_bridge.addon.printing import clay
from ai_studio_bridge.addon.printing.multiview import capture_views
from ai_studio_bridge.bridge.pngcodec import decode_png

pytestmark = pytest.mark.blender


def test_clay_toggle_restores_slots_after_save_and_reload(scene, make, tmp_path):
    ob = make("m", lambda bm: cube(bm))
    red, blue = bpy.data.materials.new("Red"), bpy.data.materials.new("Blue")
    ob.data.materials.append(red)
    ob.data.materials.append(None)
    ob.data.materials.append(blue)
    assert clay.toggle_clay(ob) is True
    assert [s.material.name for s in ob.material_slots] == [clay.CLAY_NAME] * 3
    path = tmp_path / "clay.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.open_mainfile(filepath=str(path))
    ob = bpy.data.objects["m"]
    assert clay.is_clay(ob)
    assert clay.toggle_clay(ob) is False
    assert [s.material.name if s.material else None for s in ob.material_slots] == \
        ["Red", None, "Blue"]
    assert not bpy.data.materials["Red"].use_fake_user


def test_clay_on_an_object_without_materials_goes_back_to_none(scene, make):
    ob = make("bare", lambda bm: cube(bm))
    clay.toggle_clay(ob)
    assert ob.active_material.name == clay.CLAY_NAME
    assert ob.active_material.roughness == pytest.approx(0.8)
    clay.toggle_clay(ob)
    assert len(ob.material_slots) == 0


def _mask(path):
    pixels = decode_png(path.read_bytes())[..., :3].astype(int)
    return np.any(np.abs(pixels - 190) > 3, axis=-1), pixels


def test_four_views_share_frame_and_mirror(scene, make, tmp_path):
    def l_shape(bm):
        bmesh.ops.create_cube(bm, size=1.0, matrix=Matrix.Translation((0, 0, 1))
                              @ Matrix.Diagonal((0.5, 0.5, 2, 1)))
        bmesh.ops.create_cube(bm, size=1.0, matrix=Matrix.Translation((0.75, 0, 0.25))
                              @ Matrix.Diagonal((1.0, 0.5, 0.5, 1)))
    ob = make("L", l_shape)
    engine_before = scene.render.engine
    paths = capture_views([ob], tmp_path, resolution=96)
    assert sorted(paths) == ["back", "front", "left", "right"]
    masks = {}
    for name, path in paths.items():
        mask, pixels = _mask(path)
        assert pixels.shape == (96, 96, 3)
        assert tuple(pixels[0, 0]) == (190, 190, 190)          # flat grey, not transparent
        ys, xs = np.nonzero(mask)
        assert abs((xs.min() + xs.max()) / 2 - 47.5) <= 1.5     # centred
        assert abs((ys.min() + ys.max()) / 2 - 47.5) <= 1.5
        masks[name] = mask
    # The L's foot points right from the front and left from the back.
    assert (masks["front"] ^ masks["back"][:, ::-1]).sum() < 0.03 * masks["front"].sum()
    assert (masks["front"] ^ masks["back"]).sum() > 0.2 * masks["front"].sum()
    assert (masks["left"] ^ masks["right"][:, ::-1]).sum() < 0.03 * masks["left"].sum()
    assert scene.render.engine == engine_before and scene.camera is None
    assert not any(o.name.startswith("AISTUDIO_capture") for o in bpy.data.objects)


def test_operators_run_and_panel_shows_costs(scene, make, registered):
    from ai_studio_bridge.addon.printing import costs
    from ai_studio_bridge.addon.printing.panel import AISTUDIO_PT_print
    assert AISTUDIO_PT_print.bl_category == "AI Studio"
    from ai_studio_bridge.addon.jobs import pump
    ob = make("op", lambda bm: cube(bm))
    assert bpy.ops.aistudio.print_check() == {"FINISHED"}   # runs in the helper Blender
    assert pump.wait_all(60)
    assert "Watertight: yes" in scene.aistudio.printing.last_report
    assert "ml" in scene.aistudio.printing.last_report
    scene.aistudio.printing.wall_thickness_mm = 100.0
    assert bpy.ops.aistudio.hollow() == {"FINISHED"}
    assert pump.wait_all(60)
    assert bpy.ops.aistudio.clay_toggle() == {"FINISHED"} and clay.is_clay(ob)
    assert costs.cost_line("repair") == "Local: free · Cloud repair: 60 cr / 90 with hollow"
    assert costs.cost_line("clay").startswith("Local: free")


def test_left_view_shows_the_subjects_left_side(scene, make, tmp_path):
    # A figure facing -Y (Blender's front) with a red badge on its own left side (+X).
    body = make("figure", lambda bm: bmesh.ops.create_cube(
        bm, size=1.0, matrix=Matrix.Diagonal((1.0, 0.6, 2.0, 1)) @ Matrix.Translation((0, 0, 0.5))))
    badge = make("badge", lambda bm: bmesh.ops.create_cube(
        bm, size=1.0, matrix=Matrix.Translation((0.6, 0, 1.0)) @ Matrix.Diagonal((0.2, 0.3, 0.4, 1))))
    red = bpy.data.materials.new("Red")
    red.diffuse_color = (1.0, 0.0, 0.0, 1.0)
    badge.data.materials.append(red)
    paths = capture_views([body, badge], tmp_path, resolution=96)

    def red_columns(view):
        pixels = decode_png(paths[view].read_bytes())[..., :3].astype(int)
        is_red = (pixels[..., 0] > 120) & (pixels[..., 1] < 60) & (pixels[..., 2] < 60)
        return np.nonzero(is_red)[1]

    assert len(red_columns("left")) > 100           # facing the camera
    assert len(red_columns("right")) == 0           # hidden behind the body
    front = red_columns("front")                    # seen from the front: on the viewer's right
    assert len(front) and front.min() > 48
    back = red_columns("back")
    assert len(back) and back.max() < 48


def test_left_and_right_say_whose_side_everywhere():
    from ai_studio_bridge.addon.properties import VIEW_LABELS
    from ai_studio_bridge.bridge.recipes import load_recipes
    assert VIEW_LABELS["left"] == "Left (subject's left side)"
    assert VIEW_LABELS["right"] == "Right (subject's right side)"
    recipes = load_recipes()
    assert "its own left side" in recipes["view_left"].prompt
    assert "its own right side" in recipes["view_right"].prompt


def test_capture_views_renders_in_the_helper_and_fills_the_slots(scene, make, registered,
                                                                 tmp_path, monkeypatch):
    """The operator returns at once; the helper renders the same four views on a copy."""
    from ai_studio_bridge.addon.jobs import pump, session
    from ai_studio_bridge.addon.printing import multiview
    monkeypatch.setattr(multiview, "capture_views",
                        lambda *a, **k: pytest.fail("the views were rendered on the main thread"))
    body = make("figure", lambda bm: bmesh.ops.create_cube(
        bm, size=1.0, matrix=Matrix.Diagonal((1.0, 0.6, 2.0, 1)) @ Matrix.Translation((0, 0, 0.5))))
    badge = make("badge", lambda bm: bmesh.ops.create_cube(
        bm, size=1.0, matrix=Matrix.Translation((0.6, 0, 1.0)) @ Matrix.Diagonal((0.2, 0.3, 0.4, 1))))
    badge.parent = body                         # a child too, placed where it is in the world
    badge.matrix_parent_inverse = body.matrix_world.inverted()
    body.location = (3.0, -2.0, 1.0)
    red = bpy.data.materials.new("Red")
    red.diffuse_color = (1.0, 0.0, 0.0, 1.0)
    badge.data.materials.append(red)
    for ob in (body, badge):
        ob.select_set(True)
    bpy.context.view_layer.objects.active = body
    props = scene.aistudio.printing
    props.views_folder, props.views_resolution = str(tmp_path / "views"), 96
    assert bpy.ops.aistudio.capture_views() == {"FINISHED"}
    row = session.STATE.jobs[session.STATE.order[0]]
    assert row.kind == "local" and row.active
    assert pump.wait_all(120)
    assert row.state == "DONE", row.error
    slots = {v: getattr(scene.aistudio.multiview, v).image for v in ("front", "back", "left", "right")}
    assert {v: i.name for v, i in slots.items()} == {v: f"figure ({v})" for v in slots}
    files = {v: tmp_path / "views" / f"view_{v}.png" for v in slots}
    assert all(bpy.path.abspath(slots[v].filepath) == str(files[v]) for v in slots)

    def red_columns(view):
        pixels = decode_png(files[view].read_bytes())[..., :3].astype(int)
        assert pixels.shape == (96, 96, 3) and tuple(pixels[0, 0]) == (190, 190, 190)
        is_red = (pixels[..., 0] > 120) & (pixels[..., 1] < 60) & (pixels[..., 2] < 60)
        return np.nonzero(is_red)[1]

    assert len(red_columns("left")) > 100 and len(red_columns("right")) == 0
    assert red_columns("front").min() > 48 and red_columns("back").max() < 48
    assert scene.camera is None and not any(o.name.startswith("AISTUDIO_capture")
                                            for o in bpy.data.objects)
