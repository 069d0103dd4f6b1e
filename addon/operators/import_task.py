"""Import a task made elsewhere (the website, another machine) by its id.

The engine adopts the task (``JobEngine.adopt``): it is journaled, polled and
downloaded like any job, and imported at the 3D cursor when its files are
in. Nothing is charged. A malformed id is refused here; a task the service
does not know for this key, or whose results expired (24 hours after it
finished), ends the job with the service's answer in plain words.
"""

import bpy
from bpy.props import EnumProperty, StringProperty

from ...bridge import errors
from .. import preferences
from ..jobs import online, origin, pump, session
from .submit import require_credential, submit_problem

PROVIDERS = (("3daistudio", "3D AI Studio", "A task of 3daistudio.com"),
             ("image3d", "image3d.io", "A task of image3d.io"))


def short_id(task_id: str) -> str:
    return task_id[:8]


def _downloaded(task_id: str) -> str | None:
    """A finished job of the list that holds this task's files (from the cache, no I/O)."""
    for job_id in session.STATE.order:
        view = session.STATE.jobs.get(job_id)
        if view is not None and view.task_id == task_id and view.state == "DONE" and view.files:
            return job_id
    return None


class AISTUDIO_OT_import_task(bpy.types.Operator):
    """Follow a task made on the website or another machine (within 24 hours) and import it here"""

    bl_idname = "aistudio.import_task"
    bl_label = "Import AI Studio Task"
    bl_options = {"REGISTER"}

    task_id: StringProperty(name="Task ID", description="The id the website or the other machine "
                                                       "shows for the task")
    provider: EnumProperty(name="Service", items=PROVIDERS, default="3daistudio")

    @classmethod
    def poll(cls, context):
        problem = submit_problem(context, providers=("3daistudio", "image3d"))
        if problem:
            cls.poll_message_set(problem)
        return not problem

    def invoke(self, context, event):
        if self._task_id(context):
            return self.execute(context)
        return context.window_manager.invoke_props_dialog(self)   # File › Import: ask for it

    def _task_id(self, context) -> str:
        if self.task_id.strip():
            return self.task_id.strip()
        runtime = getattr(context.window_manager, "aistudio", None)
        return runtime.task_id.strip() if runtime is not None else ""

    def execute(self, context):
        task_id = self._task_id(context)
        if not task_id:
            self.report({"ERROR"}, "Paste the task's id first (the website shows it with the task).")
            return {"CANCELLED"}
        known = _downloaded(task_id)
        if known is not None:   # in the list and on disk already: no second download
            return bpy.ops.aistudio.import_result("EXEC_DEFAULT", job_id=known)
        if not online.network_allowed():
            self.report({"ERROR"}, online.offline_message())
            return {"CANCELLED"}
        settings = session.refresh_settings(context)
        try:
            require_credential(settings, self.provider)
            session.apply_changed_credentials()
            engine = session.engine()
            name = f"Task {short_id(task_id)}"
            folder = preferences.download_folder(preferences.get_prefs(context))
            job_id = engine.adopt(task_id, provider=self.provider, label=name, output_dir=str(folder),
                                  meta=origin.stamp({"source": "import_task", "name": name}))
        except errors.BridgeError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        record = engine.job(job_id)
        fresh = record.origin == "adopted" and record.state == "RUNNING" and not record.progress
        view = session.add_view(session.view_from_record(record, session.STATE.jobs.get(job_id)))
        runtime = getattr(context.window_manager, "aistudio", None)
        if runtime is not None:
            runtime.task_id = ""
        pump.sync_rows(context)
        if fresh:
            self.report({"INFO"}, f"Following task {task_id}: it is imported when its files are in.")
        else:
            self.report({"INFO"}, f"Task {task_id} is already in the job list ({view.state.lower()}).")
        return {"FINISHED"}


classes = (AISTUDIO_OT_import_task,)
