"""The job list: one row per job, drawn only from the pump's in-memory cache.

Rows can be filtered (by text, by state) and sorted (newest, name, state,
model); each shows its result's thumbnail when there is one, and a running
job's progress with the time the engine expects it still needs.
"""

import fnmatch
import time

import bpy
from bpy.props import BoolProperty, EnumProperty

from ...bridge.engine.model import KEY_MISSING_NOTE, KEY_PLACE, KEY_REFUSED_NOTE, waits_for_key
from ..jobs import chains, origin, session, volumes
from . import thumbnails
from .widgets import DEFAULT_WRAP, draw_wrapped

STATE_ICONS = {
    "QUEUED": "SORTTIME", "SUBMITTING": "EXPORT", "RUNNING": "PLAY", "DOWNLOADING": "IMPORT",
    "DONE": "CHECKMARK", "FAILED": "ERROR", "CANCELLED": "CANCEL", "EXPIRED": "TIME",
    "UNKNOWN": "QUESTION", "PREPARING": "EXPORT", "WAITING": "LINKED",
}
#: Sort rank of each state: what needs attention first.
STATE_RANK = {"FAILED": 0, "EXPIRED": 1, "UNKNOWN": 2, "RUNNING": 3, "DOWNLOADING": 4,
              "SUBMITTING": 5, "PREPARING": 6, "WAITING": 6, "QUEUED": 6, "DONE": 7, "CANCELLED": 8}
STATE_FILTERS = {
    "ALL": None,
    "ACTIVE": set(session.ACTIVE_STATES),
    "DONE": {"DONE"},
    "PROBLEM": {"FAILED", "EXPIRED", "UNKNOWN", "CANCELLED"},
}


def eta_text(view, now: float | None = None) -> str:
    """``about 3 min left`` from the engine's latest estimate, counted down since it came."""
    if not view.active or view.eta_s is None:
        return ""
    left = view.eta_s - ((time.monotonic() if now is None else now) - view.eta_at)
    if left < -30:
        return ""   # well past the estimate with no word from the service: no guess
    if left <= 5:
        return "any moment"
    if left < 90:
        return f"about {left:.0f} s left"
    if left < 90 * 60:
        return f"about {left / 60:.0f} min left"
    return f"about {left / 3600:.1f} h left"


def key_wait_text(view) -> str:
    """"Waiting for an API key — Preferences › Add-ons › AI Studio Bridge" for a job held back
    for want of a (valid) key; "" otherwise. Shown instead of "Running" and a percentage."""
    if view is None or not waits_for_key(view.state, view.error):
        return ""
    what = KEY_REFUSED_NOTE if view.error.startswith(KEY_REFUSED_NOTE) else KEY_MISSING_NOTE
    return f"{what} — {KEY_PLACE}"


def state_text(view) -> str:
    """What a job's row says it is doing: the helper's stage, a key it waits for, or its state."""
    return view.stage or key_wait_text(view) or view.state.title()


def draw_progress(layout, view, chain=None, short: bool = False) -> None:
    """A progress bar where Blender has one (4.0+), else a percentage; the ETA in its text.

    For a chain: the step under way, its state and progress ("copy on the service 1/2 ·
    Running 40%").
    """
    if chain is not None:
        step = chain.current
        factor = max(0.0, min(1.0, chain.progress / 100.0))
        eta = eta_text(step)
        text = (f"{chain.step_title(step)} · {chain.state.title()} {chain.progress}%"
                + (f" · {eta}" if eta else ""))
        text = key_wait_text(step) or text
        if hasattr(layout, "progress"):
            layout.progress(factor=factor, type="BAR", text=text)
        else:
            layout.label(text=text)
        return
    factor = max(0.0, min(1.0, view.progress / 100.0))
    eta = eta_text(view)
    # stage: what the helper Blender is doing for a local job ("Importing"…)
    text = key_wait_text(view) or (f"{state_text(view)} {view.progress}%"
                                   + (f" · {eta}" if eta else ""))
    if short and not key_wait_text(view) and view.progress:
        # A list row: the name beside it says which job; the time left, briefly.
        text = f"{view.progress}%" + (f" · {eta.replace('about ', '~')}" if eta else "")
    if hasattr(layout, "progress"):
        layout.progress(factor=factor, type="BAR", text=text)
    else:
        layout.label(text=text)


def filter_and_order(views, pattern: str, state: str, sort_by: str, reverse: bool,
                     bit: int) -> tuple[list, list]:
    """UIList flags (``bit`` set: shown) and new positions for ``views`` (rows, newest first)."""
    pattern = pattern.strip().lower()
    if pattern and not any(ch in pattern for ch in "*?["):
        pattern = f"*{pattern}*"
    wanted = STATE_FILTERS.get(state)
    flags = []
    for view in views:
        shown = view is not None and (wanted is None or view.state in wanted)
        if shown and pattern:
            text = f"{view.label} {view.model} {view.job_id} {view.task_id}".lower()
            shown = fnmatch.fnmatchcase(text, pattern)
        flags.append(bit if shown else 0)
    keys = {
        "NAME": lambda i: (views[i].label.lower() if views[i] else "", i),
        "STATE": lambda i: (STATE_RANK.get(views[i].state, 9) if views[i] else 9, i),
        "MODEL": lambda i: (views[i].model.lower() if views[i] else "", i),
    }
    if sort_by not in keys and not reverse:
        return flags, []  # rows are newest first already
    ranked = sorted(range(len(views)), key=keys.get(sort_by, lambda i: i))
    if reverse:
        ranked.reverse()
    order = [0] * len(views)
    for position, index in enumerate(ranked):
        order[index] = position
    return flags, order


