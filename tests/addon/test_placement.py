"""Where results stand: at the 3D cursor, in a row beside earlier results standing there."""

import bpy
import pytest
from addon_helpers import ai_objects, wait_imported
from mathutils import Vector

pytestmark = pytest.mark.blender


def _world_box(top):
    bpy.context.view_layer.update()
    corners = [o.matrix_world @ Vector(c) for o in [top, *top.children_recursive]
               if o.type == "MESH" for c in o.bound_box]
    return (Vector(map(min, *corners)), Vector(map(max, *corners)))


def _overlap(a, b):
    return all(a[0][i] < b[1][i] and b[0][i] < a[1][i] for i in range(3))


def _generate(prompt):
    bpy.ops.aistudio.text_to_3d(prompt=prompt, model="TENCENT_RAPID")
    return wait_imported()


def test_variants_stand_in_a_row_from_the_cursor_not_inside_each_other(studio):
    bpy.context.scene.cursor.location = (1.0, 2.0, 0.0)
    for prompt in ("a chair", "a chair, taller", "a chair, oak"):
        _generate(prompt)
    tops = sorted(ai_objects(), key=lambda o: o.location.x)
    assert tuple(round(v, 4) for v in tops[0].location) == (1.0, 2.0, 0.0)   # the first: the cursor
    assert all(round(t.location.y, 4) == 2.0 and round(t.location.z, 4) == 0.0 for t in tops)
    boxes = [_world_box(t) for t in tops]
    assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    gaps = [boxes[i + 1][0].x - boxes[i][1].x for i in range(len(boxes) - 1)]
    assert all(0 < g < 0.5 for g in gaps), gaps   # beside each other, a small gap apart


def test_a_spot_moved_away_from_is_free_again(studio):
    bpy.context.scene.cursor.location = (0.0, 0.0, 0.0)
    _generate("a lamp")
    (first,) = ai_objects()
    first.location = (10.0, 10.0, 0.0)   # the artist moved it away
    _generate("a lamp, brass")
    second = next(o for o in ai_objects() if o != first)
    assert tuple(round(v, 4) for v in second.location) == (0.0, 0.0, 0.0)


def test_a_scaled_up_earlier_result_pushes_the_next_one_further(studio):
    bpy.context.scene.cursor.location = (0.0, 0.0, 0.0)
    _generate("a crate")
    (first,) = ai_objects()
    first.scale = first.scale * 3.0
    _generate("a crate, small")
    second = next(o for o in ai_objects() if o != first)
    assert not _overlap(_world_box(first), _world_box(second))
