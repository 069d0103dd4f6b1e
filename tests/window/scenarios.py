"""What the real-window tier does, one generator per Blender session (see harness.py)."""

from __future__ import annotations

import os
import sys
import time

import bpy

from harness import area, region, xdo


def addon(module: str):
    package = next(m for m in sys.modules if m.endswith(".ai_studio_bridge"))
    return sys.modules[f"{package}.addon.{module}"]


def open_sidebar_tab(d, tab: str = "AI Studio"):
    """N over the viewport, then the sidebar's tabs, clicked down their strip until *tab*."""
    view = region("VIEW_3D", "WINDOW")
    d.move(d.screen_point(view, view.width / 2, view.height / 2))
    yield 0.1
    d.key("Escape")          # the splash screen, as a user closes it
    yield 0.3
    ui = region("VIEW_3D", "UI")
    if ui is None or ui.width <= 1:
        d.key("n")
        yield lambda: region("VIEW_3D", "UI") is not None and region("VIEW_3D", "UI").width > 1
    ui = region("VIEW_3D", "UI")
    for y in range(ui.height - 12, 20, -14):
        if ui.active_panel_category == tab:
            break
        d.click(d.screen_point(ui, ui.width - 10, y))
        yield 0.12
    d.check(f"the sidebar shows the {tab} tab", ui.active_panel_category == tab,
            ui.active_panel_category)


SAMPLES = os.environ.get("AISTUDIO_WINDOW_SAMPLES", "/work/samples")


def sample(name: str) -> str:
    return os.path.join(SAMPLES, name)


def ui():
    return region("VIEW_3D", "UI")


def jobs():
    return addon("session").STATE.jobs


def ai_objects() -> list:
    coll = bpy.data.collections.get("AI Studio")
    return [o for o in coll.objects if o.parent is None] if coll else []


def snap(d, name: str, settle: float = 0.4):
    """Let Blender redraw, then a screenshot."""
    yield settle
    d.shot(name)
    yield 0.1


def click_button(d, wanted: str, operator: bool = True, xs=(0.5,), where=None):
    """Point at the buttons until one is *wanted*, then click it (a check if none is)."""
    pos, text = yield from d.find(where or ui(), wanted, operator, xs=xs)
    if not d.check(f"found the {wanted} button", pos is not None, text):
        raise AssertionError(f"no {wanted} button in the sidebar")
    d.click(pos)
    return pos


def rightmost(d, path: str):
    """The right end of a property's row: a file field's folder button."""
    pos, _ = yield from d.find(ui(), path, operator=False)
    d.check(f"found {path}", pos is not None)
    for dx in range(0, 140, 6):
        point = (pos[0] + 120 - dx, pos[1])
        text = yield from d.probe(point, operator=False)
        if path in text:
            return point
    return pos


def open_file_browser(d, path: str):
    """Click the folder button at the right end of a file field (it answers no data path:
    found as the first spot right of the field's own right end that opens a browser)."""
    edge = yield from rightmost(d, path)
    for dx in (14, 9, 19, 24):
        d.click((edge[0] + dx, edge[1]))
        for _ in range(20):
            yield 0.1
            if file_window()[0] is not None:
                return
        d.key("Escape")   # it was the field: leave its text as it was
        yield 0.2
    raise AssertionError(f"no file browser opened from {path}")


def type_into(d, path: str, text: str, xs=(0.5,)):
    """Click a text field, replace what it holds, press Return."""
    yield from click_button(d, path, operator=False, xs=xs)
    yield 0.2
    d.key("ctrl+a")
    d.type(text)
    yield 0.1
    d.key("Return")
    yield 0.3


def scroll_sidebar(d, notches: int):
    """The mouse wheel over the sidebar (positive: down)."""
    reg = ui()
    d.move(d.screen_point(reg, reg.width / 2, reg.height / 2))
    for _ in range(abs(notches)):
        d.click(d.screen_point(reg, reg.width / 2, reg.height / 2), button=5 if notches > 0 else 4)
        yield 0.05
    yield 0.3


