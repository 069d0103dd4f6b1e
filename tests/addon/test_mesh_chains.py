"""Retexture, retopology and bake of the scene's own meshes through ``aistudio.mesh_tool``.

Each runs a chain against the emulator: the mesh is uploaded once by a
convert (its address is kept on the object), then the tool reads the
address. The results show the tool's effect in Blender: the prompt's colour,
fewer faces, the high-poly's colours on the low-poly. The price on the
Tools panel's button is what the service charged.
"""

import types

import bpy
import numpy as np
import pytest
from addon_helpers import TIME_SCALE, last_job, pump_until, wait_imported
from mesh_tool_helpers import (
    BAKE,
    CONVERT,
    TEXTURE_EDIT,
    TOPOLOGY,
    ball,
    endpoints,
    face_colours,
    is_blue,
    is_red,
    paid,
    select,
    shown_price,
    triangles,
    two_colour_ball,
    uploads,
)
from test_panel import RecordingLayout

pytestmark = pytest.mark.blender


def _result(name):
    obj = bpy.data.objects.get(name)
    assert obj is not None, [o.name for o in bpy.data.objects]
    return obj


def test_retexture_of_a_scene_mesh_uploads_it_once_and_paints_the_prompt(studio):
    source = ball("Pot", location=(1.0, 2.0, 0.0))
    source.rotation_euler = (0.0, 0.0, 0.7)
    price = shown_price(bpy.context, "RETEXTURE")
    balance = studio.balance
    assert bpy.ops.aistudio.mesh_tool(tool="RETEXTURE", prompt="bright red paint") == {"FINISHED"}
    assert last_job().state == "PREPARING" and studio.accepted == []   # the helper exports first
    wait_imported()
    assert endpoints(studio) == [CONVERT, TEXTURE_EDIT]
    assert len(uploads(studio)) == 1 and studio.accepted[0].body == {"output_format": "fbx"}
    assert price == 90 == paid(studio) == balance - studio.balance
    result = _result("Pot retextured")
    assert len(result.data.polygons) >= len(source.data.polygons)   # the same shape, triangulated
    colours, _heights = face_colours(result)
    assert is_red(colours).mean() > 0.6
    # Sent in its own coordinates and turned like its source, beside it.
    np.testing.assert_allclose(result.dimensions, source.dimensions, atol=0.02)
    assert result.matrix_basis.to_euler().z == pytest.approx(0.7, abs=1e-4)
    assert result.location.x > source.location.x
    # The copy's address is kept on the source for the next tool.
    assert set(source["aistudio_addresses"].keys()) == {"fbx"}


def test_the_kept_address_is_reused_until_the_mesh_changes(studio):
    source = ball("Pot")
    assert bpy.ops.aistudio.mesh_tool(tool="RETEXTURE", prompt="red") == {"FINISHED"}
    wait_imported()
    select(source, active=source)
    sent = len(studio.accepted)
    assert shown_price(bpy.context, "RETEXTURE") == 80        # a fresh FBX copy is known
    panel = _tools_panel("RETEXTURE")
    assert panel.texts("operator") == ["Retexture · 80 credits"]
    assert "Pot: its copy on the service is reused" in panel.texts("label")
    assert bpy.ops.aistudio.mesh_tool(tool="RETEXTURE", prompt="glossy blue") == {"FINISHED"}
    wait_imported()
    assert endpoints(studio, sent) == [TEXTURE_EDIT] and paid(studio, sent) == 80
    assert len(uploads(studio)) == 1                           # no second upload
    assert studio.accepted[-1].body["file_url"] == source["aistudio_addresses"]["fbx"]["url"]
    assert is_blue(face_colours(_result("Pot retextured.001"))[0]).mean() > 0.6
    # Edited: the kept copy is of another mesh now, so it is uploaded again.
    select(source, active=source)
    source.data.vertices[0].co.z += 0.2
    source.data.update()
    bpy.context.view_layer.update()
    assert shown_price(bpy.context, "RETEXTURE") == 90
    assert bpy.ops.aistudio.mesh_tool(tool="RETEXTURE", prompt="green moss") == {"FINISHED"}
    wait_imported()
    assert len(uploads(studio)) == 2


