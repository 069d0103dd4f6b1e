"""The real-window sessions of results as assets: the Asset Browser, a drop, another file."""

from __future__ import annotations

import os
from pathlib import Path

import bpy
from harness import area, region, xdo
from scenarios import (
    addon,
    ai_objects,
    jobs,
    open_sidebar_tab,
    pick_file_in_browser,
    sample,
    snap,
    submit_text,
    wait_imported,
)


def _drop_picture(d, path: str):
    """What a drop on the 3D viewport does: Blender's drop box calls the FileHandler's import
    operator with INVOKE_DEFAULT and the dropped path (xdotool cannot drag a file from outside
    Blender, so the operator is invoked here exactly as the drop would)."""
    window = bpy.context.window_manager.windows[0]
    view3d = area("VIEW_3D")
    handler = bpy.types.AISTUDIO_FH_image_to_3d
    with bpy.context.temp_override(window=window, area=view3d,
                                   region=region("VIEW_3D", "WINDOW")):
        d.check("drop: the FileHandler takes a picture on the 3D viewport",
                handler.poll_drop(bpy.context), handler.bl_import_operator)
        getattr(bpy.ops.aistudio, handler.bl_import_operator.split(".")[1])(
            "INVOKE_DEFAULT", filepath=path, directory=os.path.dirname(path),
            files=[{"name": os.path.basename(path)}])
    yield 0.6


def _browse(d, view, library: str, shot: str, catalog: str = "", search: str = ""):
    """*view*'s area turned into an Asset Browser on *library* (thumbnails); its params."""
    view.ui_type = "ASSETS"
    yield 1.0
    space = view.spaces.active
    yield lambda: getattr(space, "params", None) is not None
    params = space.params
    params.asset_library_reference = library
    params.display_type = "THUMBNAIL"
    params.filter_search = search
    if catalog:
        params.catalog_id = catalog
    yield 3.0   # the library's files are read and their previews loaded
    yield from snap(d, shot, 1.0)
    return params


def _asset_browser(d, library: str, shot: str, catalog: str = ""):
    """The 3D viewport's area as an Asset Browser on *library*."""
    view = area("VIEW_3D") or area("FILE_BROWSER")
    return (yield from _browse(d, view, library, shot, catalog))


def _menu_asks_first(d):
    """Object › AI Studio opened as a popup menu (``wm.call_menu``, the way context menus open,
    which runs entries with EXEC unless the menu says otherwise): Text to 3D chosen there (the
    pointer on it, Return) asks before anything is sent; OK then sends one job."""
    bpy.context.scene.aistudio.prompt = "a cup from the menu"   # setup: the menu is tested
    view = region("VIEW_3D", "WINDOW")
    pos = d.screen_point(view, view.width * 0.35, view.height * 0.7)
    d.move(pos)
    yield 0.3
    with bpy.context.temp_override(window=bpy.context.window_manager.windows[0],
                                   area=area("VIEW_3D"), region=view):
        bpy.ops.wm.call_menu("INVOKE_DEFAULT", name="AISTUDIO_MT_object")
    yield 0.6
    item = yield from _menu_item(d, pos, "aistudio.text_to_3d")
    if not d.check("the AI Studio menu opened as a popup shows Text to 3D", item is not None):
        d.key("Escape")
        return None
    before = set(jobs())
    d.key("Return")   # the entry under the pointer, as the keyboard chooses it
    yield 0.8
    yield from _snap_before_answering(d, "menu_confirm")
    d.check("a menu entry that spends credits sends nothing before its question",
            set(jobs()) == before, len(set(jobs()) - before))
    d.key("Return")
    yield lambda: set(jobs()) - before
    d.check("OK on that question sends one job", len(set(jobs()) - before) == 1)
    d.sent_after = before
    return next(iter(set(jobs()) - before))


def _save_as(d, path: str):
    """Ctrl+S over the viewport: Blender's file browser, the path typed, accepted."""
    view = region("VIEW_3D", "WINDOW")
    d.move(d.screen_point(view, view.width / 2, view.height / 2))
    yield 0.2
    d.key("ctrl+s")
    yield from pick_file_in_browser(d, path)
    yield lambda: bpy.data.filepath and not bpy.data.is_dirty


