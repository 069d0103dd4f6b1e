"""The panel draws from the cache: costs on buttons, progress per job, no I/O.

Background Blender has no windows to draw in, so each panel's ``draw`` runs
against a layout that records what it was asked to show.
"""

import types

import bpy
import pytest

pytestmark = pytest.mark.blender


class RecordingLayout:
    """Accepts any layout call, remembers it, and hands out more of itself."""

    def __init__(self, log=None):
        object.__setattr__(self, "log", log if log is not None else [])

    def __getattr__(self, name):
        def call(*args, **kwargs):
            if name == "operator":
                props = types.SimpleNamespace()  # what the panel sets on the button
                self.log.append((name, args, {**kwargs, "props": props}))
                return props
            self.log.append((name, args, kwargs))
            return RecordingLayout(self.log)
        return call

    def __setattr__(self, name, value):  # layout.alert / .active / .enabled
        self.log.append((f"set_{name}", (value,), {}))
        object.__setattr__(self, name, value)

    def texts(self, kind):
        return [kw.get("text", "") for name, _a, kw in self.log if name == kind]

    def props(self):
        """Property names drawn with ``prop()``."""
        return [args[1] for name, args, _kw in self.log if name == "prop"]

    def buttons(self, idname):
        """What the panel set on each ``operator(idname)`` button."""
        return [kw["props"] for name, args, kw in self.log if name == "operator" and args[0] == idname]


class NoTouching:
    """An engine stand-in that fails the test if drawing asks it anything."""

    def __getattr__(self, name):
        raise AssertionError(f"drawing called engine.{name}")


@pytest.fixture
def cache(addon, monkeypatch):
    from ai_studio_bridge.addon.jobs import pump, session
    from ai_studio_bridge.bridge import transport
    monkeypatch.setattr(transport.Transport, "request",
                        lambda *a, **k: pytest.fail("drawing touched the network"))
    real, session.STATE.engine = session.STATE.engine, NoTouching()
    view = session.track("job1", "Red chair", "TENCENT_RAPID", "3d", "35")
    view.state, view.progress = "RUNNING", 40
    done = session.track("job2", "Statue", "MINIATURE", "miniature", "200")
    done.state, done.progress, done.error = "FAILED", 66, "The picture shows no object."
    session.STATE.wallet = "150.00 credits"
    pump.sync_rows()
    try:
        yield session
    finally:
        session.STATE.engine = real


def _draw(panel_cls):
    layout = RecordingLayout()
    panel_cls.draw(types.SimpleNamespace(layout=layout), bpy.context)
    return layout


def test_submit_buttons_show_the_estimated_cost(cache):
    from ai_studio_bridge.addon.ui import panels
    settings = bpy.context.scene.aistudio
    settings.model = "TENCENT_PRO"
    settings.options.enable_pbr = True
    buttons = _draw(panels.AISTUDIO_PT_generate).texts("operator")
    assert any("80 credits" in text for text in buttons), buttons           # 60 + 20 PBR
    assert any("100 credits" in text for text in buttons), buttons          # + 20 multi-view
    bpy.context.scene.aistudio.miniature.edition = "fast"
    (mini,) = _draw(panels.AISTUDIO_PT_miniature).texts("operator")
    assert "200 credits" in mini


def test_main_panel_shows_the_cached_balance_and_messages(cache):
    from ai_studio_bridge.addon.ui import panels
    cache.add_message("ERROR", "Statue: The picture shows no object.")
    labels = _draw(panels.AISTUDIO_PT_main).texts("label")
    assert "Balance: 150.00 credits" in labels
    assert any("no object" in text for text in labels)


def test_job_list_rows_show_progress_state_and_error(cache):
    from ai_studio_bridge.addon.ui import joblist, panels
    runtime = bpy.context.window_manager.aistudio
    assert [row.job_id for row in runtime.jobs] == ["job2", "job1"]
    ui_list = types.SimpleNamespace()
    running = RecordingLayout()
    joblist.AISTUDIO_UL_jobs.draw_item(ui_list, bpy.context, running, runtime, runtime.jobs[1],
                                       0, runtime, "active_job", 1)
    assert any(name == "progress" and kw["factor"] == pytest.approx(0.4)
               for name, _a, kw in running.log)
    assert ("operator", ("aistudio.cancel_job",)) in [(n, a) for n, a, _k in running.log]
    runtime.active_job = 0
    details = _draw(panels.AISTUDIO_PT_jobs).texts("label")
    assert any("no object" in text for text in details)
    assert "1 running" in details


def test_status_bar_line_summarises_running_jobs(cache):
    from ai_studio_bridge.addon.ui import panels
    layout = RecordingLayout()
    panels.draw_status(types.SimpleNamespace(layout=layout), bpy.context)
    assert layout.texts("label") == ["AI Studio: 1 job(s), 40%"]


def test_a_message_in_a_narrow_sidebar_wraps_to_what_fits():
    """A 290 px sidebar (as in a real window) holds about 30 characters a line, not 40."""
    import types

    from ai_studio_bridge.addon.ui import widgets
    context = types.SimpleNamespace(region=types.SimpleNamespace(width=277),
                                    preferences=types.SimpleNamespace(view=types.SimpleNamespace(ui_scale=1.0)))
    assert 26 <= widgets.wrap_width(context) <= 32