def choose_model(d, model: str):
    """Ctrl+wheel over the model menu steps through its items, as in any Blender menu."""
    settings = bpy.context.scene.aistudio
    pos, _ = yield from d.find(ui(), "aistudio.model", operator=False)
    d.check("found the model menu", pos is not None)
    for _ in range(8):
        if settings.model == model:
            break
        d.move(pos)
        yield 0.05
        xdo("keydown", "ctrl")
        xdo("click", "5")
        xdo("keyup", "ctrl")
        yield 0.25
    d.check(f"the model menu shows {model}", settings.model == model, settings.model)


def generate_and_confirm(d, operator: str, name: str):
    """Click a Generate button, look at the credit dialog, confirm with Return."""
    before = len(jobs())
    yield from click_button(d, operator)
    yield 0.6
    d.check(f"{name}: nothing is sent before the dialog is confirmed", len(jobs()) == before)
    yield from snap(d, f"{name}_confirm", 0.3)
    d.key("Return")
    yield lambda: len(jobs()) > before
    d.check(f"{name}: one job after OK", len(jobs()) == before + 1, f"{len(jobs())} jobs")
    return next(iter(addon("session").STATE.order), "")


def wait_imported(d, job_id: str, name: str):
    def landed():
        view = jobs().get(job_id)
        return view is not None and (view.imported or view.state in ("FAILED", "CANCELLED"))
    landed.__doc__ = f"{name} to import"
    yield landed
    view = jobs()[job_id]
    d.check(f"{name}: imported", view.imported and view.state == "DONE",
            f"{view.state} {view.error}")


def file_window():
    for window in bpy.context.window_manager.windows:
        for a in window.screen.areas:
            if a.type == "FILE_BROWSER":
                return window, a
    return None, None


def pick_file_in_browser(d, path: str):
    """In Blender's file browser: type the folder into its path field, then the file name
    into the name field, as a user types a path; Return accepts."""
    yield lambda: file_window()[0] is not None
    yield 0.8
    window, browser = file_window()
    xid = xdo("search", "--onlyvisible", "--name", "Blender File View").split()[-1]
    values = dict(line.split("=", 1) for line in xdo("getwindowgeometry", "--shell", xid).split()
                  if "=" in line)
    left, top = int(values["X"]), int(values["Y"])

    def at(region_type, fx, fy=0.5):
        r = next(r for r in browser.regions if r.type == region_type)
        return (round(left + r.x + r.width * fx), round(top + window.height - (r.y + r.height * fy)))
    yield from snap(d, "file_browser")
    folder, name = os.path.split(path)
    d.click(at("UI", 0.35))
    yield 0.3
    d.key("ctrl+a")
    d.type(folder + "/")
    d.key("Return")
    yield 0.6
    d.click(at("EXECUTE", 0.3))
    yield 0.3
    d.key("ctrl+a")
    d.type(name)
    yield from snap(d, "file_browser_typed", 0.3)
    d.key("Return")
    yield 0.6
    if file_window()[0] is not None:
        d.click(at("EXECUTE", 0.9))     # Accept
    yield lambda: file_window()[0] is None


def generate(d):
    """Text, picture (through the file browser), multi-view, miniature, cancel, tools."""
    addon("preferences").get_prefs().confirm_credits = 0   # this user confirms every job
    yield from open_sidebar_tab(d)
    yield from snap(d, "sidebar")
    # Text to 3D.
    yield from type_into(d, "aistudio.prompt", "a small wooden chair")
    job = yield from generate_and_confirm(d, "aistudio.text_to_3d", "text")
    yield from snap(d, "text_submitted")
    yield from wait_imported(d, job, "text")
    yield from snap(d, "text_imported", 1.0)
    d.check("text: the result is in the AI Studio collection", len(ai_objects()) == 1,
            [o.name for o in ai_objects()])
    # Picture to 3D, the picture chosen in Blender's file browser.
    yield 1.0
    yield from open_file_browser(d, "aistudio.picture.filepath")
    yield from pick_file_in_browser(d, sample("poly_fox.png"))
    picked = bpy.context.scene.aistudio.picture.filepath
    d.check("picture: the file browser set the picture", picked.endswith("poly_fox.png"), picked)
    yield from snap(d, "picture_chosen")
    job = yield from generate_and_confirm(d, "aistudio.image_to_3d", "picture")
    yield from wait_imported(d, job, "picture")
    yield from snap(d, "picture_imported", 1.0)
