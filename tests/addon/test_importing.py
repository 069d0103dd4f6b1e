"""The importer on its own: a known GLB, a hand-made journal record, a real scene."""

import json

import bpy
import pytest
from addon_helpers import pump_until

from ai_studio_bridge.bridge.engine import JobRecord
from bench.addon_bench import write_textured_glb

pytestmark = pytest.mark.blender


def _record(job_id, files, meta=None, request=None):
    from ai_studio_bridge.addon.jobs import origin
    meta = origin.stamp(dict(meta or {}))   # sent from the open file: the pump imports it
    return JobRecord(job_id=job_id, task_id=f"task-{job_id}", provider="3daistudio", kind="miniature",
                     label="Statue", state="DONE", progress=100, credits_low=200, credits_high=200,
                     files=[str(f) for f in files], error="", created_at=0.0, updated_at=0.0,
                     output_dir=str(files[0].parent) if files else "",
                     request=request or {"type": "MiniatureRequest", "fields": {"image": "x.png"}},
                     meta=meta)



@pytest.fixture
def grid_glb(tmp_path):
    # 2 m wide, 0.1 m of relief: small enough to import in milliseconds
    path = tmp_path / "j1_3d_model_0.glb"
    write_textured_glb(path, triangles=2_000, texture_px=32)
    return path


def test_glb_lands_in_the_collection_at_the_cursor_tagged_and_selected(records, grid_glb):
    from ai_studio_bridge.addon.jobs import importing
    records.records["j1"] = _record("j1", [grid_glb], meta={"name": "Red chair"},
                                    request={"type": "X", "fields": {"image": "data:image/png;base64,AAAA",
                                                                     "api_key": "nope", "prompt": "chair"}})
    bpy.context.scene.cursor.location = (1.0, 2.0, 3.0)
    result = importing.import_job("j1")
    (top,) = result.objects
    assert top.name == "Red chair"
    assert [c.name for c in top.users_collection] == ["AI Studio"]
    assert "AI Studio" in bpy.context.scene.collection.children
    assert tuple(round(v, 4) for v in top.location) == (1.0, 2.0, 3.0)
    assert top.select_get() and bpy.context.view_layer.objects.active == top
    assert top["aistudio_job"] == "task-j1"
    assert top["aistudio_provider"] == "3daistudio"
    stored = json.loads(top["aistudio_request"])
    assert stored["fields"]["prompt"] == "chair"
    assert "api_key" not in stored["fields"]
    assert "base64" not in top["aistudio_request"]
    assert top.data.materials and top.data.materials[0].node_tree is not None


def test_importing_twice_gives_two_objects(records, grid_glb):
    from ai_studio_bridge.addon.jobs import importing
    records.records["j1"] = _record("j1", [grid_glb], meta={"name": "Twice"})
    first = importing.import_job("j1").objects[0]
    second = importing.import_job("j1").objects[0]
    assert first != second
    assert len(bpy.data.collections["AI Studio"].objects) == 2


@pytest.mark.parametrize("scale_length", [1.0, 0.01])
def test_scaled_miniature_arrives_at_its_printed_height(records, tmp_path, scale_length):
    from ai_studio_bridge.addon.jobs import importing
    scaled = tmp_path / "m1_scaled_3d_model_0.glb"
    write_textured_glb(scaled, triangles=200, texture_px=8)
    plain = tmp_path / "m1_3d_model_0.glb"
    write_textured_glb(plain, triangles=200, texture_px=8)
    records.records["m1"] = _record("m1", [plain, scaled],
                                    meta={"name": "Mini", "scale": "custom", "scale_height_cm": 12.0})
    bpy.context.scene.unit_settings.scale_length = scale_length
    (top,) = importing.import_job("m1").objects
    bpy.context.view_layer.update()
    # the grid lies flat: its longest side is along X/Y; height means Z extent
    zs = [(top.matrix_world @ __import__("mathutils").Vector(c)).z for c in top.bound_box]
    height_m = (max(zs) - min(zs)) * scale_length
    assert height_m == pytest.approx(0.12, rel=1e-3)


def test_tool_results_go_beside_their_source(records, grid_glb):
    from ai_studio_bridge.addon.jobs import importing
    bpy.ops.mesh.primitive_cube_add(size=2.0, location=(5.0, 0.0, 0.0))
    cube = bpy.context.active_object
    records.records["t1"] = _record("t1", [grid_glb], meta={"name": "Cube repaired",
                                                            "placement": "beside",
                                                            "source_object": cube.name})
    (top,) = importing.import_job("t1").objects
    bpy.context.view_layer.update()
    from mathutils import Vector
    xs, ys, zs = zip(*[top.matrix_world @ Vector(c) for c in top.bound_box])
    assert min(xs) == pytest.approx(6.0, abs=1e-4)          # touching the cube's +X side
    assert (min(ys) + max(ys)) / 2 == pytest.approx(0.0, abs=1e-4)
    assert min(zs) == pytest.approx(-1.0, abs=1e-4)          # on the cube's ground


def test_pictures_become_image_datablocks(records, tmp_path):
    from addon_helpers import sample_picture

    from ai_studio_bridge.addon.jobs import importing, session
    picture = tmp_path / "p1_edited_image_0.png"
    picture.write_bytes(sample_picture().read_bytes())
    records.records["p1"] = _record("p1", [picture])
    session.track("p1", "Picture", "MINIATURE", "image", "")
    result = importing.import_job("p1")
    assert result.objects == []
    (image,) = result.images
    assert image.size[0] > 0
    assert image.preview is None   # no preview rendered of live data (the window crash)
    assert session.STATE.jobs["p1"].image_names == [image.name]


def test_a_job_without_files_is_reported_not_crashed(records):
    from ai_studio_bridge.addon.jobs import importing
    records.records["e1"] = _record("e1", [])
    with pytest.raises(importing.ImportFailed, match="no downloaded files"):
        importing.import_job("e1")


def test_a_corrupt_model_is_reported_and_the_pump_keeps_running(records, tmp_path):
    from ai_studio_bridge.addon.jobs import pump, session
    bad = tmp_path / "c1_3d_model_0.glb"
    bad.write_bytes(b"glTF" + b"\0" * 64)
    records.records["c1"] = _record("c1", [bad], meta={"name": "Broken"})
    records.drain = lambda max_events=None: []
    records.active_count = lambda: 0
    session.track("c1", "Broken", "TRIPO", "3d", "")
    session.STATE.pending_imports.append("c1")
    assert pump.pump() == pump.ACTIVE_INTERVAL_S   # the helper is importing it
    view = session.STATE.jobs["c1"]
    pump_until(lambda: view.error)
    assert pump.pump() == pump.IDLE_INTERVAL_S
    assert not view.imported and "could not import c1_3d_model_0.glb" in view.error
    assert any("Broken" in text for _level, text, _t in session.STATE.messages)
    assert bad.is_file()   # the download stays for another try
