"""The one persistent timer that moves engine events onto Blender's main thread.

``pump()`` is a plain function: Blender calls it as a ``bpy.app.timers``
callback in the UI, tests and ``aistudio.wait_jobs`` call it directly
(timers never fire in ``--background``). Each tick drains events within a
small time budget, updates the in-memory cache the panel draws from, hands
finished jobs to the helper Blender for importing, moves local jobs along
(``localjobs.poll``: at most one append or result per tick, tens of
milliseconds even for a 500k-triangle model) and asks for a redraw.
"""

from __future__ import annotations

import time
import traceback

import bpy
from bpy.app.handlers import persistent

from ...bridge.engine.model import waits_for_key
from .. import preferences
from . import chains, importing, localjobs, origin, session, volumes, wallet
from .session import STATE

TICK_BUDGET_S = 0.005
ACTIVE_INTERVAL_S = 0.25
IDLE_INTERVAL_S = 2.0
_DRAIN_BATCH = 32

_TERMINAL_MESSAGES = {
    "failed": "ERROR", "cancelled": "WARNING", "expired": "ERROR", "unknown": "WARNING",
}
ENDING_KINDS = ("finished", *_TERMINAL_MESSAGES)


def apply_event(event) -> bool:
    """Fold one engine event into the cache; True if something visible changed."""
    if event.kind == "notice":  # about the engine, not one job: a locked journal, a long pause
        session.add_message("WARNING", event.message)
        return True
    view = STATE.jobs.get(event.job_id)
    if view is None:
        record = session.job_record(event.job_id)
        view = session.view_from_record(record) if record else session.JobView(event.job_id)
        session.add_view(view)
    kind = event.kind
    if event.task_id:
        view.task_id = event.task_id
    if event.state:
        view.state = event.state
    if kind == "progress" or event.progress:
        view.progress = max(view.progress, int(event.progress or 0))
    if waits_for_key(view.state, event.message):
        view.error = event.message          # the list says it waits for a key
    elif waits_for_key(view.state, view.error):
        view.error = ""                     # going on: a key came
    if event.files:
        view.files = list(dict.fromkeys([*view.files, *event.files]))
    if event.eta_s is not None:   # a negative one: no estimate (bridge/engine/eta.py)
        view.eta_s = float(event.eta_s) if event.eta_s >= 0 else None
        view.eta_at = time.monotonic()
    if kind in ENDING_KINDS:
        STATE.wallet_due = True  # spent or refunded: the balance has moved
    if kind == "submitted":
        view.state = event.state or "RUNNING"
    elif kind == "finished":
        view.state, view.progress = event.state or "DONE", 100
        view.error = ""  # a retry's or a waiting note's text is history now
        view.volume = volumes.read_report(view.files)  # a small JSON file, read once here
        # A chain's earlier step made an address, nothing to import (chains.py).
        if (chains.on_finished(view) and not view.imported
                and event.job_id not in STATE.pending_imports):
            if origin.belongs_here(view.meta):
                STATE.pending_imports.append(event.job_id)
            else:
                _leave_for_import(view)
    elif kind in _TERMINAL_MESSAGES:
        view.error = event.message or view.error
        view.state = event.state or kind.upper()
        chains.on_ended_badly(view)
        session.add_message(_TERMINAL_MESSAGES[kind],
                            f"{view.label or event.job_id}: {event.message or kind}")
    return True


def _import_next() -> None:
    """Hand the next finished job to the helper; the append comes in a later tick."""
    job_id = STATE.pending_imports.popleft()
    view = STATE.jobs.get(job_id)
    if view is None or view.imported or localjobs.get(job_id) is not None:
        return
    try:
        if importing.begin_import(job_id, automatic=True) is None:
            _leave_for_import(view)   # another file was opened since it finished
    except importing.ImportFailed as exc:
        view.error = str(exc)
        session.add_message("ERROR", f"{view.label or job_id}: {exc}")


def _leave_for_import(view) -> None:
    """A finished job sent from elsewhere: it waits in the list for the Import button."""
    if not view.left_for_import:
        view.left_for_import = True
        session.add_message("INFO", f"{view.label or view.job_id} finished; it was sent from "
                                    f"{origin.sender(view.meta)}, so it is not imported into this "
                                    "file by itself: Import it from the job list.")


def queue_own_results() -> None:
    """After a file is opened: the results that finished for it while another file was open."""
    for job_id in STATE.order:
        view = STATE.jobs.get(job_id)
        if (view is not None and view.left_for_import and view.state == "DONE"
                and not view.imported and job_id not in STATE.pending_imports
                and origin.belongs_here(view.meta)):
            view.left_for_import = False
            STATE.pending_imports.append(job_id)


def sync_rows(context=None) -> None:
    """Rebuild the UI list's rows (ids only) when jobs came or went."""
    if not STATE.rows_dirty:
        return
    wm = (context or bpy.context).window_manager
    runtime = getattr(wm, "aistudio", None)
    if runtime is None:
        return
    runtime.jobs.clear()
    for job_id in STATE.order:
        runtime.jobs.add().job_id = job_id
    STATE.rows_dirty = False


def redraw(context=None) -> None:
    wm = (context or bpy.context).window_manager
    for window in wm.windows:
        for area in window.screen.areas:
            if area.type in {"VIEW_3D", "STATUSBAR", "IMAGE_EDITOR"}:
                area.tag_redraw()