def _tools_panel(tool):
    from ai_studio_bridge.addon.ui import panels
    bpy.context.scene.aistudio.tools.tool = tool
    layout = RecordingLayout()
    panels.AISTUDIO_PT_tools.draw(types.SimpleNamespace(layout=layout), bpy.context)
    return layout


def test_the_tools_panel_offers_the_address_tools_with_their_options_and_price(studio):
    ball("Pot")
    panel = _tools_panel("RETEXTURE")
    assert {"retexture_from", "retexture_prompt", "enable_pbr"} <= set(panel.props())
    assert panel.texts("operator") == ["Retexture · 90 credits"]
    assert "copy on the service 10 → retexture 80" in panel.texts("label")
    panel = _tools_panel("RETOPOLOGY")
    assert {"polygon_type", "face_level"} <= set(panel.props())
    assert panel.texts("operator") == ["Retopology · 110 credits"]
    [button] = panel.buttons("aistudio.mesh_tool")
    assert button.tool == "RETOPOLOGY"
    panel = _tools_panel("BAKE")                             # one mesh: says what is missing
    assert panel.texts("operator") == ["Bake"]
    assert any("select the high-poly" in text for text in panel.texts("label"))


def test_retexture_without_a_prompt_or_picture_is_refused_unpaid(studio):
    ball("Pot")
    with pytest.raises(RuntimeError, match="Retexture needs the new look"):
        bpy.ops.aistudio.mesh_tool(tool="RETEXTURE")
    assert studio.log == []


def test_a_script_bakes_two_addresses_it_gives(studio, tmp_path):
    from model_samples import grey_ball, write_model
    from model_samples import two_colour_ball as ball_file

    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.bridge.api.tools import ConvertRequest
    engine = session.engine()
    jobs = [engine.submit(ConvertRequest(model_file=write_model(tmp_path / name, mesh),
                                         output_format="glb"), download=False)
            for name, mesh in (("high.glb", ball_file()), ("low.glb", grey_ball()))]
    engine.wait(jobs, timeout=60 * TIME_SCALE)   # clock seconds, scaled
    records = [engine.job(job_id) for job_id in jobs]
    assert [r.state for r in records] == ["DONE", "DONE"], [r.error for r in records]
    high_url, low_url = (r.model_url() for r in records)
    ball("Anything")
    sent = len(studio.accepted)
    assert bpy.ops.aistudio.mesh_tool(tool="BAKE", original_url=high_url, retopo_url=low_url) \
        == {"FINISHED"}
    wait_imported()
    assert endpoints(studio, sent) == [BAKE]
    assert studio.accepted[-1].body == {"original_url": high_url, "retopo_url": low_url}
    colours, heights = face_colours(_result("Anything baked"))
    assert is_red(colours[heights > 0.15]).mean() > 0.9


def test_an_address_past_its_expiry_is_uploaded_again(studio):
    from ai_studio_bridge.addon.blenderio import meshaddress
    source = ball("Pot")
    assert bpy.ops.aistudio.mesh_tool(tool="RETOPOLOGY", face_level="low") == {"FINISHED"}
    wait_imported()
    kept = source["aistudio_addresses"]["glb"]
    kept["expires_at"] = meshaddress.now() - 1.0               # the service has dropped it
    select(source, active=source)
    assert shown_price(bpy.context, "RETOPOLOGY") == 110
    assert bpy.ops.aistudio.mesh_tool(tool="RETOPOLOGY", face_level="low") == {"FINISHED"}
    wait_imported()
    assert len(uploads(studio)) == 2 and endpoints(studio).count(TOPOLOGY) == 2


