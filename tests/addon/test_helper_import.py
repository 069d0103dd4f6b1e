"""Fidelity: a result the helper Blender imported and the main thread appended is
the same as the same file imported on the main thread (the old path).

For each format the service ships (GLB with a packed texture, OBJ archive
with its texture file and several objects, STL, FBX) both paths import one
journal record into one scene; then objects, meshes, vertex and triangle
counts, UV layers, materials, pictures, custom properties, placement and
print-scale size are compared.
"""

import re
import time
import zipfile

import bpy
import numpy as np
import pytest
from addon_helpers import job_record as _record
from mathutils import Vector

from bench.addon_bench import write_textured_glb

pytestmark = pytest.mark.blender


def _glb(folder):
    path = folder / "g1_3d_model_1.glb"
    write_textured_glb(path, triangles=3_000, texture_px=64)
    return [path]


def _obj_zip(folder):
    """The archive the service ships (OBJ + MTL + texture), with two objects in the OBJ."""
    from bridge.emulator.exporters import obj_zip
    from bridge.pngcodec import encode_png
    tris = np.array([[[0, 0, 0], [1, 0, 0], [0, 1, 0]], [[1, 0, 0], [1, 1, 0], [0, 1, 0]]], float)
    uvs = np.array([[[0, 0], [1, 0], [0, 1]], [[1, 0], [1, 1], [0, 1]]], float)
    texture = encode_png(np.full((16, 16, 4), (200, 30, 30, 255), np.uint8))
    archive = folder / "o1_3d_model_1.zip"
    archive.write_bytes(obj_zip(tris, uvs, (1, 1, 1, 1), texture))
    inner = folder / "o1_3d_model_1"
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(inner)
    # Several roots, so the importer step adds one parent empty.
    lines = ["mtllib model.mtl"]
    for number, (name, dx) in enumerate((("First", 0.0), ("Second", 2.0))):
        lines += [f"o {name}", f"v {dx} 0 0", f"v {dx + 1} 0 0", f"v {dx} 1 0",
                  "vt 0 0", "vt 1 0", "vt 0 1", "usemtl material"]
        base = 3 * number
        lines.append("f " + " ".join(f"{base + i}/{base + i}" for i in (1, 2, 3)))
    (inner / "model.obj").write_text("\n".join(lines) + "\n")
    return [archive, *sorted(p for p in inner.iterdir())]


def _stl(folder):
    from bridge.emulator.exporters import to_stl
    tris = np.array([[[0, 0, 0], [0.1, 0, 0], [0, 0.1, 0]], [[0, 0, 0], [0, 0.1, 0], [0, 0, 0.2]],
                     [[0, 0, 0], [0, 0, 0.2], [0.1, 0, 0]], [[0.1, 0, 0], [0, 0, 0.2], [0, 0.1, 0]]])
    path = folder / "s1_3d_model_1.stl"
    path.write_bytes(to_stl(tris, unit="m"))
    return [path]


def _fbx(folder):
    """Blender's own FBX exporter, run here only to make the test file."""
    bpy.ops.mesh.primitive_cube_add(size=1.0, location=(0, 0, 0))
    cube = bpy.context.active_object
    cube.data.materials.append(bpy.data.materials.new("Paint"))
    bpy.ops.mesh.primitive_uv_sphere_add(radius=0.3, location=(0, 0, 1.0))
    ball = bpy.context.active_object
    ball.parent = cube
    path = folder / "f1_3d_model_1.fbx"
    bpy.ops.export_scene.fbx(filepath=str(path))
    for ob in (ball, cube):
        mesh = ob.data
        bpy.data.objects.remove(ob)
        bpy.data.meshes.remove(mesh)
    bpy.data.materials.remove(bpy.data.materials["Paint"])
    return [path]


def _base(name: str) -> str:
    return re.sub(r"\.\d{3}$", "", name)


def _picture(image):
    return (tuple(image.size), image.packed_file is not None, bpy.path.abspath(image.filepath))


def _plain(value):
    """A custom property as a comparable value (number arrays rounded)."""
    if isinstance(value, (str, int, float)):
        return value
    return tuple(round(float(v), 4) for v in value)


def _describe(top):
    """Everything the user would see of one imported result."""
    bpy.context.view_layer.update()
    tree = [top, *top.children_recursive]
    meshes = sorted((len(o.data.vertices), sum(len(p.vertices) - 2 for p in o.data.polygons),
                     tuple(uv.name for uv in o.data.uv_layers),
                     tuple(_base(m.name) if m else "" for m in o.data.materials))
                    for o in tree if o.type == "MESH")
    images = sorted({_picture(n.image) for o in tree if o.type == "MESH"
                     for m in o.data.materials if m and m.node_tree
                     for n in m.node_tree.nodes if n.type == "TEX_IMAGE" and n.image})
    corners = [o.matrix_world @ Vector(c) for o in tree if o.type == "MESH" for c in o.bound_box]
    size = tuple(round(max(c[i] for c in corners) - min(c[i] for c in corners), 5) for i in range(3))
    return {
        "objects": sorted((o.type, _base(o.name)) for o in tree),
        "meshes": meshes,
        "images": images,
        "props": {k: _plain(top[k]) for k in top.keys() if k.startswith("aistudio")},
        "location": tuple(round(v, 5) for v in top.location),
        "size": size,
        "collection": [c.name for c in top.users_collection],
    }


@pytest.mark.parametrize("make", [_glb, _obj_zip, _stl, _fbx], ids=["glb", "obj-zip", "stl", "fbx"])
@pytest.mark.parametrize("meta", [{"name": "Thing"},
                                  {"name": "Mini", "scale": "custom", "scale_height_cm": 7.0}],
                         ids=["as-is", "print-scale"])
