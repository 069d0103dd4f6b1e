"""Blender's conventions: menus for F3, a confirmation before abandoning paid work,
wrapped and red errors, one style for costs on buttons, icons Blender knows."""

import re
import types
from pathlib import Path

import bpy
import pytest
from test_panel import RecordingLayout

pytestmark = pytest.mark.blender

ADDON = Path(__file__).resolve().parents[2] / "addon"


def _draw(draw, context=None, **attrs):
    layout = RecordingLayout()
    draw(types.SimpleNamespace(layout=layout, **attrs), context or bpy.context)
    return layout


def test_file_import_has_an_ai_studio_result_entry_and_a_task_by_id(addon):
    from ai_studio_bridge.addon.ui import menus
    assert menus.draw_import in bpy.types.TOPBAR_MT_file_import._dyn_ui_initialize()
    result, task = [(a, kw) for name, a, kw in _draw(menus.draw_import).log if name == "operator"]
    assert result[0] == ("aistudio.import_result",) and result[1]["text"] == "AI Studio Result…"
    assert task[0] == ("aistudio.import_task",) and task[1]["text"] == "AI Studio Task by ID…"


def test_the_object_menu_has_an_ai_studio_submenu(addon):
    from ai_studio_bridge.addon.ui import menus
    assert menus.draw_object in bpy.types.VIEW3D_MT_object._dyn_ui_initialize()
    assert any(name == "menu" and a == ("AISTUDIO_MT_object",) for name, a, _kw in _draw(menus.draw_object).log)
    log = _draw(bpy.types.AISTUDIO_MT_object.draw).log
    operators = {a[0] for name, a, _kw in log if name in ("operator", "operator_menu_enum")}
    assert {"aistudio.text_to_3d", "aistudio.image_to_3d", "aistudio.miniature", "aistudio.mesh_tool",
            "aistudio.print_cloud", "aistudio.import_result"} <= operators
    assert menus.draw_image in bpy.types.IMAGE_MT_image._dyn_ui_initialize()


def test_the_ai_studio_menus_invoke_their_entries_however_they_are_opened(addon):
    """Opened as a popup (wm.call_menu), a menu runs its entries with EXEC unless it says
    otherwise: Text to 3D then spent credits without its question (seen in a real window)."""
    for menu in (bpy.types.AISTUDIO_MT_object, bpy.types.AISTUDIO_MT_image):
        log = _draw(menu.draw).log
        first_operator = next(i for i, (name, *_r) in enumerate(log) if name.startswith("operator"))
        contexts = [a[0] for name, a, _kw in log[:first_operator] if name == "set_operator_context"]
        assert contexts == ["INVOKE_REGION_WIN"], menu.bl_idname


def test_menus_are_removed_on_unregister(addon):
    from ai_studio_bridge.addon.ui import menus
    menus.unregister()
    try:
        assert menus.draw_import not in bpy.types.TOPBAR_MT_file_import._dyn_ui_initialize()
        assert menus.draw_object not in bpy.types.VIEW3D_MT_object._dyn_ui_initialize()
    finally:
        menus.register()


def test_import_result_without_a_job_searches_the_finished_ones(addon):
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.addon.operators import jobs
    assert jobs.finished_job_items()[0][0] == jobs.NO_JOB
    done = session.track("d1", "Red chair", "TRIPO", "3d", "40")
    done.state = "DONE"
    session.track("r1", "Running", "TRIPO", "3d", "40").state = "RUNNING"
    items = jobs.finished_job_items()
    assert [i[0] for i in items] == ["d1"] and items[0][1].startswith("Red chair")
    assert bpy.types.AISTUDIO_OT_import_result.bl_property == "job"


def test_cancel_asks_first_and_scripts_are_not_asked(addon):
    from ai_studio_bridge.addon.operators.jobs import AISTUDIO_OT_cancel_job
    asked = []

    class WindowManager:
        def invoke_confirm(self, op, event, **kwargs):
            asked.append(kwargs)
            return {"RUNNING_MODAL"}

    context = types.SimpleNamespace(window_manager=WindowManager())
    assert AISTUDIO_OT_cancel_job.invoke(object(), context, None) == {"RUNNING_MODAL"}
    assert "not refunded" in asked[0]["message"]
    # A script calls execute straight away: no question (the job does not exist here).
    with pytest.raises(RuntimeError, match="No such job"):
        bpy.ops.aistudio.cancel_job(job_id="nope")


