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
    return addon("jobs.session").STATE.jobs


def ai_objects() -> list:
    coll = bpy.data.collections.get("AI Studio")
    return [o for o in coll.objects if o.parent is None] if coll else []


def snap(d, name: str, settle: float = 0.4):
    """Let Blender redraw, then a screenshot."""
    yield settle
    d.shot(name)
    yield 0.1


def find_scrolling(d, wanted: str, operator: bool = True, xs=(0.5,)):
    """Like ``find``, from the sidebar's top, scrolling down when it is not in sight."""
    yield from scroll_sidebar(d, -60)   # from the top, whatever was scrolled before
    for _ in range(4):
        pos, text = yield from d.find(ui(), wanted, operator, xs=xs)
        if pos is not None:
            return pos, text
        yield from scroll_sidebar(d, 6)
    return None, ""


def click_button(d, wanted: str, operator: bool = True, xs=(0.5,), where=None):
    """Point at the buttons until one is *wanted*, then click it (a check if none is)."""
    if where is None:
        pos, text = yield from find_scrolling(d, wanted, operator, xs=xs)
    else:
        pos, text = yield from d.find(where, wanted, operator, xs=xs)
    if not d.check(f"found the {wanted} button", pos is not None, text):
        raise AssertionError(f"no {wanted} button in the sidebar")
    d.click(pos)
    return pos


def rightmost(d, path: str):
    """The right end of a property's row: a file field's folder button."""
    pos, _ = yield from find_scrolling(d, path, operator=False)
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
    """The mouse wheel over the sidebar (positive: down), one xdotool call for all notches."""
    reg = ui()
    d.move(d.screen_point(reg, reg.width / 2, reg.height / 2))
    yield 0.1
    xdo("click", "--repeat", str(abs(notches)), "--delay", "8", "5" if notches > 0 else "4")
    yield 0.4


def choose_model(d, model: str):
    """Ctrl+wheel over the model menu steps through its items, as in any Blender menu."""
    settings = bpy.context.scene.aistudio
    order = [key for key, _label, _tip in addon("properties").MODELS]
    pos, _ = yield from find_scrolling(d, "aistudio.model", operator=False)
    d.check("found the model menu", pos is not None)
    for _ in range(len(order)):
        if settings.model == model:
            break
        down = order.index(model) > order.index(settings.model)
        d.move(pos)
        yield 0.05
        xdo("keydown", "ctrl")
        xdo("click", "5" if down else "4")
        xdo("keyup", "ctrl")
        yield 0.25
    d.check(f"the model menu shows {model}", settings.model == model, settings.model)


def generate_and_confirm(d, operator: str, name: str):
    """Click a Generate button, look at the credit dialog, confirm with Return; the new job
    (a chain of steps, a tool on a scene mesh, shows as the row of its last step)."""
    before = set(jobs())
    yield from click_button(d, operator)
    yield 0.6
    d.check(f"{name}: nothing is sent before the dialog is confirmed", set(jobs()) == before)
    yield from snap(d, f"{name}_confirm", 0.3)
    d.key("Return")
    yield lambda: set(jobs()) - before
    d.sent_after = before    # a tool on a scene mesh is prepared first, sent as a new job later
    new = set(jobs()) - before
    rows = {row.job_id for row in bpy.context.window_manager.aistudio.jobs}
    d.check(f"{name}: one row in the job list after OK", len(new & rows) == 1,
            f"{len(new)} new jobs, {len(new & rows)} rows")
    return next(iter(new & rows), next(iter(new)))


def wait_imported(d, job_id: str, name: str):
    """The job imported: it, or the job it became (sent once its files were written)."""
    def candidates():
        after = getattr(d, "sent_after", None)
        return [job_id] + ([j for j in jobs() if j not in after and j != job_id] if after else [])

    def landed():
        views = [jobs()[j] for j in candidates() if j in jobs()]
        return any(v.imported for v in views) or (
            views and all(v.state in ("FAILED", "CANCELLED") for v in views))
    landed.__doc__ = f"{name} to import"
    yield landed
    views = [jobs()[j] for j in candidates() if j in jobs()]
    view = next((v for v in views if v.imported), views[0] if views else None)
    if view is None:
        raise AssertionError(f"{name}: its job left the job list")
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
    d.key("Return")                     # ends the typing
    yield 0.6
    for _ in range(3):                  # then Accept, as a user clicks it
        if file_window()[0] is None:
            break
        d.move(at("EXECUTE", 0.92))
        yield 0.3
        xdo("click", "1")
        yield 1.0
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
    yield from more_generations(d)
    yield from snap(d, "generate_done", 0.5)