def test_helper_import_equals_the_in_process_import(records, tmp_path, make, meta):
    from ai_studio_bridge.addon.helper import runtime
    from ai_studio_bridge.addon.jobs import importing
    files = make(tmp_path)
    job_id = files[0].name.split("_")[0]
    records.records[job_id] = _record(job_id, files, meta)
    bpy.context.scene.unit_settings.scale_length = 0.5
    bpy.context.scene.cursor.location = (1.0, -2.0, 0.25)
    (via_helper,) = importing.import_job(job_id).objects
    assert runtime.current() is not None and runtime.current().starts == 1   # it really ran there
    described = _describe(via_helper)
    via_helper.location.x += 1000   # moved off the cursor: the second lands there too
    (in_process,) = importing.import_in_process(job_id).objects
    assert described == _describe(in_process)
    assert described["meshes"] and described["collection"] == ["AI Studio"]
    assert described["location"] == (1.0, -2.0, 0.25)
    if make in (_glb, _obj_zip):
        assert described["images"]          # the texture came along (packed / the unpacked file)
    if make is _obj_zip:
        assert ("EMPTY", meta["name"]) in described["objects"] and len(described["objects"]) == 3
    assert described["props"]["aistudio_job"] == f"task-{job_id}"
    assert "never" not in described["props"]["aistudio_request"]
    if "scale" in meta:
        assert described["size"][2] * 0.5 == pytest.approx(0.07, rel=1e-3)   # 7 cm in metres
    assert all(p.is_file() for p in files)                # downloads untouched
    deadline = time.monotonic() + 5                      # deleted off the main thread
    while list(tmp_path.rglob("*.aistudio.blend")) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not list(tmp_path.rglob("*.aistudio.blend"))   # the hand-over file is gone


def test_the_pump_never_imports_on_the_main_thread(records, tmp_path, monkeypatch):
    """The pump hands the file to the helper and appends later; no importer runs here."""
    from ai_studio_bridge.addon.blenderio import importers
    from ai_studio_bridge.addon.jobs import pump, session
    monkeypatch.setattr(importers, "run_importer",
                        lambda path: pytest.fail("the importer ran on the main thread"))
    (path,) = _glb(tmp_path)
    records.records["g1"] = _record("g1", [path], {"name": "Pumped"})
    session.track("g1", "Pumped", "TENCENT_RAPID", "3d", "")
    session.STATE.pending_imports.append("g1")
    pump.pump_once()
    view = session.STATE.jobs["g1"]
    assert view.stage == "Importing" and not view.imported
    from addon_helpers import pump_until
    pump_until(lambda: view.imported)
    coll = bpy.data.collections["AI Studio"]
    assert [o.name for o in coll.objects] == ["Pumped"] and view.stage == ""


def test_import_result_in_the_ui_returns_at_once_and_the_pump_appends(records, tmp_path,
                                                                      monkeypatch):
    from addon_helpers import pump_until

    from ai_studio_bridge.addon.jobs import importing, session
    monkeypatch.setattr(importing, "scripts_wait", lambda: False)   # as in the UI
    (path,) = _glb(tmp_path)
    records.records["g1"] = _record("g1", [path], {"name": "Again"})
    session.track("g1", "Again", "TENCENT_RAPID", "3d", "")
    assert bpy.ops.aistudio.import_result(job_id="g1") == {"FINISHED"}
    assert "AI Studio" not in bpy.data.collections        # nothing imported yet
    view = session.STATE.jobs["g1"]
    pump_until(lambda: view.imported)
    assert [o.name for o in bpy.data.collections["AI Studio"].objects] == ["Again"]


def test_the_helper_renders_a_thumbnail_the_job_list_loads_from_its_file(records, tmp_path):
    """The crash of a real window: no object preview is rendered of the live result; the
    helper, which holds the result already, writes a picture of it, and the list loads it."""
    from ai_studio_bridge.addon.blenderio import thumbnail
    from ai_studio_bridge.addon.jobs import importing, session
    from ai_studio_bridge.addon.ui import thumbnails
    (path,) = _glb(tmp_path)
    records.records["g1"] = _record("g1", [path], {"name": "Pictured"})
    view = session.track("g1", "Pictured", "TENCENT_RAPID", "3d", "")
    view.state, view.files = "DONE", [str(path)]
    (top,) = importing.import_job("g1").objects
    picture = thumbnail.path_for(path)
    assert picture.is_file() and picture.parent == path.parent and picture.name.startswith(".")
    shot = bpy.data.images.load(str(picture))
    try:
        assert tuple(shot.size) == (thumbnail.SIZE_PX, thumbnail.SIZE_PX)
        pixels = np.empty(shot.size[0] * shot.size[1] * 4, np.float32)
        shot.pixels.foreach_get(pixels)
        alpha = pixels[3::4]
        assert 0.05 < (alpha > 0.5).mean() < 0.95    # the result on a transparent ground
    finally:
        bpy.data.images.remove(shot)
    loaded = thumbnails.preview(view)
    assert loaded is not None and loaded.image_size[0] == thumbnail.SIZE_PX   # the file's pixels
    # never rendered live: the asset's preview is the file's pixels, set as user-made
    # (Blender renders no user-made preview); the children have none at all
    assert top.preview.is_image_custom and top.preview.is_icon_custom
    assert tuple(top.preview.image_size) == (thumbnail.SIZE_PX, thumbnail.SIZE_PX)
    assert all(o.preview is None for o in top.children_recursive)