def test_long_errors_wrap_and_are_marked_as_alerts(addon):
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.addon.ui import joblist, panels
    long = ("The service reports the job failed: the picture shows several people standing close "
            "together, so no single figure could be separated from the background. Credits for "
            "failed jobs are refunded automatically.")
    view = session.JobView("j", label="Crowd", state="FAILED", error=long)
    layout = RecordingLayout()
    joblist.draw_job_details(layout, view, width=40)
    lines = [t for t in layout.texts("label") if t and not t.startswith(("Model:", "Credits:", "State:"))]
    assert len(lines) >= 4 and all(len(t) <= 40 for t in lines)
    assert " ".join(lines) == long                              # nothing cut off
    assert ("set_alert", (True,), {}) in layout.log
    session.add_message("ERROR", long)
    main = _draw(panels.AISTUDIO_PT_main.draw)
    assert ("set_alert", (True,), {}) in main.log
    assert not any(len(t) > 60 and "refunded" in t for t in main.texts("label"))


COST = re.compile(r"^[^()·]+ · \d+(–\d+)? (credits?|generations?)$")


def test_costs_on_buttons_have_one_style(addon):
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.addon.ui import image_panel, panels, prepare_panel
    settings = bpy.context.scene.aistudio
    view = session.track("p1", "Officer", "gemini-3-pro", "image", "50",
                         {"source": "prepare", "recipe": "round_base"})
    view.state = "DONE"
    image = bpy.data.images.new("Shown", 8, 8)
    image_context = types.SimpleNamespace(space_data=types.SimpleNamespace(image=image),
                                          scene=bpy.context.scene)
    texts = []
    for model in ("TENCENT_RAPID", "TENCENT_PRO", "TRELLIS2", "TRIPO", "TRIPO_P1", "IMAGE3D"):
        settings.model = model
        texts += _draw(panels.AISTUDIO_PT_generate.draw).texts("operator")
    for draw, context in ((panels.AISTUDIO_PT_miniature.draw, None), (panels.AISTUDIO_PT_tools.draw, None),
                          (prepare_panel.AISTUDIO_PT_prepare.draw, None),
                          (image_panel.AISTUDIO_PT_image.draw, image_context),
                          (image_panel.AISTUDIO_PT_image_generate.draw, None)):
        texts += _draw(draw, context).texts("operator")
    priced = [t for t in texts if "credit" in t or "generation" in t]
    assert len(priced) >= 12, texts
    assert [t for t in priced if not COST.match(t)] == []


def test_submitted_reports_use_the_same_style(studio):
    from ai_studio_bridge.addon.operators.submit import Prepared, SubmitMixin
    from ai_studio_bridge.bridge.api.tencent import TencentRapidRequest
    said = []

    class Probe(SubmitMixin):
        def prepare(self, context):
            return Prepared(TencentRapidRequest(prompt="a chair", enable_pbr=True), "a chair",
                            "TENCENT_RAPID", {})

        def report(self, level, message):
            said.append(message)

    Probe().execute(bpy.context)
    # Nothing has been sent when the operator returns: it says queued, not submitted.
    assert said[0].startswith("Queued a chair · 50 credits once sent; job ")


def test_every_icon_the_add_on_names_exists_in_blender():
    layout_icons = {i.identifier for i in
                    bpy.types.UILayout.bl_rna.functions["label"].parameters["icon"].enum_items}
    confirm_icons = {i.identifier for i in
                     bpy.types.WindowManager.bl_rna.functions["invoke_confirm"].parameters["icon"].enum_items}
    named = set()
    for path in ADDON.rglob("*.py"):
        named |= set(re.findall(r'icon="([A-Z0-9_]+)"', path.read_text(encoding="utf-8")))
    from ai_studio_bridge.addon.ui import joblist
    named |= set(joblist.STATE_ICONS.values())
    assert named - layout_icons - confirm_icons == set()


