"""Imported results as assets: marked, described, catalogued, previewed from a file, and kept
in the cross-project "AI Studio" asset library that the add-on registers in the preferences."""

import uuid

import bpy
import numpy as np
import pytest
from addon_helpers import job_record

from bench.addon_bench import write_textured_glb

pytestmark = pytest.mark.blender


@pytest.fixture
def library(tmp_path):
    from ai_studio_bridge.addon.assets import library as lib
    lib.OPTIONS["folder"] = str(tmp_path / "library")
    yield tmp_path / "library"
    lib.OPTIONS["folder"] = None


@pytest.fixture
def assets_addon(library, addon):
    return addon


def _red_png(path, size=64):
    image = bpy.data.images.new("red", size, size, alpha=True)
    image.pixels.foreach_set(np.tile(np.array([1, 0, 0, 1], np.float32), size * size))
    image.filepath_raw, image.file_format = str(path), "PNG"
    image.save()
    bpy.data.images.remove(image)
    return path


def _import(records, tmp_path, job_id="j1", request=None, meta=None, credits=(50, 50)):
    from ai_studio_bridge.addon.jobs import importing
    glb = tmp_path / f"{job_id}_3d_model_0.glb"
    write_textured_glb(glb, triangles=2_000, texture_px=32)
    thumb = _red_png(tmp_path / f"{job_id}_thumbnail_0.png")
    record = job_record(job_id, [glb, thumb], meta=meta)
    record.request = request or record.request
    record.credits_low, record.credits_high = credits
    records.records[job_id] = record
    return importing.import_job(job_id).objects[0]


def test_an_imported_result_is_an_asset_an_artist_can_search(assets_addon, records, tmp_path):
    top = _import(records, tmp_path, meta={"model": "TENCENT_RAPID", "source": "text",
                                           "name": "Red chair"},
                  request={"type": "TencentRapidRequest",
                           "fields": {"prompt": "a red  chair", "api_key": "never"}})
    data = top.asset_data
    assert data is not None
    assert data.description.splitlines() == ["a red chair", "Task task-j1 · 50 credits"]
    assert [t.name for t in data.tags][:3] == ["Tencent Rapid", "3D AI Studio", "text"]
    assert data.author == "3D AI Studio"
    from ai_studio_bridge.addon.assets import catalogs
    assert data.catalog_id == catalogs.catalog_id("AI Studio/Text")
    assert "never" not in data.description


def test_a_pictures_result_is_described_by_the_pictures_name(assets_addon, records, tmp_path):
    picture = _red_png(tmp_path / "police woman.png")
    top = _import(records, tmp_path, meta={"model": "TRIPO", "source": "image"},
                  request={"type": "TripoImageRequest", "fields": {"image": str(picture)}},
                  credits=(30, 40))
    assert top.asset_data.description.splitlines() == ["police woman.png",
                                                       "Task task-j1 · 30–40 credits"]
    assert "picture" in [t.name for t in top.asset_data.tags]
    from ai_studio_bridge.addon.assets import catalogs
    assert top.asset_data.catalog_id == catalogs.catalog_id("AI Studio/Picture")


def test_the_preview_is_the_thumbnail_file_never_a_render(assets_addon, records, tmp_path):
    top = _import(records, tmp_path)
    preview = top.preview
    # set by us from the file: Blender never renders a user-made preview of the live object
    assert preview.is_image_custom and preview.is_icon_custom
    assert tuple(preview.icon_size) == (32, 32)
    w, h = preview.image_size
    pixels = np.empty(w * h * 4, np.float32)
    preview.image_pixels_float.foreach_get(pixels)
    rgba = pixels.reshape(-1, 4).mean(axis=0)
    assert rgba[0] > 0.9 and rgba[1] < 0.1 and rgba[2] < 0.1   # the red thumbnail


def test_the_library_is_registered_once_and_removed_only_if_we_made_it(library, addon):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.assets import library as lib
    libs = bpy.context.preferences.filepaths.asset_libraries
    entry = lib.find()
    assert entry is not None and entry.name == "AI Studio"
    assert preferences.get_prefs().asset_library_made
    addon.unregister()
    assert lib.find() is None
    # the artist's own entry for that folder is used and left alone
    libs.new(name="Mine", directory=str(library))
    addon.register()
    assert [lb.name for lb in libs if lib._same(lb.path, library)] == ["Mine"]
    addon.unregister()
    assert [lb.name for lb in libs if lib._same(lb.path, library)] == ["Mine"]
    addon.register()


def test_switching_the_preference_off_removes_the_library(assets_addon):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.assets import library as lib
    prefs = preferences.get_prefs()
    prefs.use_asset_library = False
    assert lib.find() is None
    prefs.use_asset_library = True
    assert lib.find() is not None


def test_the_catalog_file_keeps_the_artists_catalogs(library, addon, records, tmp_path):
    from ai_studio_bridge.addon.assets import catalogs
    cats = library / "blender_assets.cats.txt"
    assert not library.exists()          # enabling the add-on wrote nothing
    _import(records, tmp_path)           # the first result makes the folder and its catalogs
    text = cats.read_text()
    assert "VERSION 1" in text
    for path in ("AI Studio", "AI Studio/Text", "AI Studio/Miniature", "AI Studio/Multi-view"):
        assert f"{catalogs.catalog_id(path)}:{path}:{path.replace('/', '-')}" in text
    mine = f"{uuid.uuid4()}:Props/Chairs:Props-Chairs"
    cats.write_text(text.replace("VERSION 1\n", f"VERSION 1\n\n{mine}\n"))
    other = str(uuid.uuid4())   # an artist made "AI Studio/Tool" first: that id is kept
    cats.write_text(cats.read_text().replace(catalogs.catalog_id("AI Studio/Tool"), other))
    before = cats.read_text()
    catalogs.ensure(library)
    assert cats.read_text() == before            # nothing missing: not written
    assert catalogs.id_for(library, "tool") == other
    cats.write_text("\n".join(l for l in before.splitlines() if "AI Studio/Text" not in l) + "\n")
    catalogs.ensure(library)
    after = cats.read_text()
    assert mine in after and other in after and after.count("AI Studio/Text:") == 1