HEADERS = ("Prepare Picture", "Miniature", "Tools")   # the closed sub-panels under Generate


def toggle_panel(d, label: str):
    """Click a closed sub-panel's header: they follow the Queue a Folder button, one a row."""
    pos, _ = yield from find_scrolling(d, "aistudio.queue_folder")
    d.check(f"found the {label} header's neighbour", pos is not None)
    d.move((pos[0], pos[1] + 37 + 26 * HEADERS.index(label)))
    yield 0.2
    xdo("click", "1")
    yield 0.5


def _click_header(d, rows_below_top: int):
    """The top-level panel headers once the sidebar is at its top: one row (28 px) each."""
    reg = ui()
    d.move(d.screen_point(reg, reg.width * 0.4, reg.height - 13 - 28 * rows_below_top))
    yield 0.2
    xdo("click", "1")
    yield 0.5


def print_check(d):
    """Print Preparation on the active mesh: its panel opened, Print Check clicked, the report
    read in the panel. The AI Studio panel is folded first, so its header comes second."""
    props = bpy.context.scene.aistudio.printing
    yield from scroll_sidebar(d, -60)
    yield from _click_header(d, 0)          # fold "AI Studio"
    yield from _click_header(d, 1)          # open "Print Preparation"
    yield from snap(d, "print_panel")
    yield from click_button(d, "aistudio.print_check")
    yield lambda: bool(props.last_report)
    yield from snap(d, "print_checked", 0.6)
    d.check("print check: the report is in the panel", "ml" in props.last_report
            or "Volume" in props.last_report, props.last_report[:200])
    yield from scroll_sidebar(d, -60)
    yield from _click_header(d, 1)          # fold "Print Preparation"
    yield from _click_header(d, 0)          # open "AI Studio" again


def select_in_viewport(d, ob):
    """Click the object where the 3D view draws it."""
    from bpy_extras.view3d_utils import location_3d_to_region_2d
    view = region("VIEW_3D", "WINDOW")
    space = area("VIEW_3D").spaces.active
    x, y = location_3d_to_region_2d(view, space.region_3d, ob.matrix_world.translation)
    d.move(d.screen_point(view, x, y))
    yield 0.2
    xdo("click", "1")
    yield 0.4
    d.check(f"{ob.name} is active after a click on it",
            bpy.context.view_layer.objects.active == ob, bpy.context.view_layer.objects.active)


