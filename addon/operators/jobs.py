"""Operators on jobs that already exist: cancel, import again, wait, wallet, folder, clear."""

import os

import bpy
from bpy.props import EnumProperty, FloatProperty, StringProperty

from .. import preferences
from ..jobs import importing, localjobs, pump, session, wallet
from .submit import ask, submit_problem


def _job_id(op, context) -> str:
    if op.job_id:
        return op.job_id
    if "job" in op.properties.bl_rna.properties and op.properties.is_property_set("job"):
        return "" if op.job == NO_JOB else op.job  # picked in the search popup
    runtime = context.window_manager.aistudio
    if 0 <= runtime.active_job < len(runtime.jobs):
        return runtime.jobs[runtime.active_job].job_id
    return ""


class AISTUDIO_OT_cancel_job(bpy.types.Operator):
    """Stop a job: a local one stops at once; a service job is no longer followed (not refunded)"""

    bl_idname = "aistudio.cancel_job"
    bl_label = "Cancel Job"
    bl_options = {"REGISTER"}

    job_id: StringProperty(name="Job")

    def invoke(self, context, event):
        if localjobs.get(getattr(self, "job_id", "") or "") is not None:
            return self.execute(context)   # local work stops for real and costs nothing: no question
        # Cancelling abandons paid work (the service has no cancel), so the button asks first.
        message = ("The service has no cancel: the job may still run there and its credits "
                   "are not refunded. Stop following it?")
        return ask(self, context, event, "Cancel this job?", message, "Cancel Job", icon="WARNING")

    def execute(self, context):
        job_id = _job_id(self, context)
        if localjobs.cancel(job_id):   # a local job: the helper Blender stops working on it
            self.report({"INFO"}, f"Cancelled job {job_id}.")
            return {"FINISHED"}
        engine = session.engine()
        record = engine.job(job_id) if job_id else None
        if record is None:
            self.report({"ERROR"}, f"No such job: {job_id or '(none selected)'}.")
            return {"CANCELLED"}
        if record.chain:   # the row stands for every step: they all stop (unsent ones cost nothing)
            stopped = engine.cancel_chain(record.chain)
            if not stopped:
                return self._already_ended(engine, job_id)
            self.report({"INFO"}, f"Cancelled {len(stopped)} step(s) of job {job_id}.")
            return {"FINISHED"}
        if not engine.cancel(job_id):
            return self._already_ended(engine, job_id)
        self.report({"INFO"}, f"Cancelled job {job_id}.")
        return {"FINISHED"}

    def _already_ended(self, engine, job_id: str):
        """The job ended while its "Cancel this job?" was open: say so, change nothing."""
        record = engine.job(job_id)
        what = {"DONE": "has already finished", "FAILED": "has already failed",
                "CANCELLED": "was already cancelled"}.get(record.state if record else "",
                                                          "has already ended")
        self.report({"INFO"}, f"Job {job_id} {what}: nothing to cancel.")
        return {"CANCELLED"}


NO_JOB = "NONE"
_FINISHED_ITEMS: list = []  # Blender keeps only pointers to enum strings: keep them alive here


def finished_job_items(_self=None, _context=None) -> list:
    """Finished jobs for the import search, newest first (from the cache, never the journal)."""
    items = []
    for job_id in session.STATE.order:
        view = session.STATE.jobs.get(job_id)
        if view is not None and view.state == "DONE":
            items.append((job_id, f"{view.label or job_id} · {view.model or view.kind}",
                          f"{view.credits} credits" if view.credits else ""))
    _FINISHED_ITEMS[:] = items or [(NO_JOB, "No finished job yet", "")]
    return _FINISHED_ITEMS


class AISTUDIO_OT_import_result(bpy.types.Operator):
    """Import a finished job's downloaded files (again); without a job, pick one from a search"""

    bl_idname = "aistudio.import_result"
    bl_label = "Import AI Studio Result"
    bl_options = {"REGISTER"}   # the append pushes its own undo step
    bl_property = "job"

    job_id: StringProperty(name="Job")
    job: EnumProperty(name="Result", items=finished_job_items,
                      description="A finished job of the list (the search of File > Import)")

    def invoke(self, context, event):
        if self.job_id:
            return self.execute(context)
        if finished_job_items()[0][0] == NO_JOB:
            self.report({"WARNING"}, "No finished job to import yet.")
            return {"CANCELLED"}
        context.window_manager.invoke_search_popup(self)
        return {"RUNNING_MODAL"}

    def execute(self, context):
        job_id = _job_id(self, context)
        engine = session.engine()
        record = engine.job(job_id) if job_id else None
        if record is None:
            self.report({"ERROR"}, f"No such job: {job_id or '(none selected)'}.")
            return {"CANCELLED"}
        if job_id not in session.STATE.jobs:
            session.add_view(session.view_from_record(record))
        session.STATE.jobs[job_id].left_for_import = False   # the user chose this file
        try:
            if not importing.scripts_wait():
                # The UI: the helper Blender imports it, the pump appends it shortly.
                session.STATE.jobs[job_id].imported = False
                importing.begin_import(job_id)
                self.report({"INFO"}, f"Importing {session.STATE.jobs[job_id].label or job_id}…")
                return {"FINISHED"}
            result = importing.import_job(job_id, context)
        except importing.ImportFailed as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        # Like an automatic import (pictures tagged and shown, the object's preview
        # remembered): importing does that for both.
        session.STATE.jobs[job_id].imported = True
        self.report({"INFO"}, result.summary())
        return {"FINISHED"}