def assets_and_drop(d):
    """Results become assets with thumbnails, in the AI Studio library; a picture dropped;
    the file saved, its own catalogs beside it."""
    addon("preferences").get_prefs().confirm_credits = 0   # every job asks, like a drop
    yield from open_sidebar_tab(d)
    lib = addon("assets.library")
    catalogs = addon("assets.catalogs")
    entry = lib.find()
    d.check("the AI Studio asset library is registered", entry is not None
            and entry.name == "AI Studio", entry.path if entry else "none")
    from_menu = yield from _menu_asks_first(d)
    first = yield from submit_text(d, "a small wooden chair", "asset_text")
    yield from wait_imported(d, first, "asset_text")
    if from_menu:
        yield from wait_imported(d, from_menu, "menu_text")
    before = set(jobs())
    yield from _drop_picture(d, sample("poly_fox.png"))
    yield from snap(d, "drop_confirm", 0.3)
    d.check("drop: nothing is sent before the dialog is confirmed", set(jobs()) == before)
    d.key("Return")
    yield lambda: set(jobs()) - before
    dropped = next(iter(set(jobs()) - before))
    d.sent_after = before   # the job it becomes once its picture is prepared is new since then
    yield from wait_imported(d, dropped, "dropped picture")
    yield from snap(d, "both_imported", 1.0)
    marked = [o for o in ai_objects() if o.asset_data is not None]
    d.check("every result is an asset", len(marked) == len(ai_objects()) == 3,
            [o.name for o in ai_objects()])
    d.check("their previews come from files (never rendered)",
            all(o.preview is not None and o.preview.is_image_custom for o in marked),
            [(o.name, tuple(o.preview.image_size) if o.preview else None) for o in marked])
    d.check("the dropped picture's result is in AI Studio/Picture",
            any(o.asset_data.catalog_id == catalogs.catalog_id("AI Studio/Picture")
                for o in marked), [o.asset_data.catalog_id for o in marked])
    files = sorted(p.name for p in lib.folder().glob("*.blend"))
    d.check("all three results are in the library folder", len(files) == 3, files)
    yield from _asset_browser(d, "LOCAL", "asset_browser_current_file")
    yield from _asset_browser(d, entry.name if entry else "AI Studio", "asset_browser_library")
    yield from _asset_browser(d, entry.name if entry else "AI Studio", "asset_browser_text",
                              catalogs.catalog_id("AI Studio/Text"))
    d.check("the window survived showing the assets' previews", True)
    # Saved: the file's catalogs are written beside it, and its own browser shows them.
    (area("FILE_BROWSER") or area("VIEW_3D")).ui_type = "VIEW_3D"
    yield 0.5
    blend = os.path.join(os.environ["HOME"], "variants.blend")
    yield from _save_as(d, blend)
    cats = Path(blend).with_name(catalogs.FILENAME)
    d.check("saving writes the results' catalogs beside the .blend",
            cats.is_file() and "AI Studio/Text" in cats.read_text(),
            cats.read_text()[-300:] if cats.is_file() else "no catalog file")
    yield from _asset_browser(d, "LOCAL", "current_file_saved")


def _snap_before_answering(d, name: str):
    """A screenshot of a dialog, finished before the scenario answers it (a shot still being
    taken when Return is pressed shows the dialog already gone)."""
    yield 0.4
    d.shot(name)
    shot = d.pending_shots[-1]
    yield lambda: shot.poll() is not None


def _drag(d, start, end, steps: int = 20):
    """A real drag: the button pressed at *start*, nudged past Blender's drag threshold in
    small moves (one long first jump starts no drag), carried in steps, released at *end*."""
    d.move(start)
    yield 0.5
    xdo("mousedown", "1")
    yield 0.3
    for dx in (2, 5, 10, 20, 40):
        d.move((start[0] - dx, start[1]))
        yield 0.15
    for i in range(1, steps + 1):
        d.move((round(start[0] + (end[0] - start[0]) * i / steps),
                round(start[1] + (end[1] - start[1]) * i / steps)))
        yield 0.08
    yield from snap(d, "dragging", 0.5)
    xdo("mouseup", "1")
    yield 1.0


