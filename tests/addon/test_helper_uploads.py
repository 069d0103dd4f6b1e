"""Uploads the helper Blender prepares: unsaved pictures and meshes for the model tools.

The operator returns at once with a "Preparing" row; the request is sent
when the helper has written the file. A painted or generated picture is
sent as a copy, so the user's datablock stays exactly as it was.
"""

import bpy
import numpy as np
import pytest
from addon_helpers import last_job, sample_picture, wait_imported

from ai_studio_bridge.bridge.imagefile import decode_data_url
from ai_studio_bridge.bridge.pngcodec import decode_png

pytestmark = pytest.mark.blender


def _sent_picture(emu, fragment):
    (submit,) = [a for a in emu.accepted if fragment in a["endpoint"]]
    data, mime = decode_data_url(submit["body"]["image"])
    assert mime == "image/png"
    return decode_png(data)


def test_a_painted_generated_picture_is_sent_as_a_copy(studio):
    image = bpy.data.images.new("Sketch", 32, 16, alpha=True)
    pixels = np.zeros((16, 32, 4), np.float32)
    pixels[..., 3] = 1.0
    pixels[2, 5] = (1.0, 0.0, 0.0, 1.0)        # one red stroke, bottom row first
    image.pixels.foreach_set(pixels.ravel())
    assert image.is_dirty and image.source == "GENERATED"
    assert bpy.ops.aistudio.image_to_3d(image="Sketch", model="TRIPO") == {"FINISHED"}
    assert last_job().state == "PREPARING" and last_job().job_id.startswith("local-")
    wait_imported()
    sent = _sent_picture(studio, "/tripo/image-to-3d/")
    assert sent.shape == (16, 32, 4)
    assert tuple(sent[16 - 1 - 2, 5]) == (255, 0, 0, 255)       # top row first in the PNG
    assert tuple(sent[0, 0]) == (0, 0, 0, 255)
    # The user's datablock: still generated, still unsaved, no path, same pixels.
    assert image.source == "GENERATED" and image.is_dirty and image.filepath == ""
    now = np.empty(32 * 16 * 4, np.float32)
    image.pixels.foreach_get(now)
    assert np.array_equal(now, pixels.ravel())


def test_a_painted_file_picture_is_sent_with_its_strokes_and_stays_unsaved(studio, tmp_path):
    original = tmp_path / "officer.png"
    original.write_bytes(sample_picture().read_bytes())
    image = bpy.data.images.load(str(original))
    width, height = image.size
    flat = np.empty(width * height * 4, np.float32)
    image.pixels.foreach_get(flat)
    flat.reshape(height, width, 4)[0, 0] = (0.0, 1.0, 0.0, 1.0)   # paint the corner green
    image.pixels.foreach_set(flat)
    assert image.is_dirty
    assert bpy.ops.aistudio.image_to_3d(image=image.name, model="TRIPO") == {"FINISHED"}
    wait_imported()
    sent = _sent_picture(studio, "/tripo/image-to-3d/")
    assert tuple(sent[height - 1, 0]) == (0, 255, 0, 255)
    assert image.is_dirty and bpy.path.abspath(image.filepath) == str(original)
    on_disk = decode_png(original.read_bytes())
    assert tuple(on_disk[height - 1, 0]) != (0, 255, 0, 255)          # the file was not saved over


def test_mesh_tool_returns_at_once_and_the_helper_exports(studio, monkeypatch):
    from ai_studio_bridge.addon.blenderio import exporters
    monkeypatch.setattr(exporters, "export_object",
                        lambda *a, **k: pytest.fail("the exporter ran on the main thread"))
    bpy.ops.mesh.primitive_monkey_add(location=(2.0, 0.0, 0.0))
    source = bpy.context.active_object
    assert bpy.ops.aistudio.mesh_tool(tool="REPAIR") == {"FINISHED"}
    row = last_job()
    assert row.state == "PREPARING" and row.kind == "tool" and studio.accepted == []
    view = wait_imported()
    assert not view.job_id.startswith("local-")          # the row became the service's job
    (submit,) = [a for a in studio.accepted if "/tools/repair/" in a["endpoint"]]
    assert source.name in bpy.context.scene.objects and len(source.data.polygons) == 500


def test_cancelling_a_preparing_job_sends_nothing(studio):
    from ai_studio_bridge.addon.jobs import pump
    bpy.ops.mesh.primitive_uv_sphere_add(segments=256, ring_count=128)
    assert bpy.ops.aistudio.mesh_tool(tool="REPAIR") == {"FINISHED"}
    job_id = last_job().job_id
    assert bpy.ops.aistudio.cancel_job(job_id=job_id) == {"FINISHED"}
    assert pump.wait_all(30)
    assert last_job().state == "CANCELLED" and studio.accepted == []


def test_requests_waiting_for_files_are_validated_with_stand_ins(addon, tmp_path):
    """Every field but the file that is still being written is checked before returning."""
    from types import SimpleNamespace

    from ai_studio_bridge.addon.jobs import presubmit
    from ai_studio_bridge.bridge.api import tools
    from ai_studio_bridge.bridge.errors import ValidationError
    later = str(tmp_path / "not_yet.glb")
    pending = [SimpleNamespace(path=later, what="model")]
    presubmit.validate_with_standins(tools.RepairRequest(model_file=later, output_format="stl"),
                                     pending)
    with pytest.raises(ValidationError, match="output_format"):
        presubmit.validate_with_standins(tools.RepairRequest(model_file=later, output_format="docx"),
                                         pending)
    with pytest.raises(ValidationError, match="does not exist"):   # no stand-in: refused as before
        tools.RepairRequest(model_file=later, output_format="stl").validate()


@pytest.mark.parametrize("step, suffix", [("repair", ".stl"), ("decimate", ".glb")])
def test_run_in_cloud_returns_at_once_and_the_helper_exports(studio, monkeypatch, step, suffix):
    """The print panel's cloud button exports in the helper like mesh_tool: no exporter here."""
    from ai_studio_bridge.addon.blenderio import exporters
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.addon.printing import decimate, scaling
    for module, name in ((exporters, "export_object"), (scaling, "export_stl_mm"),
                         (decimate, "export_glb")):
        monkeypatch.setattr(module, name, lambda *a, **k: pytest.fail("exported on the main thread"))
    bpy.ops.mesh.primitive_cube_add(size=0.1)
    bpy.context.active_object.name = "Figure"
    assert bpy.ops.aistudio.print_cloud(step=step) == {"FINISHED"}
    row = last_job()
    assert row.state == "PREPARING" and row.kind == "tool" and studio.accepted == []
    assert row.meta["source_object"] == "Figure"
    view = wait_imported()
    assert not view.job_id.startswith("local-")
    record = session.STATE.engine.job(view.job_id)
    sent = record.request["fields"]["model_file"]
    assert sent.endswith(suffix)
    if suffix == ".stl":                                  # binary STL of the 12 triangles, in mm
        import struct
        data = open(sent, "rb").read()
        assert struct.unpack("<I", data[80:84])[0] == 12 and len(data) == 84 + 12 * 50
        xs = [struct.unpack("<f", data[84 + 12 + 50 * t + 12 * c:84 + 16 + 50 * t + 12 * c])[0]
              for t in range(12) for c in range(3)]
        assert max(xs) - min(xs) == pytest.approx(100.0, rel=1e-4)   # 0.1 m = 100 mm