class AISTUDIO_OT_wait_jobs(bpy.types.Operator):
    """Block until every unfinished job has ended and been imported (for background scripts); CANCELLED if one did not arrive"""

    bl_idname = "aistudio.wait_jobs"
    bl_label = "Wait for Jobs"

    timeout: FloatProperty(name="Timeout (s)", default=600.0, min=0.0)

    def execute(self, context):
        # No engine: no journal to resume at start and nothing submitted, so nothing to wait for.
        ended, views = pump.wait_for_jobs(self.timeout)
        # Warnings, not errors: an error report turns the script's return value into an
        # exception, and a script should be able to test the result for CANCELLED.
        if not ended:
            running = [v for v in views if v.active]
            self.report({"WARNING"}, f"{len(running)} job(s) still running after {self.timeout:.0f} s; "
                                     "they keep running in the journal and resume next time.")
            return {"CANCELLED"}
        failed = [v for v in views if pump.job_failed(v)]
        for view in failed:
            self.report({"WARNING"}, f"{view.label or view.job_id}: {view.state.lower()}: "
                                     f"{view.error or 'no reason given'}")
        return {"CANCELLED"} if failed else {"FINISHED"}


class AISTUDIO_OT_refresh_wallet(bpy.types.Operator):
    """Fetch the wallet balance in the background; the panel shows the cached value"""

    bl_idname = "aistudio.refresh_wallet"
    bl_label = "Refresh Balance"

    @classmethod
    def poll(cls, context):
        problem = submit_problem(context)
        if problem:
            cls.poll_message_set(problem)
        return not problem

    def execute(self, context):
        problem = wallet.refresh(context)  # operators never wait on the network
        if problem:
            self.report({"ERROR"}, problem)
            return {"CANCELLED"}
        self.report({"INFO"}, "Fetching the balance…")
        return {"FINISHED"}


class AISTUDIO_OT_open_folder(bpy.types.Operator):
    """Open the folder holding a job's downloaded files"""

    bl_idname = "aistudio.open_folder"
    bl_label = "Open Folder"

    job_id: StringProperty(name="Job")

    def execute(self, context):
        view = session.STATE.jobs.get(_job_id(self, context))
        folder = ""
        if view is not None and view.files:
            folder = os.path.dirname(view.files[0])
        folder = folder or (view.output_dir if view else "")
        if not folder or not os.path.isdir(folder):
            self.report({"ERROR"}, "This job has no local files yet.")
            return {"CANCELLED"}
        bpy.ops.wm.path_open(filepath=folder)
        return {"FINISHED"}


class AISTUDIO_OT_clear_finished_jobs(bpy.types.Operator):
    """Remove ended jobs from the list; their files stay on disk and in the journal"""

    bl_idname = "aistudio.clear_finished_jobs"
    bl_label = "Clear Finished Jobs"

    def execute(self, context):
        count = session.clear_finished()
        pump.sync_rows(context)
        self.report({"INFO"}, f"Cleared {count} ended job(s) from the list; their files stay on disk.")
        return {"FINISHED"}


class AISTUDIO_OT_clear_messages(bpy.types.Operator):
    """Clear the messages shown in the panel"""

    bl_idname = "aistudio.clear_messages"
    bl_label = "Clear Messages"

    def execute(self, context):
        session.STATE.messages.clear()
        return {"FINISHED"}


class AISTUDIO_OT_use_cli_journal(bpy.types.Operator):
    """Share one job journal with the command line (python -m bridge)"""

    bl_idname = "aistudio.use_cli_journal"
    bl_label = "Use the Command Line's Journal"
    bl_options = {"INTERNAL"}

    folder: StringProperty(name="Folder", subtype="DIR_PATH")

    def execute(self, context):
        prefs = preferences.get_prefs(context)
        if prefs is None:
            return {"CANCELLED"}
        prefs.data_folder = self.folder
        session.follow_journal(context)   # at once: its jobs are in the list and importable now
        self.report({"INFO"}, f"Jobs are journaled in {self.folder}; the add-on follows them from now on.")
        return {"FINISHED"}


classes = (AISTUDIO_OT_use_cli_journal, AISTUDIO_OT_cancel_job, AISTUDIO_OT_import_result, AISTUDIO_OT_wait_jobs,
           AISTUDIO_OT_refresh_wallet, AISTUDIO_OT_open_folder, AISTUDIO_OT_clear_finished_jobs,
           AISTUDIO_OT_clear_messages)
