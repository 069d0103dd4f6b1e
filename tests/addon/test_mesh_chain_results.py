"""The address tools on job results, a chain in the job list, and a crash between its steps.

A generated model knows its result's address: retopology reads it as it is,
retexture gets an FBX copy made on the service (nothing uploaded), and a
bake of two results sends the bake alone. A chain is one row in the job
list; cancelling it cancels every step; a restart between its steps
finishes it without paying again for the step that was done.
"""

import threading
import types

import bpy
import pytest
from addon_helpers import KEY, last_job, pump_until, wait_imported
from mesh_tool_helpers import (
    BAKE,
    CONVERT,
    TEXTURE_EDIT,
    TOPOLOGY,
    ball,
    endpoints,
    face_colours,
    is_red,
    paid,
    select,
    shown_price,
    triangles,
    uploads,
)
from test_panel import RecordingLayout

pytestmark = pytest.mark.blender


def _generated(prompt: str):
    assert bpy.ops.aistudio.text_to_3d(prompt=prompt, model="TENCENT_RAPID") == {"FINISHED"}
    wait_imported()
    return bpy.context.active_object


def test_tools_on_job_results_reuse_their_addresses_and_upload_nothing(studio):
    from ai_studio_bridge.addon.jobs import session
    model = _generated("a tall vase")
    record = session.STATE.engine.job(last_job().job_id)
    kept = model["aistudio_addresses"]["glb"].to_dict()
    assert kept["url"] == record.model_url() and kept["expires_at"] == record.expires_at
    # Retopology reads the result's GLB address as it is: no copy, no upload.
    sent = len(studio.accepted)
    assert shown_price(bpy.context, "RETOPOLOGY") == 100
    assert bpy.ops.aistudio.mesh_tool(tool="RETOPOLOGY", face_level="low") == {"FINISHED"}
    wait_imported()
    assert endpoints(studio, sent) == [TOPOLOGY] and studio.accepted[-1].body["file_url"] == kept["url"]
    retopo = bpy.data.objects[f"{model.name} retopo"]
    assert len(retopo.data.polygons) < triangles(model)
    # Retexture wants FBX: a copy of the address made on the service (10 credits, no file).
    select(model, active=model)
    sent = len(studio.accepted)
    assert shown_price(bpy.context, "RETEXTURE") == 90
    assert bpy.ops.aistudio.mesh_tool(tool="RETEXTURE", prompt="bright red paint") == {"FINISHED"}
    wait_imported()
    assert endpoints(studio, sent) == [CONVERT, TEXTURE_EDIT] and paid(studio, sent) == 90
    assert studio.accepted[sent].body == {"model_url": kept["url"], "output_format": "fbx"}
    assert studio.accepted[sent].files == []
    assert set(model["aistudio_addresses"].keys()) == {"glb", "fbx"}
    painted = bpy.data.objects[f"{model.name} retextured"]
    assert is_red(face_colours(painted)[0]).mean() > 0.6
    # Bake the painted result onto the retopology, set where it stands: the bake alone.
    retopo.location = painted.location
    bpy.context.view_layer.update()
    select(painted, retopo, active=retopo)
    sent = len(studio.accepted)
    assert shown_price(bpy.context, "BAKE") == 5
    assert bpy.ops.aistudio.mesh_tool(tool="BAKE") == {"FINISHED"}
    wait_imported()
    assert endpoints(studio, sent) == [BAKE] and paid(studio, sent) == 5
    assert studio.accepted[-1].body == {"original_url": painted["aistudio_addresses"]["glb"]["url"],
                                        "retopo_url": retopo["aistudio_addresses"]["glb"]["url"]}
    baked = bpy.data.objects[f"{retopo.name} baked"]
    assert is_red(face_colours(baked)[0]).mean() > 0.6
    assert uploads(studio) == []                                 # never a file sent


class _Gate:
    """A client whose texture edits are refused as never sent while ``hold`` is set:
    the chain stops between its steps, exactly where a crash would leave it."""

    def __init__(self):
        self.hold = threading.Event()
        self.refused = 0

    def factory(self, provider, settings, clock, cancel):
        from ai_studio_bridge.addon.jobs import session
        from ai_studio_bridge.bridge.api.tencent import TencentTextureEditRequest
        from ai_studio_bridge.bridge.errors import NotSentError
        client = session._client_factory(provider, settings, clock, cancel)
        real = client.submit

        def submit(request):
            if isinstance(request, TencentTextureEditRequest) and self.hold.is_set():
                self.refused += 1
                raise NotSentError("held back by the test")
            return real(request)
        client.submit = submit
        return client