class AISTUDIO_UL_jobs(bpy.types.UIList):
    bl_idname = "AISTUDIO_UL_jobs"

    filter_state: EnumProperty(name="Show", default="ALL", items=(
        ("ALL", "All", "Every job"), ("ACTIVE", "Running", "Jobs still running"),
        ("DONE", "Done", "Finished jobs"), ("PROBLEM", "Problems", "Failed, expired, unknown or cancelled")))
    sort_by: EnumProperty(name="Sort", default="NEWEST", items=(
        ("NEWEST", "Newest", "Newest first"), ("NAME", "Name", "By name"),
        ("STATE", "State", "Failed first, then running, then done"), ("MODEL", "Model", "By model")))
    sort_reverse: BoolProperty(name="Reverse", default=False, description="Reverse the order")

    def draw_item(self, context, layout, data, item, icon, active_data, active_propname, index=0):
        view = session.STATE.jobs.get(item.job_id)
        if view is None:
            layout.label(text=item.job_id, icon="QUESTION")
            return
        row = layout.row(align=True)
        chain = chains.summary(view)   # a chain of steps shows as one job
        name = chain.name if chain is not None else view.label or view.job_id
        thumb = thumbnails.icon_id(view)
        if view.active:
            # In a 290 px sidebar the name keeps most of the row; the bar says the rest.
            row = row.split(factor=0.58, align=True)
        if thumb:
            row.label(text=name, icon_value=thumb)
        else:
            state = chain.state if chain is not None else view.state
            row.label(text=name, icon=STATE_ICONS.get(state, "DOT"))
        if view.active:
            row = row.row(align=True)
            draw_progress(row, view, chain, short=True)
            op = row.operator("aistudio.cancel_job", text="", icon="X", emboss=False)
            op.job_id = view.job_id
        elif view.stage:   # finished, and the helper Blender is importing it
            row.label(text=f"{view.stage}…", icon="IMPORT")
        elif view.state == "DONE" and view.kind == "local":
            row.label(text=f"{view.seconds:.1f} s")
        elif view.state == "DONE":
            # Not imported yet (sent from another file, the CLI…): a button that says so.
            op = row.operator("aistudio.import_result", text="" if view.imported else "Import",
                              icon="IMPORT", emboss=not view.imported)
            op.job_id = view.job_id
            op = row.operator("aistudio.open_folder", text="", icon="FILE_FOLDER", emboss=False)
            op.job_id = view.job_id
        else:
            row.label(text=view.state.title())

    def draw_filter(self, context, layout):
        row = layout.row(align=True)
        row.prop(self, "filter_name", text="")
        row.prop(self, "filter_state", text="")
        row = layout.row(align=True)
        row.prop(self, "sort_by", expand=True)
        row.prop(self, "sort_reverse", text="", icon="SORT_DESC" if self.sort_reverse else "SORT_ASC")

    def filter_items(self, context, data, propname):
        rows = getattr(data, propname)
        views = [session.STATE.jobs.get(row.job_id) for row in rows]
        return filter_and_order(views, self.filter_name, self.filter_state, self.sort_by,
                                self.sort_reverse, self.bitflag_filter_item)


def draw_chain_details(layout, chain, width: int = DEFAULT_WRAP) -> None:
    """The steps of a chain, each with its state, and its total cost."""
    col = layout.column(align=True)
    col.label(text=f"Credits: {chain.cost_text} in all   State: {chain.state.title()}")
    for step in chain.steps:
        progress = f" {step.progress}%" if step.active else ""
        col.label(text=f"{chain.step_title(step)}: {step.state.title()}{progress}"
                       f" · {step.credits or '?'} credits", icon=STATE_ICONS.get(step.state, "DOT"))
    if chain.error:
        draw_wrapped(layout.box(), chain.error, width=width)


def draw_job_details(layout, view, width: int = DEFAULT_WRAP) -> None:
    chain = chains.summary(view)
    if chain is not None:
        draw_chain_details(layout, chain, width)
        thumb = thumbnails.preview(view)
        if thumb is not None and thumb.icon_id:
            layout.template_icon(icon_value=thumb.icon_id, scale=6.0)
        return
    col = layout.column(align=True)
    # One fact a line: a 290 px sidebar cuts "Model: … Credits: …" in the middle.
    col.label(text=f"Model: {view.model or '?'}")
    col.label(text=f"Credits: {view.credits or '?'}")
    eta = eta_text(view)
    waiting = key_wait_text(view)
    col.label(text=f"State: {waiting}" if waiting else
              f"State: {view.state.title()}  ({view.progress}%)" + (f" · {eta}" if eta else ""))
    if view.seconds:
        col.label(text=f"Local work took {view.seconds:.1f} s")
    if view.task_id:
        col.label(text=f"Task: {view.task_id}")
    if view.left_for_import and not view.imported:
        draw_wrapped(layout, f"Sent from {origin.sender(view.meta)}: not imported into this file "
                             "by itself. Import brings it here.", icon="INFO", width=width, alert=False)
    if view.error:
        draw_wrapped(layout.box(), view.error, width=width)
    if view.volume:
        box = layout.box()
        for number, line in enumerate(volumes.lines(view.volume)):
            box.label(text=line, icon="MOD_SOLIDIFY" if number == 0 else "BLANK1")
    thumb = thumbnails.preview(view)
    shown = set()
    if thumb is not None and thumb.icon_id:
        layout.template_icon(icon_value=thumb.icon_id, scale=6.0)
        shown.add(thumb.icon_id)
    for name in view.image_names:
        image = bpy.data.images.get(name)
        if image is not None:
            icon = thumbnails.picture_icon(image)
            if icon and icon not in shown:
                layout.template_icon(icon_value=icon, scale=6.0)
            layout.label(text=name, icon="IMAGE_DATA")


classes = (AISTUDIO_UL_jobs,)