def test_an_address_the_service_dropped_early_fails_unpaid_and_is_forgotten(studio):
    from ai_studio_bridge.addon.jobs import session
    source = ball("Pot")
    assert bpy.ops.aistudio.mesh_tool(tool="RETEXTURE", prompt="red") == {"FINISHED"}
    wait_imported()
    studio.expire(uploads(studio)[0].task_id)                 # gone before its 24 hours
    select(source, active=source)
    balance = studio.balance
    assert bpy.ops.aistudio.mesh_tool(tool="RETEXTURE", prompt="blue") == {"FINISHED"}
    view = pump_until(lambda: last_job() if not last_job().active else None)
    assert view.state == "FAILED" and "expired" in view.error
    assert studio.balance == balance                            # the failed edit was refunded
    assert "aistudio_addresses" not in source
    assert any("uploaded anew" in text for _level, text, _t in session.STATE.messages)
    select(source, active=source)
    assert bpy.ops.aistudio.mesh_tool(tool="RETEXTURE", prompt="blue") == {"FINISHED"}
    wait_imported()
    assert len(uploads(studio)) == 2
    assert is_blue(face_colours(_result("Pot retextured.001"))[0]).mean() > 0.6


def test_retopology_of_a_scene_mesh_has_far_fewer_faces(studio):
    source = ball("Rock", segments=96, rings=48)
    assert shown_price(bpy.context, "RETOPOLOGY") == 110
    assert bpy.ops.aistudio.mesh_tool(tool="RETOPOLOGY", face_level="low") == {"FINISHED"}
    wait_imported()
    assert endpoints(studio) == [CONVERT, TOPOLOGY] and paid(studio) == 110
    assert studio.accepted[1].body == {"file_url": studio.accepted[1].body["file_url"],
                                       "file_type": "GLB", "polygon_type": "triangle",
                                       "face_level": "low"}
    result = _result("Rock retopo")
    assert 100 <= len(result.data.polygons) <= 0.15 * triangles(source)
    np.testing.assert_allclose(result.dimensions, source.dimensions, atol=0.05)


def test_quad_retopology_arrives_with_quads(studio):
    ball("Rock", segments=96, rings=48)
    tools = bpy.context.scene.aistudio.tools
    tools.polygon_type, tools.face_level = "quadrilateral", "medium"   # the panel's choices
    assert bpy.ops.aistudio.mesh_tool(tool="RETOPOLOGY") == {"FINISHED"}
    wait_imported()
    body = studio.accepted[1].body
    assert body["polygon_type"] == "quadrilateral" and body["output_format"] == "fbx"
    result = _result("Rock retopo")
    assert sum(len(p.vertices) == 4 for p in result.data.polygons) > len(result.data.polygons) / 4


def test_bake_puts_the_selected_high_polys_colours_on_the_active_low_poly(studio):
    high = two_colour_ball("Statue", location=(0.0, 0.0, 1.0))
    low = ball("Statue low", segments=16, rings=8, location=(0.0, 0.0, 1.0))
    select(high, low, active=low)
    assert shown_price(bpy.context, "BAKE") == 25
    assert bpy.ops.aistudio.mesh_tool(tool="BAKE") == {"FINISHED"}
    wait_imported()
    assert endpoints(studio) == [CONVERT, CONVERT, BAKE] and paid(studio) == 25
    result = _result("Statue low baked")
    assert len(result.data.polygons) == triangles(low)
    colours, heights = face_colours(result)
    assert is_red(colours[heights > 0.15]).mean() > 0.9
    assert is_blue(colours[heights < -0.15]).mean() > 0.9


def test_bake_matches_the_meshes_where_they_stand(studio):
    """The high-poly turned upside down in the scene: the bake sees it so (Selected to Active)."""
    high = two_colour_ball("Statue")
    high.rotation_euler.x = np.pi                               # blue on top now
    low = ball("Statue low", segments=16, rings=8)
    select(high, low, active=low)
    assert bpy.ops.aistudio.mesh_tool(tool="BAKE") == {"FINISHED"}
    wait_imported()
    colours, heights = face_colours(_result("Statue low baked"))
    assert is_blue(colours[heights > 0.15]).mean() > 0.9
    assert is_red(colours[heights < -0.15]).mean() > 0.9
    # Sent in the low-poly's frame, the high-poly's copy is not its own geometry: not kept.
    assert "aistudio_addresses" not in high and "glb" in low["aistudio_addresses"]