def pump_once(budget_s: float = TICK_BUDGET_S, do_imports: bool = True) -> bool:
    """Drain and apply events for up to ``budget_s``; True if anything changed."""
    if preferences.take_change("settings"):   # a preference was typed: the engine hears it now
        session.refresh_settings()
    if preferences.take_change("journal"):    # a journal folder typed: its settings and jobs now
        session.follow_journal()
    engine = STATE.engine  # None until the first submit, or a journal to resume
    STATE.online = session.online.network_allowed()
    changed = False
    deadline = time.perf_counter() + budget_s
    while engine is not None:
        events = engine.drain(max_events=_DRAIN_BATCH)
        for event in events:
            changed |= apply_event(event)
        if len(events) < _DRAIN_BATCH or time.perf_counter() >= deadline:
            break
    if wallet.apply_answers():
        changed = True
        # The balance is asked for after every job: an unreachable service is told once
        # (the panel keeps showing it), not once per job that ends.
        if STATE.wallet_error and STATE.wallet_error != STATE.wallet_error_told:
            session.add_message("WARNING", f"Balance not updated: {STATE.wallet_error}")
        STATE.wallet_error_told = STATE.wallet_error
    wallet.refresh_when_due()
    if do_imports:
        while STATE.pending_imports:   # cheap: each only hands a request to the helper
            _import_next()
            changed = True
        changed |= localjobs.poll()
    if STATE.rows_dirty:  # also after loading a file, with no event to say so
        sync_rows()
        changed = True
    if changed:
        redraw()
    return changed


def pump() -> float:
    """The timer callback: returns seconds until the next tick."""
    try:
        pump_once()
    except Exception as exc:  # noqa: BLE001
        # Blender drops a timer whose callback raises, and with it every job's
        # progress and import. Keep ticking and tell the user instead.
        traceback.print_exc()
        session.add_message("ERROR", f"Internal error while applying job updates: {exc}")
    return ACTIVE_INTERVAL_S if _anything_running() else IDLE_INTERVAL_S


def _anything_running() -> bool:
    engine = STATE.engine
    return bool(STATE.pending_imports or localjobs.busy()
                or (engine is not None and engine.active_count()))


#: How a job may end that a waiting script must hear about.
FAILED_STATES = ("FAILED", "EXPIRED", "UNKNOWN")


def wait_all(timeout: float, poll_s: float = 0.05) -> bool:
    """Pump until no job is active and every import is done; False on timeout."""
    return wait_for_jobs(timeout, poll_s)[0]


def wait_for_jobs(timeout: float, poll_s: float = 0.05) -> tuple[bool, list]:
    """Pump until every job unfinished now has ended and been imported.

    For ``blender --background`` scripts, where timers never fire. The jobs
    waited for are those the job list shows running *and* those the journal
    holds unfinished: right after start the engine has not claimed the jobs
    it resumes yet, so its own count alone would say "idle". Returns whether
    they all ended in time, and their views as they ended.
    """
    engine = STATE.engine
    targets = [job_id for job_id in STATE.order if STATE.jobs[job_id].active]
    if engine is not None:
        targets += [r.job_id for r in engine.jobs() if r.active and r.job_id not in targets]
    deadline = time.monotonic() + timeout
    while True:
        pump_once(budget_s=0.05)
        # A job that was preparing its files is the engine's job now: follow that one.
        targets = [localjobs.RENAMED.get(job_id, job_id) for job_id in targets]
        if not _busy(targets):
            pump_once(budget_s=0.05)  # events emitted while the last job closed
            if not STATE.pending_imports and not localjobs.busy():
                return True, [STATE.jobs[j] for j in targets if j in STATE.jobs]
        if time.monotonic() >= deadline:
            return False, [STATE.jobs[j] for j in targets if j in STATE.jobs]
        time.sleep(poll_s)


def _busy(targets: list) -> bool:
    if STATE.pending_imports or localjobs.busy():   # imports in the helper, local jobs
        return True
    engine = STATE.engine
    if engine is None:
        return False
    if engine.active_count():
        return True
    for job_id in targets:
        view = STATE.jobs.get(job_id)
        if view is not None and not view.active:
            continue
        record = engine.job(job_id)
        if record is None:
            continue
        if record.active:
            return True  # not claimed yet, or another process (CLI, Blender) is finishing it
        # Ended by another process, so no event of ours says so: show how it ended.
        session.add_view(session.view_from_record(record, view))
        STATE.rows_dirty = True
    return False


def job_failed(view) -> bool:
    """Whether a script waiting for this job must hear it did not arrive."""
    return view.state in FAILED_STATES or (view.state == "DONE" and bool(view.error)
                                           and not view.imported)


def is_registered() -> bool:
    return bpy.app.timers.is_registered(pump)


def start() -> None:
    if not is_registered():
        bpy.app.timers.register(pump, first_interval=ACTIVE_INTERVAL_S, persistent=True)
    if _on_load_post not in bpy.app.handlers.load_post:
        bpy.app.handlers.load_post.append(_on_load_post)


def stop() -> None:
    if _on_load_post in bpy.app.handlers.load_post:
        bpy.app.handlers.load_post.remove(_on_load_post)
    if is_registered():
        bpy.app.timers.unregister(pump)


@persistent
def _on_load_post(*_args) -> None:
    # A persistent timer survives loading a file, but re-check: a file loaded
    # with "Load UI" or a crash handler may have dropped it. Rows belong to the
    # old window manager, so they are rebuilt for the new one.
    STATE.rows_dirty = True
    queue_own_results()
    if not is_registered():
        bpy.app.timers.register(pump, first_interval=ACTIVE_INTERVAL_S, persistent=True)