def _check_calls(log):
    """Every recorded layout call exists in Blender's UILayout with those keywords, and every
    ``prop()`` names a property its data has: what a real window would refuse at draw time."""
    functions = bpy.types.UILayout.bl_rna.functions
    problems = []
    for name, args, kwargs in log:
        if name.startswith("set_"):
            if name[4:] not in bpy.types.UILayout.bl_rna.properties:
                problems.append(f"layout.{name[4:]} is not a UILayout property")
            continue
        if name not in functions:
            problems.append(f"layout.{name}() does not exist")
            continue
        known = {p.identifier for p in functions[name].parameters}
        extra = set(kwargs) - known - {"props"}
        if extra:
            problems.append(f"layout.{name}() takes no {sorted(extra)}")
        if name == "prop" and hasattr(args[0], "bl_rna") and args[1] not in args[0].bl_rna.properties:
            problems.append(f"prop(): {type(args[0]).__name__} has no {args[1]!r}")
        if name in ("operator", "operator_menu_enum"):
            module, _, op = args[0].partition(".")
            if not hasattr(bpy.types, f"{module.upper()}_OT_{op}"):
                problems.append(f"operator {args[0]} is not registered")
    return problems


def test_every_panel_draws_only_what_blender_has(addon):
    from ai_studio_bridge.addon.jobs import pump, session
    from ai_studio_bridge.addon.ui import advanced, image_panel, joblist, menus, panels, prepare_panel
    settings = bpy.context.scene.aistudio
    done = session.track("d1", "Chair", "TRIPO", "3d", "40", {"source": "prepare", "recipe": "view_back"})
    done.state, done.volume = "DONE", {"unit": "cm", "volume": 3.0}
    failed = session.track("f1", "Vase", "TRIPO", "3d", "40", {"source": "text_to_image"})
    failed.state, failed.error = "FAILED", "no object " * 20
    running = session.track("r1", "Lamp", "TRIPO", "3d", "40")
    running.state, running.eta_s = "RUNNING", 60.0
    session.add_message("ERROR", "something " * 30)
    pump.sync_rows()
    image = bpy.data.images.new("Shown", 8, 8)
    image_context = types.SimpleNamespace(space_data=types.SimpleNamespace(image=image),
                                          scene=bpy.context.scene)
    log = []
    for model in ("TENCENT_RAPID", "TENCENT_PRO", "TRELLIS2", "TRIPO", "TRIPO_P1", "IMAGE3D"):
        settings.model = model
        settings.options.generate_type = "Sketch" if model == "TENCENT_PRO" else "Normal"
        for cls in (panels.AISTUDIO_PT_generate, *advanced.GENERATE_CLASSES):
            log += _draw(cls.draw).log
    settings.miniature.scale = "ratio"
    for draw, context in ((panels.AISTUDIO_PT_main.draw, None), (panels.AISTUDIO_PT_miniature.draw, None),
                          (advanced.AISTUDIO_PT_miniature_advanced.draw, None),
                          (panels.AISTUDIO_PT_tools.draw, None), (panels.AISTUDIO_PT_jobs.draw, None),
                          (prepare_panel.AISTUDIO_PT_prepare.draw, None),
                          (image_panel.AISTUDIO_PT_image.draw, image_context),
                          (image_panel.AISTUDIO_PT_image_generate.draw, None),
                          (image_panel.AISTUDIO_PT_image_results.draw, None),
                          (bpy.types.AISTUDIO_MT_object.draw, None), (bpy.types.AISTUDIO_MT_image.draw, None),
                          (menus.draw_import, None), (menus.draw_object, None), (menus.draw_image, None)):
        log += _draw(draw, context).log
    runtime = bpy.context.window_manager.aistudio
    for row in runtime.jobs:
        layout = RecordingLayout()
        joblist.AISTUDIO_UL_jobs.draw_item(types.SimpleNamespace(), bpy.context, layout, runtime, row,
                                           0, runtime, "active_job", 0)
        log += layout.log
        layout = RecordingLayout()
        joblist.draw_job_details(layout, session.STATE.jobs[row.job_id])
        log += layout.log
    assert _check_calls(log) == []
    assert len(log) > 200
    # the check itself can fail
    assert len(_check_calls([("prop", (settings, "no_such"), {}), ("label", (), {"txt": "x"}),
                             ("operator", ("aistudio.no_such",), {}), ("set_alertt", (True,), {})])) == 4
