"""The job list: one row per job, drawn only from the pump's in-memory cache."""

import bpy

from .. import session

STATE_ICONS = {
    "QUEUED": "SORTTIME", "SUBMITTING": "EXPORT", "RUNNING": "PLAY", "DOWNLOADING": "IMPORT",
    "DONE": "CHECKMARK", "FAILED": "ERROR", "CANCELLED": "CANCEL", "EXPIRED": "TIME",
    "UNKNOWN": "QUESTION", "PREPARING": "EXPORT",
}


def draw_progress(layout, view) -> None:
    """A progress bar where Blender has one (4.0+), else a percentage."""
    factor = max(0.0, min(1.0, view.progress / 100.0))
    text = f"{view.stage or view.state.title()} {view.progress}%"   # stage: the helper's step
    if hasattr(layout, "progress"):
        layout.progress(factor=factor, type="BAR", text=text)
    else:
        layout.label(text=text)


class AISTUDIO_UL_jobs(bpy.types.UIList):
    bl_idname = "AISTUDIO_UL_jobs"

    def draw_item(self, context, layout, data, item, icon, active_data, active_propname, index=0):
        view = session.STATE.jobs.get(item.job_id)
        if view is None:
            layout.label(text=item.job_id, icon="QUESTION")
            return
        row = layout.row(align=True)
        row.label(text=view.label or view.job_id, icon=STATE_ICONS.get(view.state, "DOT"))
        if view.active:
            draw_progress(row, view)
            op = row.operator("aistudio.cancel_job", text="", icon="X", emboss=False)
            op.job_id = view.job_id
        elif view.stage:   # finished, and the helper Blender is importing it
            row.label(text=f"{view.stage}…", icon="IMPORT")
        elif view.state == "DONE" and view.kind == "local":
            row.label(text=f"{view.seconds:.1f} s")
        elif view.state == "DONE":
            op = row.operator("aistudio.import_result", text="", icon="IMPORT", emboss=False)
            op.job_id = view.job_id
            op = row.operator("aistudio.open_folder", text="", icon="FILE_FOLDER", emboss=False)
            op.job_id = view.job_id
        else:
            row.label(text=view.state.title())


def draw_job_details(layout, view) -> None:
    col = layout.column(align=True)
    col.label(text=f"Model: {view.model or '?'}   Credits: {view.credits or '?'}")
    col.label(text=f"State: {view.state.title()}  ({view.progress}%)")
    if view.seconds:
        col.label(text=f"Local work took {view.seconds:.1f} s")
    if view.task_id:
        col.label(text=f"Task: {view.task_id}")
    if view.error:
        box = layout.box()
        for number, line in enumerate(_wrap(view.error, 48)):
            box.label(text=line, icon="ERROR" if number == 0 else "BLANK1")
    for name in view.image_names:
        image = bpy.data.images.get(name)
        if image is not None and image.preview is not None:
            layout.template_icon(icon_value=image.preview.icon_id, scale=6.0)
            layout.label(text=name, icon="IMAGE_DATA")


def _wrap(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if len(current) + len(word) + 1 > width and current:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        lines.append(current)
    return lines[:6]


classes = (AISTUDIO_UL_jobs,)
