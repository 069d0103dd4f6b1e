"""A 1:N print scale applies to the real subject: a horse at O is not a person at O."""

import bpy
import pytest
from addon_helpers import ai_objects, sample_picture, wait_imported
from mathutils import Vector

pytestmark = pytest.mark.blender


def _height(top):
    bpy.context.view_layer.update()
    meshes = [o for o in [top, *top.children_recursive] if o.type == "MESH"]
    zs = [(o.matrix_world @ Vector(c)).z for o in meshes for c in o.bound_box]
    return max(zs) - min(zs)


def test_a_horse_at_o_arrives_at_its_real_height_over_48(studio):
    assert bpy.ops.aistudio.miniature(filepath=str(sample_picture()), preset="miniature_animal",
                                      edition="fast", scale="o", subject_height_cm=240.0) == {"FINISHED"}
    wait_imported()
    (submit,) = [a for a in studio.accepted if "/flow/miniature/" in a["endpoint"]]
    assert submit["body"]["scale"] == "custom" and submit["body"]["scale_height_cm"] == 5.0
    (top,) = ai_objects()
    assert _height(top) == pytest.approx(0.05, rel=1e-3)        # 240 cm / 48, not 3.65 cm


def test_an_animal_without_its_real_height_is_refused_before_spending(studio):
    with pytest.raises(RuntimeError, match="an animal has no standard size: give its real-world height"):
        bpy.ops.aistudio.miniature(filepath=str(sample_picture()), preset="miniature_animal", scale="o")
    assert not [a for a in studio.accepted if "/flow/miniature/" in a["endpoint"]]


def test_a_custom_height_over_100_cm_is_refused_not_clamped(studio):
    settings = bpy.context.scene.aistudio.miniature
    settings.scale_height_cm = 150.0
    assert settings.scale_height_cm == 150.0                     # the field does not clamp
    with pytest.raises(RuntimeError, match="150 cm; the service makes miniatures up to 100 cm"):
        bpy.ops.aistudio.miniature(filepath=str(sample_picture()), scale="custom")
    assert not [a for a in studio.accepted if "/flow/miniature/" in a["endpoint"]]
