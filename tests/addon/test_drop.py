"""Drop a picture on the window, get a model: the FileHandler and the operator it calls.

Background Blender has no window and no drops; what a drop does is call the
handler's import operator with ``filepath``, ``directory`` and ``files`` set
(INVOKE_DEFAULT). Here the operator is called with those arguments, and its
invoke is run against a stand-in window manager that records the dialog.
"""

import shutil
import types

import bpy
import pytest
from addon_helpers import last_job, pump_until, sample_picture

pytestmark = pytest.mark.blender


def _pictures(tmp_path, n):
    paths = []
    for i in range(n):
        dest = tmp_path / "drop" / f"statue {i}.png"
        dest.parent.mkdir(exist_ok=True)
        shutil.copy(sample_picture(), dest)
        paths.append(dest)
    return paths


def test_the_file_handler_takes_pictures_dropped_on_the_viewport(addon):
    handler = bpy.types.AISTUDIO_FH_image_to_3d
    assert issubclass(handler, bpy.types.FileHandler)
    assert handler.bl_import_operator == "aistudio.image_to_3d"
    assert set(handler.bl_file_extensions.split(";")) == {".png", ".jpg", ".jpeg", ".webp"}

    def ctx(area, region="WINDOW"):
        return types.SimpleNamespace(area=types.SimpleNamespace(type=area),
                                     region=types.SimpleNamespace(type=region))
    assert handler.poll_drop(ctx("VIEW_3D"))
    assert handler.poll_drop(ctx("IMAGE_EDITOR", "UI"))          # the sidebar's "send on"
    assert not handler.poll_drop(ctx("IMAGE_EDITOR", "WINDOW"))  # Blender's own: open it
    assert not handler.poll_drop(ctx("OUTLINER"))


def test_a_dropped_picture_becomes_one_job_named_after_it(studio, tmp_path):
    (picture,) = _pictures(tmp_path, 1)
    bpy.context.scene.aistudio.model = "TENCENT_RAPID"
    # what the drop passes (plus filepath, the first file)
    result = bpy.ops.aistudio.image_to_3d(filepath=str(picture), directory=str(picture.parent),
                                          files=[{"name": picture.name}])
    assert result == {"FINISHED"}
    view = pump_until(lambda: last_job() if last_job().state == "DONE" else None, timeout=60)
    assert view.label == "statue 0"


def test_several_dropped_pictures_are_one_batch_one_job_each(studio, tmp_path):
    from ai_studio_bridge.addon.jobs import session
    paths = _pictures(tmp_path, 3)
    before = len(session.STATE.jobs)
    result = bpy.ops.aistudio.image_to_3d(filepath=str(paths[0]), directory=str(paths[0].parent),
                                          files=[{"name": p.name} for p in paths],
                                          model="TENCENT_RAPID")
    assert result == {"FINISHED"}
    views = [session.STATE.jobs[j] for j in session.STATE.order[:3]]
    assert len(session.STATE.jobs) == before + 3
    assert sorted(v.label for v in views) == ["statue 0", "statue 1", "statue 2"]
    assert len({v.meta["batch"] for v in views}) == 1


class _Recorder:
    def __init__(self):
        self.asked = []

    def invoke_confirm(self, op, event, title="", message="", confirm_text="", icon="NONE"):
        self.asked.append((title, message))
        return {"RUNNING_MODAL"}


def _stand_in(**values):
    from ai_studio_bridge.addon.operators import generate, submit
    op_class = generate.AISTUDIO_OT_image_to_3d

    class Op:
        prepare = op_class.prepare
        _prepare_or_report = submit.SubmitMixin._prepare_or_report
        _prepared_online = submit.SubmitMixin._prepared_online

        def __init__(self):
            self.filepath = self.image = self.prompt = ""
            self.use_render = False
            self.model = "TENCENT_RAPID"
            self.reports = []
            self.properties = types.SimpleNamespace(is_property_set=lambda name: name == "model")
            self.__dict__.update(values)

        def report(self, kind, text):
            self.reports.append((kind, text))
    return Op()


def test_a_drop_always_asks_naming_the_model_and_the_credits(studio, tmp_path):
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.operators import drop
    preferences.get_prefs().confirm_credits = 100_000   # a button would not ask at all
    (picture,) = _pictures(tmp_path, 1)
    op = _stand_in(directory=str(picture.parent), files=[types.SimpleNamespace(name=picture.name)])
    wm = _Recorder()
    context = types.SimpleNamespace(scene=bpy.context.scene, window_manager=wm)
    assert drop.invoke_image_to_3d(op, context, None, lambda c, e: {"FINISHED"}) == {"RUNNING_MODAL"}
    ((title, message),) = wm.asked
    assert title == "Spend credits?"
    assert message.startswith("Send statue 0 to Tencent Rapid? Estimated ")
    assert "credits" in message
    assert op._prepared.request is not None and op.filepath == str(picture)


def test_a_button_without_a_drop_keeps_its_usual_path(studio):
    from ai_studio_bridge.addon.operators import drop
    op = _stand_in(directory="", files=[])
    called = []
    drop.invoke_image_to_3d(op, None, None, lambda c, e: called.append(True) or {"FINISHED"})
    assert called == [True]
