"""Results are named after what the user gave: the prompt, the picture, the object.

Never after a downloaded file ("a00c80252217_image_1"), never with ".png"
in an object's name, never "Render" for every render.
"""

import re

import bpy
import pytest
from addon_helpers import ai_objects, last_job, pump_until, render_through, sample_picture, wait_imported

pytestmark = pytest.mark.blender

INTERNAL = re.compile(r"[0-9a-f]{12}_|\.png|\.jpg|^Render(\.\d+)?$")


def _looks_internal(name: str) -> bool:
    return bool(INTERNAL.search(name))


def test_a_picture_datablock_names_the_result_without_its_extension(studio):
    image = bpy.data.images.load(str(sample_picture()))
    assert image.name.endswith(".png")
    assert bpy.ops.aistudio.image_to_3d(image=image.name, model="TRELLIS2") == {"FINISHED"}
    wait_imported()
    (top,) = ai_objects()
    assert top.name == image.name[:-4]
    assert last_job().label == top.name


def test_a_render_based_result_is_named_after_its_camera(studio):
    render_through("Turntable", 32, 32)
    assert bpy.ops.aistudio.image_to_3d(use_render=True, model="TRIPO") == {"FINISHED"}
    wait_imported()
    (top,) = ai_objects()
    assert top.name == "Turntable render"


def test_a_chained_result_takes_its_jobs_name_not_the_downloaded_files(studio):
    """Prepare a picture, accept it, send it to 3D: every step is called after "Officer"."""
    settings = bpy.context.scene.aistudio
    officer = bpy.data.images.load(str(sample_picture()))
    officer.name = "Officer"
    settings.source, settings.picture.image = "IMAGE", officer
    assert bpy.ops.aistudio.prepare_picture(recipe="standing_pose") == {"FINISHED"}
    prepared = wait_imported()
    assert prepared.label == "Officer stable standing pose"
    (picture,) = [bpy.data.images[n] for n in prepared.image_names]
    assert picture.name == "Officer stable standing pose"          # not "<job id>_image_1.png"
    assert bpy.ops.aistudio.prepare_accept(job_id=prepared.job_id) == {"FINISHED"}
    assert settings.picture.image == picture
    assert bpy.ops.aistudio.image_to_3d(model="TRIPO") == {"FINISHED"}   # the panel's button
    wait_imported()
    (top,) = ai_objects()
    assert top.name == "Officer stable standing pose"
    assert not _looks_internal(top.name)


def test_a_result_picture_sent_by_file_path_takes_its_jobs_name(studio):
    bpy.ops.aistudio.text_to_image(prompt="a red fox in the snow", model="GEMINI_25_FLASH")
    view = wait_imported()
    (image,) = [bpy.data.images[n] for n in view.image_names]
    assert image.name == "a red fox in the snow"
    downloaded = bpy.path.abspath(image.filepath)
    assert re.search(r"[0-9a-f]{12}_image_1\.png$", downloaded)
    assert bpy.ops.aistudio.miniature(filepath=downloaded, edition="fast") == {"FINISHED"}
    wait_imported()
    (top,) = ai_objects()
    assert top.name == "a red fox in the snow"


def test_several_pictures_are_numbered_after_the_prompt(studio):
    bpy.ops.aistudio.text_to_image(prompt="a blue teapot", model="SEEDREAM", num_images=3)
    view = wait_imported()
    assert view.image_names == ["a blue teapot 1", "a blue teapot 2", "a blue teapot 3"]


def test_remove_bg_pictures_and_their_grey_copy_are_named_after_the_picture(studio, tmp_path):
    cutout = tmp_path / "cat.png"
    cutout.write_bytes(sample_picture().read_bytes())
    settings = bpy.context.scene.aistudio
    settings.source, settings.picture.filepath = "FILE", str(cutout)
    assert bpy.ops.aistudio.remove_background() == {"FINISHED"}
    view = wait_imported()
    assert view.image_names == ["cat no background", "cat no background on grey"]


def test_multiview_results_are_named_after_the_front_picture(studio):
    settings = bpy.context.scene.aistudio
    for view in ("front", "back", "left", "right"):
        image = bpy.data.images.load(str(sample_picture()), check_existing=False)
        image.name = f"Knight ({view})"
        getattr(settings.multiview, view).image = image
    assert bpy.ops.aistudio.multiview_to_3d(model="TENCENT_PRO") == {"FINISHED"}
    wait_imported()
    (top,) = ai_objects()
    assert top.name == "Knight"


def test_tool_results_are_named_after_their_source_object(studio):
    bpy.ops.mesh.primitive_monkey_add()
    source = bpy.context.active_object
    source.name = "Suzanne"
    assert bpy.ops.aistudio.mesh_tool(tool="REPAIR") == {"FINISHED"}
    wait_imported()
    assert [o.name for o in ai_objects()] == ["Suzanne repaired"]
    bpy.context.view_layer.objects.active = source          # the result became the active object
    assert bpy.ops.aistudio.print_cloud(step="decimate") == {"FINISHED"}
    wait_imported()
    assert sorted(o.name for o in ai_objects()) == ["Suzanne optimized", "Suzanne repaired"]


def test_a_job_the_cli_sent_is_named_from_its_request(studio, tmp_path):
    """Imported with the Import button: the prompt's words, not "Tencent Rapid: …", no file name."""
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.bridge.api import tencent
    engine = session.engine()
    job_id = engine.submit(tencent.TencentRapidRequest(prompt="a carved wooden owl"),
                           output_dir=str(tmp_path / "cli"))
    pump_until(lambda: (engine.job(job_id).state == "DONE") or None)
    assert bpy.ops.aistudio.import_result(job_id=job_id) == {"FINISHED"}
    (top,) = ai_objects()
    assert top.name == "a carved wooden owl"
    assert not _looks_internal(top.data.name if top.type == "MESH" else top.name)


def test_names_from_files_and_datablocks():
    from ai_studio_bridge.addon.jobs import naming
    assert naming.clean("photo.png.001") == "photo"
    assert naming.from_stem("Officer_1712345678_a1b2c3") == "Officer"       # a temporary upload
    assert naming.from_stem("0123456789ab_edited_image_1") == "edited image"  # unknown job
    assert naming.tool_result("Suzanne", "REPAIR") == "Suzanne repaired"
    assert naming.multiview("view_front") == "view"
    assert naming.from_request({"type": "RepairRequest",
                                "fields": {"model_file": "/tmp/figure.stl"}}) == "figure repaired"