def library_in_another_file(d):
    """A later Blender on a new file: the AI Studio library shows every past generation, and
    one dragged from the Asset Browser into the 3D viewport is appended, as Blender always does."""
    lib = addon("assets.library")
    entry = lib.find()
    d.check("a later Blender still has the AI Studio library", entry is not None,
            [x.name for x in bpy.context.preferences.filepaths.asset_libraries])
    d.check("the new file holds no AI Studio result (the job list's history imports nothing)",
            not ai_objects(), [o.name for o in ai_objects()])
    view = region("VIEW_3D", "WINDOW")
    d.move(d.screen_point(view, view.width / 2, view.height / 2))
    yield 0.1
    d.key("Escape")   # the splash screen
    yield 0.3
    name = entry.name if entry else "AI Studio"
    yield from _asset_browser(d, name, "library_from_new_file")
    area("FILE_BROWSER").ui_type = "VIEW_3D"
    yield 0.5
    # The Properties editor becomes a small Asset Browser beside the viewport to drag from.
    shelf = area("PROPERTIES")
    yield from _browse(d, shelf, name, "library_shelf", search="chair")
    shelf.spaces.active.show_region_toolbar = False
    yield 0.5
    tiles = next(r for r in shelf.regions if r.type == "WINDOW")
    scale = bpy.context.preferences.view.ui_scale
    start = d.screen_point(tiles, 57 * scale, tiles.height - 55 * scale)   # the first tile
    view = region("VIEW_3D", "WINDOW")
    end = d.screen_point(view, view.width * 0.3, view.height * 0.35)
    before = set(bpy.data.objects)
    yield from _drag(d, start, end)
    yield lambda: set(bpy.data.objects) - before
    yield from snap(d, "dragged_in", 1.0)
    new = [o for o in bpy.data.objects if o not in before]
    scene = bpy.context.scene
    d.check("the dragged asset is in the scene", any(o.name in scene.objects for o in new),
            [o.name for o in new])
    d.check("it is appended (not linked): its data is in this file",
            new and all(o.library is None for o in new), [(o.name, o.library) for o in new])
    meshes = [o for o in new if o.type == "MESH" and len(o.data.polygons)]
    d.check("it brought the result's mesh", bool(meshes), [(o.name, o.type) for o in new])
    tops = [o for o in new if o.parent is None]
    d.check("it stands where it was dropped, not at the origin",
            tops and tops[0].location.length > 0.1, [tuple(o.location) for o in tops])
    # Tidying the library: the result right-clicked in the browser, removed from the menu.
    d.data["removed_file"] = ""
    yield from _remove_from_library(d, shelf, start)


def _menu_item(d, near, wanted: str):
    """The screen point of the open menu's item whose Python command names *wanted*: the
    pointer moved down the menu from *near*, Ctrl+C (Blender's copy of an item's command)
    pressed over each stop."""
    wm = bpy.context.window_manager
    for dy in range(-20, 420, 10):
        point = (near[0] + 30, near[1] + dy)
        wm.clipboard = ""
        d.move(point)
        yield 0.06
        d.key("ctrl+c")
        yield 0.1
        if wanted in wm.clipboard:
            return point
    return None


def _remove_from_library(d, shelf, tile):
    lib = addon("assets.library")
    before = sorted(p.name for p in lib.folder().glob("*.blend"))
    d.move(tile)
    yield 0.3
    d.click(tile, button=3)
    yield 0.8
    yield from snap(d, "asset_context_menu", 0.2)
    item = yield from _menu_item(d, tile, "aistudio.remove_from_library")
    if not d.check("the Asset Browser's context menu offers Remove from AI Studio Library",
                   item is not None):
        d.key("Escape")
        return
    d.click(item)
    yield 0.6
    yield from _snap_before_answering(d, "remove_confirm")
    d.check("nothing is removed before the question is answered",
            sorted(p.name for p in lib.folder().glob("*.blend")) == before)
    d.key("Return")
    yield 1.5
    after = sorted(p.name for p in lib.folder().glob("*.blend"))
    d.check("the right-clicked result's file left the library, the other stayed",
            len(after) == len(before) - 1 and not any("chair" in n for n in after), after)
    yield from snap(d, "removed_from_library", 1.0)
    d.check("the dragged-in copy stays in this file",
            any(o.name.startswith("a small wooden chair") for o in bpy.context.scene.objects))
