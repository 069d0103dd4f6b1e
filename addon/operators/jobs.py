"""Operators on jobs that already exist: cancel, import again, wait, wallet, folder."""

import dataclasses
import os
import threading

import bpy
from bpy.props import FloatProperty, StringProperty

from ...bridge import errors
from .. import online, pump, session


def _job_id(op, context) -> str:
    if op.job_id:
        return op.job_id
    runtime = context.window_manager.aistudio
    if 0 <= runtime.active_job < len(runtime.jobs):
        return runtime.jobs[runtime.active_job].job_id
    return ""


class AISTUDIO_OT_cancel_job(bpy.types.Operator):
    """Stop following a job (the service has no cancel; running work is not refunded)"""

    bl_idname = "aistudio.cancel_job"
    bl_label = "Cancel Job"
    bl_options = {"REGISTER"}

    job_id: StringProperty(name="Job")

    def execute(self, context):
        job_id = _job_id(self, context)
        engine = session.engine()
        if not job_id or engine.job(job_id) is None:
            self.report({"ERROR"}, f"No such job: {job_id or '(none selected)'}.")
            return {"CANCELLED"}
        engine.cancel(job_id)
        self.report({"INFO"}, f"Cancelled job {job_id}.")
        return {"FINISHED"}


class AISTUDIO_OT_import_result(bpy.types.Operator):
    """Import a finished job's downloaded files (again)"""

    bl_idname = "aistudio.import_result"
    bl_label = "Import Result"
    bl_options = {"REGISTER", "UNDO"}

    job_id: StringProperty(name="Job")

    def execute(self, context):
        from .. import importing
        job_id = _job_id(self, context)
        engine = session.engine()
        record = engine.job(job_id) if job_id else None
        if record is None:
            self.report({"ERROR"}, f"No such job: {job_id or '(none selected)'}.")
            return {"CANCELLED"}
        if job_id not in session.STATE.jobs:
            session.STATE.jobs[job_id] = session.view_from_record(record)
            session.STATE.order.insert(0, job_id)
            session.STATE.rows_dirty = True
        try:
            result = importing.import_job(job_id, context)
        except importing.ImportFailed as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        session.STATE.jobs[job_id].imported = True
        self.report({"INFO"}, result.summary())
        return {"FINISHED"}


class AISTUDIO_OT_wait_jobs(bpy.types.Operator):
    """Block until every unfinished job has ended and been imported (for background scripts); CANCELLED if one did not arrive"""

    bl_idname = "aistudio.wait_jobs"
    bl_label = "Wait for Jobs"

    timeout: FloatProperty(name="Timeout (s)", default=600.0, min=0.0)

    def execute(self, context):
        session.engine()
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

    def execute(self, context):
        if not online.network_allowed():
            self.report({"ERROR"}, online.offline_message())
            return {"CANCELLED"}
        settings = dataclasses.replace(session.refresh_settings(context))
        try:
            settings.require_key()
        except errors.ConfigError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        # Operators never wait on the network: a thread asks, the pump redraws.
        threading.Thread(target=_fetch_wallet, args=(settings,), daemon=True,
                         name="aistudio-wallet").start()
        session.STATE.wallet_error = ""
        self.report({"INFO"}, "Fetching the balance…")
        return {"FINISHED"}


def _fetch_wallet(settings) -> None:
    # Worker thread: plain Python only; the pump notices STATE.wallet_changed.
    from ...bridge import client as client_mod
    try:
        wallet = client_mod.client_for("3daistudio", settings,
                                       online_check=lambda: session.STATE.online).wallet()
    except errors.BridgeError as exc:
        session.STATE.wallet_error = str(exc)
    else:
        session.STATE.wallet = str(wallet)
    session.STATE.wallet_changed = True


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


class AISTUDIO_OT_clear_messages(bpy.types.Operator):
    """Clear the messages shown in the panel"""

    bl_idname = "aistudio.clear_messages"
    bl_label = "Clear Messages"

    def execute(self, context):
        session.STATE.messages.clear()
        return {"FINISHED"}


classes = (AISTUDIO_OT_cancel_job, AISTUDIO_OT_import_result, AISTUDIO_OT_wait_jobs,
           AISTUDIO_OT_refresh_wallet, AISTUDIO_OT_open_folder, AISTUDIO_OT_clear_messages)