@pytest.fixture
def gate(studio):
    from ai_studio_bridge.addon.jobs import session
    found = _Gate()
    found.hold.set()
    session.ENGINE_OPTIONS["client_factory"] = found.factory
    return found


def _steps():
    from ai_studio_bridge.addon.jobs import chains
    return chains.summary(last_job())


def test_a_chain_is_one_row_with_its_steps_and_one_cancel(studio, gate):
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.addon.ui import joblist, panels
    ball("Pot")
    assert bpy.ops.aistudio.mesh_tool(tool="RETEXTURE", prompt="red") == {"FINISHED"}
    chain = pump_until(lambda: (c := _steps()) and c.steps[0].state == "DONE" and c)
    assert chain.step_line == "copy on the service 1/2 → retexture 2/2"
    assert chain.name == "Pot retextured" and chain.cost_text == "90"
    assert chain.current is chain.steps[1] and last_job().state in ("WAITING", "QUEUED")
    runtime = bpy.context.window_manager.aistudio
    assert [row.job_id for row in runtime.jobs] == [last_job().job_id]    # one row
    assert len(session.active_jobs()) == 1
    row = RecordingLayout()
    joblist.AISTUDIO_UL_jobs.draw_item(types.SimpleNamespace(), bpy.context, row, runtime,
                                       runtime.jobs[0], 0, runtime, "active_job", 0)
    assert row.texts("label")[0] == "Pot retextured"
    [bar] = [kw["text"] for name, _a, kw in row.log if name == "progress"]
    assert bar.startswith("retexture 2/2 · ")
    details = RecordingLayout()
    panels.AISTUDIO_PT_jobs.draw(types.SimpleNamespace(layout=details), bpy.context)
    assert "Credits: 90 in all   State: " + chain.state.title() in details.texts("label")
    # The copy made an address, nothing to import.
    assert not chain.steps[0].imported and not session.STATE.pending_imports
    [button] = row.buttons("aistudio.cancel_job")
    # Cancel while step 2 waits to be tried again, not while its POST is in flight (then the
    # engine cannot know it was not sent, and rightly says it may still run).
    pump_until(lambda: gate.refused and last_job().state == "QUEUED")
    assert bpy.ops.aistudio.cancel_job(job_id=button.job_id) == {"FINISHED"}
    pump_until(lambda: not last_job().active)
    assert last_job().state == "CANCELLED" and "nothing was charged" in last_job().error
    assert endpoints(studio) == [CONVERT]


def test_a_failed_step_shows_as_the_chains_error(studio):
    from ai_studio_bridge.addon.jobs import chains
    ball("Pot")
    studio.faults.fail_next_job("the mesh could not be read")
    assert bpy.ops.aistudio.mesh_tool(tool="RETEXTURE", prompt="red") == {"FINISHED"}
    assert bpy.ops.aistudio.wait_jobs(timeout=60) == {"CANCELLED"}
    chain = chains.summary(last_job())
    assert chain.state == "FAILED" and chain.current is chain.steps[0]
    assert chain.error.startswith("Step 1 of 2 (copy on the service) failed: ")
    assert "the mesh could not be read" in chain.error
    assert endpoints(studio) == [CONVERT] and studio.balance == 1_000_000   # refunded, step 2 unsent


def test_a_restart_between_the_steps_finishes_the_chain_without_paying_twice(studio, gate,
                                                                             monkeypatch):
    import ai_studio_bridge as package
    from ai_studio_bridge.addon.jobs import session
    # The next session's preferences (these tests' own are dropped with the add-on).
    monkeypatch.setenv("3D_AI_STUDIO_API_KEY", KEY)
    monkeypatch.setenv("3D_AI_STUDIO_API_URL", studio.url)
    monkeypatch.setenv("AISTUDIO_RATE_LIMIT", "600")
    source = ball("Pot")
    price = shown_price(bpy.context, "RETEXTURE")
    assert bpy.ops.aistudio.mesh_tool(tool="RETEXTURE", prompt="bright red paint") == {"FINISHED"}
    pump_until(lambda: (c := _steps()) and c.steps[0].state == "DONE")
    assert endpoints(studio) == [CONVERT]                        # step 2 not sent yet
    package.unregister()                                         # Blender goes away here
    gate.hold.clear()
    package.register()                                           # the journal is still there
    assert session.STATE.engine is not None                      # resumed on start
    assert bpy.ops.aistudio.wait_jobs(timeout=60) == {"FINISHED"}
    assert endpoints(studio) == [CONVERT, TEXTURE_EDIT]
    assert price == paid(studio) == 1_000_000 - studio.balance == 90
    painted = bpy.data.objects["Pot retextured"]
    assert is_red(face_colours(painted)[0]).mean() > 0.6
    assert "fbx" in source["aistudio_addresses"]
