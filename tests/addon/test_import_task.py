"""``aistudio.import_task``: a task made on the website or another machine, brought in by its id."""

import time

import bpy
import pytest
from addon_helpers import KEY, ai_objects, last_job, wait_imported
from test_guards import _refused

pytestmark = pytest.mark.blender


@pytest.fixture
def website(studio):
    """Submits the way the website does: straight to the service, not through our journal."""
    from ai_studio_bridge.bridge.api.tencent import TencentRapidRequest
    from ai_studio_bridge.bridge.client import client_for
    from ai_studio_bridge.bridge.config import Settings
    client = client_for("3daistudio", Settings(api_key=KEY, api_url=studio.url, rate_limit=1000))
    return lambda prompt: client.submit(TencentRapidRequest(prompt=prompt)).task_id


def test_a_finished_task_from_elsewhere_is_imported_at_the_cursor(studio, website):
    from ai_studio_bridge.addon.jobs import session
    task = website("a red armchair")
    time.sleep(0.2)                                  # long finished on the service (2000x time)
    balance = studio.balance
    bpy.context.scene.cursor.location = (3.0, -1.0, 0.5)
    assert bpy.ops.aistudio.import_task(task_id=task) == {"FINISHED"}
    view = wait_imported()
    assert view.task_id == task and view.label == f"Task {task[:8]}"
    [obj] = ai_objects()
    assert obj.name == f"Task {task[:8]}" and obj["aistudio_job"] == task
    assert tuple(obj.location) == pytest.approx((3.0, -1.0, 0.5))
    assert len(studio.accepted) == 1 and studio.balance == balance     # nothing charged
    # The same id again: imported once more from the files already downloaded.
    assert bpy.ops.aistudio.import_task(task_id=task) == {"FINISHED"}
    assert len(ai_objects()) == 2 and len(session.STATE.jobs) == 1


def test_the_job_list_field_imports_the_task_it_holds(studio, website):
    task = website("a lamp")
    runtime = bpy.context.window_manager.aistudio
    runtime.task_id = f"  {task} "                  # pasted with spaces around it
    assert bpy.ops.aistudio.import_task() == {"FINISHED"}
    assert runtime.task_id == ""
    wait_imported()
    assert ai_objects()[0].name == f"Task {task[:8]}"


def test_an_unknown_task_says_the_service_does_not_know_it(studio):
    assert bpy.ops.aistudio.import_task(task_id="3f2c9a4e-0000-4000-8000-000000000000") == {"FINISHED"}
    assert bpy.ops.aistudio.wait_jobs(timeout=30) == {"CANCELLED"}
    assert last_job().state == "FAILED"
    assert "has no task 3f2c9a4e-0000-4000-8000-000000000000 for this API key" in last_job().error
    assert ai_objects() == []


def test_an_expired_task_says_it_expired(studio, website):
    task = website("a chair")
    time.sleep(0.2)
    studio.expire(task)
    assert bpy.ops.aistudio.import_task(task_id=task) == {"FINISHED"}
    assert bpy.ops.aistudio.wait_jobs(timeout=30) == {"CANCELLED"}
    assert last_job().state == "EXPIRED" and "24 h" in last_job().error.replace("hours", "h")


def test_a_malformed_id_is_refused_before_anything_is_asked(studio):
    _refused(lambda: bpy.ops.aistudio.import_task(task_id="https://3daistudio.com/task/12"),
             "is not a task id")
    _refused(lambda: bpy.ops.aistudio.import_task(task_id=""), "Paste the task's id")
    assert studio.log == []