def test_every_result_is_written_to_the_library_as_an_asset(assets_addon, records, tmp_path):
    from ai_studio_bridge.addon.assets import library as lib
    _import(records, tmp_path, "j1", meta={"model": "TENCENT_RAPID", "source": "text",
                                            "name": "Red chair"})
    _import(records, tmp_path, "j2", meta={"model": "TRIPO", "source": "miniature",
                                            "name": "Knight"})
    files = sorted(p.name for p in lib.folder().glob("*.blend"))
    assert len(files) == 2
    from ai_studio_bridge.addon.assets import catalogs
    seen = {}
    for path in lib.folder().glob("*.blend"):
        with bpy.data.libraries.load(str(path), assets_only=True) as (source, target):
            target.objects = list(source.objects)
            target.collections = list(source.collections)
        for idb in [*target.objects, *target.collections]:
            seen[idb.asset_data.catalog_id] = (idb.asset_data.description, idb.preview.image_size[0])
    assert seen[catalogs.catalog_id("AI Studio/Miniature")][1] > 0   # its thumbnail came along
    assert seen[catalogs.catalog_id("AI Studio/Text")][0].startswith("thing")


def test_a_saved_file_gets_the_catalogs_where_blender_reads_them(assets_addon, records, tmp_path):
    _import(records, tmp_path)
    project = tmp_path / "project"
    project.mkdir()
    bpy.ops.wm.save_as_mainfile(filepath=str(project / "scene.blend"))
    text = (project / "blender_assets.cats.txt").read_text()
    assert "AI Studio/Text" in text


def test_with_the_library_off_results_are_still_assets_but_not_copied(library, addon, records,
                                                                        tmp_path):
    from ai_studio_bridge.addon import preferences
    preferences.get_prefs().use_asset_library = False
    top = _import(records, tmp_path)
    assert top.asset_data is not None
    assert not list(library.glob("*.blend"))


def test_remove_from_library_deletes_the_results_file_and_only_there(assets_addon, records,
                                                                      tmp_path):
    """The library must not only grow: a result taken out of it is gone from every Asset
    Browser; a path outside the library is refused and nothing is deleted."""
    from ai_studio_bridge.addon.assets import library as lib
    _import(records, tmp_path, "j1", meta={"name": "Red chair"})
    _import(records, tmp_path, "j2", meta={"name": "Knight"})
    assert lib.summary()[0] == 2 and lib.summary()[1] > 0
    chair = next(lib.folder().glob("Red_chair*.blend"))
    stranger = tmp_path / "mine.blend"
    stranger.write_bytes(b"BLENDER")
    with pytest.raises(RuntimeError, match="Not a result in the AI Studio asset library"):
        bpy.ops.aistudio.remove_from_library(filepath=str(stranger))   # an ERROR report, to a script
    assert stranger.is_file() and chair.is_file()
    assert bpy.ops.aistudio.remove_from_library(filepath=str(chair)) == {"FINISHED"}
    assert not chair.exists()
    assert [p.name.split("_")[0] for p in lib.folder().glob("*.blend")] == ["Knight"]
    assert lib.summary()[0] == 1
    (top,) = [o for o in bpy.data.objects if o.name.startswith("Red chair")]
    assert top.asset_data is not None   # the copy in this file stays the artist's


def test_remove_from_library_is_offered_only_on_the_ai_studio_library(assets_addon):
    import types

    from test_panel import RecordingLayout

    from ai_studio_bridge.addon.ui import menus

    def drawn(library_name):
        layout = RecordingLayout()
        params = types.SimpleNamespace(asset_library_reference=library_name)
        menus.draw_asset_context(types.SimpleNamespace(layout=layout),
                                 types.SimpleNamespace(space_data=types.SimpleNamespace(params=params)))
        return [args[0] for name, args, _kw in layout.log if name == "operator"], \
            [args[0] for name, args, _kw in layout.log if name == "set_operator_context"]
    assert drawn("AI Studio") == (["aistudio.remove_from_library"], ["INVOKE_DEFAULT"])   # it asks
    assert drawn("Essentials")[0] == [] and drawn("LOCAL")[0] == []
    assert menus.draw_asset_context in bpy.types.ASSETBROWSER_MT_context_menu._dyn_ui_initialize()


def test_the_preferences_say_how_big_the_library_is(assets_addon, records, tmp_path):
    import types

    from test_panel import RecordingLayout

    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.assets import library as lib
    _import(records, tmp_path, "j1", meta={"name": "Red chair"})
    layout = RecordingLayout()
    proxy = types.SimpleNamespace(layout=layout, **{name: getattr(preferences.get_prefs(), name)
                                                     for name in preferences.AISTUDIO_AddonPreferences
                                                     .__annotations__})
    preferences.AISTUDIO_AddonPreferences.draw(proxy, bpy.context)
    assert any(t.startswith("1 result, ") for t in layout.texts("label"))
    (folder_button,) = layout.buttons("wm.path_open")
    assert folder_button.filepath == str(lib.folder(create=False))
