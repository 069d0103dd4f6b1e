"""Queue a folder from Blender: one guard, one total, every result lands in the scene."""

import shutil

import bpy
import pytest
from addon_helpers import ai_objects, pump_until, sample_picture

pytestmark = pytest.mark.blender


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "to do"
    folder.mkdir()
    shutil.copy(sample_picture(), folder / "first.png")
    shutil.copy(sample_picture(), folder / "second.png")
    (folder / "teapot.txt").write_text("a small teapot")
    (folder / "readme.md").write_text("not an item")
    return folder


def test_queue_a_folder_sends_each_item_once_and_imports_every_result(studio, folder):
    from ai_studio_bridge.addon.jobs import session
    assert bpy.ops.aistudio.queue_folder(directory=str(folder), model="TENCENT_RAPID") == {"FINISHED"}
    views = [session.STATE.jobs[j] for j in session.STATE.order]
    assert sorted(v.label for v in views) == ["first", "second", "teapot"]
    batches = {v.meta["batch"] for v in views}
    assert len(batches) == 1
    pump_until(lambda: all(v.imported for v in session.STATE.jobs.values()), timeout=60)
    assert len(ai_objects()) == 3
    assert len(studio.accepted) == 3
    assert sorted(bool(a.body.get("image")) for a in studio.accepted) == [False, True, True]


def test_the_total_is_what_the_confirmation_asks_about(studio, folder):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.operators.batch import AISTUDIO_OT_queue_folder, BatchOfRequests
    from ai_studio_bridge.addon.operators.submit import Prepared, credit_text, needs_confirmation
    prefs = preferences.get_prefs()
    prefs.confirm_credits = 100
    parts = []
    for name in ("first.png", "second.png", "teapot.txt"):
        from ai_studio_bridge.bridge.engine.batch import collect
        [item] = [i for i in collect([folder]) if i.name == name.rsplit(".", 1)[0]]
        request = AISTUDIO_OT_queue_folder._request(bpy.context, "TENCENT_RAPID", item)
        parts.append(Prepared(request, item.name, "TENCENT_RAPID", {}))
    batch = BatchOfRequests(parts, {})
    batch.validate()
    assert credit_text(batch) == "105 credits"           # 3 × 35: one question for the lot
    assert needs_confirmation(prefs, batch)


def test_a_folder_with_nothing_to_send_costs_nothing_and_says_why(studio, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.md").write_text("nothing")
    with pytest.raises(RuntimeError, match="No pictures"):
        bpy.ops.aistudio.queue_folder(directory=str(empty), model="TRELLIS2")
    shutil.copy(sample_picture(), empty / "a.png")
    (empty / "prompt.txt").write_text("a chair")
    assert bpy.ops.aistudio.queue_folder(directory=str(empty), model="TRELLIS2") == {"FINISHED"}
    from ai_studio_bridge.addon.jobs import session
    assert [v.label for v in session.STATE.jobs.values()] == ["a"]   # TRELLIS takes no prompt
    assert len(studio.accepted) <= 1


def test_engine_notices_reach_the_message_list(studio):
    from ai_studio_bridge.addon.jobs import pump, session
    from ai_studio_bridge.bridge.engine import Event
    session.engine().emit(Event("notice", "", message="The job journal x is locked."))
    pump.pump_once()
    assert any("journal x is locked" in text for _level, text, _t in session.STATE.messages)
    assert "" not in session.STATE.jobs