def emulator_task(prompt: str) -> str:
    """A task made elsewhere (the website, another machine): sent straight to the emulator."""
    import json
    import urllib.request
    url = os.environ["AISTUDIO_API_URL"].rstrip("/") + "/v1/3d-models/tencent/generate/rapid/"
    body = json.dumps({"prompt": prompt}).encode()
    request = urllib.request.Request(url, body, {"Authorization": f"Bearer {os.environ['AISTUDIO_API_KEY']}",
                                                 "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())["task_id"]


def more_generations(d):
    """Multi-view (Tripo, the model menu turned with Ctrl+wheel) and a miniature."""
    yield from click_button(d, "aistudio.clear_messages")
    # Multi-view: Tripo, the four views typed into their fields.
    yield from choose_model(d, "TRIPO")
    views = addon("jobs.request_factory").view_order("TRIPO", bpy.context.scene.aistudio.options)
    pictures = ["poly_fox.png", "horse.png", "robot.png", "chair.png"]
    for view, picture in zip(views, pictures):
        yield from type_into(d, f"multiview.{view}.filepath", sample(picture))
    yield from snap(d, "multiview_filled")
    job = yield from generate_and_confirm(d, "aistudio.multiview_to_3d", "multi-view")
    yield from wait_imported(d, job, "multi-view")
    yield from snap(d, "multiview_imported", 1.0)
    yield from choose_model(d, "TENCENT_RAPID")
    # Miniature: its panel opened, the picture typed, the figure made.
    yield from toggle_panel(d, "Miniature")
    yield from snap(d, "miniature_panel")
    yield from type_into(d, "miniature.picture.filepath", sample("police_woman.png"))
    job = yield from generate_and_confirm(d, "aistudio.miniature", "miniature")
    yield from wait_imported(d, job, "miniature")
    yield from snap(d, "miniature_imported", 1.0)


def jobs_and_tools(d):
    """Cancel, Import Task, Repair on the scene's Cube, Print Check, and text jobs until ten
    results landed in this one window session."""
    addon("preferences").get_prefs().confirm_credits = 0
    yield from open_sidebar_tab(d)
    # Cancel: a Tencent Pro job, cancelled with the ✕ in its row.
    yield from choose_model(d, "TENCENT_PRO")
    yield from type_into(d, "aistudio.prompt", "a tall lighthouse")
    job = yield from generate_and_confirm(d, "aistudio.text_to_3d", "cancel")
    yield lambda: jobs()[job].state == "RUNNING"
    yield from scroll_sidebar(d, 60)   # the job list is at the bottom
    pos, _ = yield from d.find(ui(), "aistudio.cancel_job", xs=(0.80,), top_first=False)
    d.check("cancel: found the ✕ in the job's row", pos is not None)
    d.click(pos)
    yield from snap(d, "cancel_question", 0.5)   # the service has no cancel: Blender asks
    d.key("Return")
    yield lambda: jobs()[job].state == "CANCELLED"
    yield from snap(d, "cancelled")
    d.check("cancel: the job is cancelled and nothing imported", not jobs()[job].imported)
    yield from choose_model(d, "TENCENT_RAPID")
    # Import Task: a task id from elsewhere, typed into the field under the job list.
    task = emulator_task("a brass lantern")
    yield from scroll_sidebar(d, 60)
    pos, _ = yield from d.find(ui(), "aistudio.task_id", operator=False, xs=(0.3,), top_first=False)
    d.check("import task: found the task id field", pos is not None)
    d.click(pos)
    yield 0.3
    d.key("ctrl+a")
    d.type(task)
    d.key("Return")
    yield 0.3
    before = set(jobs())
    pos, _ = yield from d.find(ui(), "aistudio.import_task", xs=(0.75,), top_first=False)
    if pos is None:
        pos, _ = yield from find_scrolling(d, "aistudio.import_task", xs=(0.75,))
    d.check("import task: found its button", pos is not None)
    d.click(pos)
    yield lambda: set(jobs()) - before
    (job,) = set(jobs()) - before
    yield from wait_imported(d, job, "import task")
    yield from snap(d, "task_imported", 1.0)
    # A cloud tool on a scene mesh: the Cube, Repair.
    yield from select_in_viewport(d, bpy.data.objects["Cube"])
    yield from toggle_panel(d, "Tools")
    yield from snap(d, "tools_panel")
    job = yield from generate_and_confirm(d, "aistudio.mesh_tool", "repair")
    yield from wait_imported(d, job, "repair")
    yield from snap(d, "repair_imported", 1.0)
    yield from toggle_panel(d, "Tools")
    yield from print_check(d)
    # Text jobs until ten results have landed in this session.
    landed = [v for v in jobs().values() if v.imported]
    prompts = ["a red teapot", "a stone bench", "a toy robot", "a round table", "a green vase",
               "a wooden boat", "a small tree", "a blue kettle", "a clay pot", "a tin can"]
    for prompt in prompts[:max(0, 10 - len(landed))]:
        yield from type_into(d, "aistudio.prompt", prompt)
        job = yield from generate_and_confirm(d, "aistudio.text_to_3d", prompt.replace(" ", "_"))
        yield from wait_imported(d, job, prompt)
    landed = [v for v in jobs().values() if v.imported]
    d.check("ten results landed in one window session", len(landed) >= 10, len(landed))
    yield from snap(d, "ten_results", 1.0)


def submit_text(d, prompt: str, name: str):
    yield from type_into(d, "aistudio.prompt", prompt)
    job = yield from generate_and_confirm(d, "aistudio.text_to_3d", name)
    return job


def quit_while_running(d):
    """Two jobs running, the file saved with Ctrl+S, Blender quit with Ctrl+Q."""
    addon("preferences").get_prefs().confirm_credits = 0
    yield from open_sidebar_tab(d)
    first = yield from submit_text(d, "a small wooden chair", "first")
    second = yield from submit_text(d, "a red teapot", "second")
    yield lambda: all(jobs()[j].state == "RUNNING" for j in (first, second))
    d.check("both jobs run when Blender is quit", True, [jobs()[j].state for j in (first, second)])
    yield from snap(d, "running_before_quit")
    view = region("VIEW_3D", "WINDOW")
    d.move(d.screen_point(view, view.width / 2, view.height / 2))
    yield 0.2
    d.key("ctrl+s")
    yield lambda: not bpy.data.is_dirty
    d.check("Ctrl+S saved the file", not bpy.data.is_dirty and bpy.data.filepath, bpy.data.filepath)
    d.data["jobs"] = [first, second]
    d.data["keep_open"] = True        # Ctrl+Q, not the driver, ends this Blender
    d.write_report()
    d.key("ctrl+q")
    yield 2.0
    d.key("Return")                   # Blender's "Quit?" when it asks
    yield 30.0


def resume_after_restart(d):
    """The saved file reopened: the jobs resume by themselves and land in it."""
    yield from open_sidebar_tab(d)

    def both_landed():
        return len([v for v in jobs().values() if v.imported]) >= 2
    both_landed.__doc__ = "the two resumed jobs to import"
    yield both_landed
    yield from snap(d, "resumed_and_imported", 1.0)
    d.check("the resumed jobs landed in the reopened file", len(ai_objects()) == 2,
            [o.name for o in ai_objects()])


def heavy_result(d):
    """A 500k-triangle result lands; then Blender's own importer on the same file, timed."""
    addon("preferences").get_prefs().confirm_credits = 0
    yield from open_sidebar_tab(d)
    job = yield from submit_text(d, "a wavy field", "heavy")
    yield from wait_imported(d, job, "heavy")
    yield from snap(d, "heavy_imported", 1.0)
    triangles = sum(len(o.data.loop_triangles) if o.type == "MESH" and o.data.loop_triangles
                    else 0 for o in ai_objects())
    if not triangles:
        for o in ai_objects():
            if o.type == "MESH":
                o.data.calc_loop_triangles()
                triangles += len(o.data.loop_triangles)
    d.check("heavy: the result has 500k triangles", triangles >= 500_000, triangles)
    model = next(f for f in jobs()[job].files if f.endswith(".glb"))
    start = time.perf_counter()
    bpy.ops.import_scene.gltf(filepath=model)
    seconds = time.perf_counter() - start
    d.recorder.mark("reference: import_scene.gltf", start, seconds)
    d.data["reference_import_s"] = seconds
    yield from snap(d, "heavy_reference", 1.0)


def draco_result(d):
    """A Draco-compressed result where Debian's Blender has no Draco library."""
    addon("preferences").get_prefs().confirm_credits = 0
    yield from open_sidebar_tab(d)
    job = yield from submit_text(d, "a monkey", "draco")

    def ended():
        view = jobs()[job]
        return view.imported or (view.state == "DONE" and not view.stage and view.error) \
            or view.state == "FAILED" or any("Draco" in m[1] for m in addon("jobs.session").STATE.messages)
    ended.__doc__ = "the Draco result to import or be refused"
    yield ended
    yield from snap(d, "draco_result", 1.0)
    importers = addon("blenderio.importers")
    words = " ".join(m[1] for m in addon("jobs.session").STATE.messages) + jobs()[job].error
    if importers.draco_available():
        d.check("draco: imported where the library exists", jobs()[job].imported, words)
    else:
        d.check("draco: refused in words, not a traceback", "Draco-compressed" in words
                and "Traceback" not in words, words[:300])
