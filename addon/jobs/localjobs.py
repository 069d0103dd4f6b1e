"""Local jobs: work the helper Blender does for the add-on, shown in the job list.

A :class:`Work` is a few helper steps (import a model, run a print tool,
export a mesh, save a picture) and a ``finish`` that brings the results into
the user's file on the main thread: an append and a few property writes.
The pump calls :func:`poll` each tick: it moves steps along, mirrors their
progress into the job list and finishes at most one work per tick, so no
tick holds the main thread for long.

When the helper cannot start, crashes or hangs past its deadline, the work
says so once and runs its ``fallback`` instead: the old in-process path, on
the main thread, with every downloaded file kept. A step that fails on its
own merits (a broken file, a mesh too thin to hollow) fails the job with
that message; running it in-process would fail the same way.
"""

from __future__ import annotations

import dataclasses
import time
import traceback
import uuid
from typing import Callable

from ...bridge import errors
from ..helper import runtime, service
from . import session


@dataclasses.dataclass
class Step:
    kind: str
    args: dict
    folder: str
    before: Callable | None = None    # owner thread, plain Python: stage inputs
    after: Callable | None = None     # owner thread, plain Python: deliver outputs
    deadline_s: float | None = None   # None: the helper's default (30 min, for print tools)


#: Deadlines of steps that should never take long; past them the helper is stuck.
IMPORT_DEADLINE_S = 600.0
PICTURE_DEADLINE_S = 300.0


class Work:
    """Helper steps plus what the main thread does with their results."""

    def __init__(self, job_id: str, label: str, steps: list[Step], finish: Callable[[list], str],
                 fallback: Callable[[], str] | None = None, *, own_view: bool = True,
                 stage: str = "Working", fail: Callable[[str], None] | None = None):
        self.job_id = job_id
        self.label = label
        self.steps = list(steps)
        self.finish = finish          # main thread: results -> message for the user
        self.fallback = fallback      # main thread: the whole job in-process -> message
        self.fail_hook = fail         # main thread: undo what the operator set up
        self.own_view = own_view      # False: the row belongs to a network job (an import)
        self.stage = stage
        self.index = 0
        self.task: service.Task | None = None
        self.results: list[dict] = []
        self.started = time.monotonic()
        self.cancelled = False
        self.needs_fallback: errors.HelperError | None = None
        self.ready = False

    def view(self):
        return session.STATE.jobs.get(self.job_id)


_WORKS: dict[str, Work] = {}
#: Local ids of jobs that became the engine's once their files were ready (local -> engine id).
RENAMED: dict[str, str] = {}


def new_job_id() -> str:
    return f"local-{uuid.uuid4().hex[:8]}"


def track(job_id: str, label: str, meta: dict | None = None, state: str = "RUNNING"):
    """A row for a local job, at the top of the list."""
    view = session.track(job_id, label, "Blender", "local", "free", meta or {})
    view.state, view.progress, view.stage = state, 0, ""
    return view


def start(work: Work) -> Work:
    """Follow *work* from the pump; its first step is handed to the helper now."""
    _WORKS[work.job_id] = work
    _advance(work)
    return work


def reset() -> None:
    """Forget every local job (unregister: the helper is being shut down)."""
    _WORKS.clear()
    RENAMED.clear()


def busy() -> bool:
    return bool(_WORKS)


def get(job_id: str) -> Work | None:
    return _WORKS.get(job_id)


def cancel(job_id: str) -> bool:
    """Stop a local job (the helper is killed if it is busy with it); False if unknown."""
    work = _WORKS.get(job_id)
    if work is None:
        return False
    work.cancelled = True
    helper = runtime.current()
    if work.task is not None and helper is not None:
        helper.cancel(work.task)
    if work.task is None or work.task.done:
        _close(work, "CANCELLED", "Cancelled.")
    return True


def _enqueue(step: Step) -> service.Task:
    try:
        helper = runtime.get()
    except errors.HelperUnavailableError as exc:
        task = service.Task(step.kind, step.args, step.folder)
        task._finish(service.FAILED, error=exc)
        return task
    return helper.enqueue(step.kind, step.args, step.folder, step.deadline_s,
                         before=step.before, after=step.after)


def _advance(work: Work) -> None:
    """Move *work* on as far as finished tasks allow (no Blender work here)."""
    while True:
        task = work.task
        if task is None:
            if work.index >= len(work.steps):
                work.ready = True
                return
            work.task = _enqueue(work.steps[work.index])
            continue
        if not task.done:
            _show_progress(work, task)
            return
        if task.state == service.DONE:
            work.results.append(task.result or {})
            work.index += 1
            work.task = None
            continue
        if task.state == service.CANCELLED or work.cancelled:
            work.cancelled = True
            return
        if isinstance(task.error, errors.HelperError):
            work.needs_fallback = task.error
        return


def _show_progress(work: Work, task: service.Task) -> None:
    view = work.view()
    if view is None:
        return
    share = 100 / max(1, len(work.steps))
    overall = int(work.index * share + task.progress * share / 100)
    # Queued behind another job: there is one helper, and it does one thing at a time.
    helper = runtime.current()
    waiting = (task.state == service.QUEUED and helper is not None
               and helper.current_task not in (None, task))
    view.stage = "Waiting for the helper" if waiting else (task.note or work.stage)
    if work.own_view:
        view.progress = max(view.progress, min(99, overall))


def poll() -> bool:
    """One pump tick's worth: advance every work, finish or fall back at most one."""
    changed = False
    heavy_done = False
    for work in list(_WORKS.values()):
        _advance(work)
        changed = changed or work.task is not None
        if work.cancelled and (work.task is None or work.task.done):
            _close(work, "CANCELLED", "Cancelled.")
            changed = True
        elif work.task is not None and work.task.done and work.task.state == service.FAILED \
                and work.needs_fallback is None:
            _close(work, "FAILED", str(work.task.error))
            changed = True
        elif heavy_done:
            continue
        elif work.needs_fallback is not None:
            _run_fallback(work)
            heavy_done = changed = True
        elif work.ready:
            _run_finish(work)
            heavy_done = changed = True
    return changed


def run_now(work: Work, timeout: float | None = None) -> str:
    """Do *work* start to end, blocking: for scripts and background Blender."""
    _WORKS[work.job_id] = work
    try:
        while True:
            _advance(work)
            if work.ready or work.needs_fallback is not None or work.cancelled:
                break
            if work.task is not None and work.task.done and work.task.state == service.FAILED:
                raise work.task.error
            work.task.wait(timeout)
        if work.cancelled:
            raise errors.CancelledError("Cancelled.")
        if work.needs_fallback is not None:
            _notice(work, work.needs_fallback)
            return work.fallback()
        return work.finish(work.results)
    finally:
        _WORKS.pop(work.job_id, None)


def _notice(work: Work, error: errors.HelperError) -> None:
    # "Cannot start" is said once per session; a crash or a hang once per job.
    if isinstance(error, errors.HelperUnavailableError) and not runtime.first_unavailable_notice():
        return
    session.add_message("WARNING", f"{error} {work.label}: done on Blender's main thread instead "
                                   "(Blender may pause while it runs).")


def _run_fallback(work: Work) -> None:
    error = work.needs_fallback
    if work.fallback is None:
        _close(work, "FAILED", str(error))
        return
    _notice(work, error)
    _guarded(work, work.fallback)


def _run_finish(work: Work) -> None:
    _guarded(work, lambda: work.finish(work.results))


def _guarded(work: Work, action: Callable[[], str]) -> None:
    try:
        message = action()
    except errors.BridgeError as exc:
        _close(work, "FAILED", str(exc))
        return
    except Exception as exc:  # noqa: BLE001  a bug must not take the pump down with it
        traceback.print_exc()
        _close(work, "FAILED", f"Internal error: {exc}")
        return
    if message is RETRY:
        work.ready = True   # try again next tick (e.g. the object is in Edit Mode)
        return
    _close(work, "DONE", message or "")


#: Returned by a finish that cannot run yet; the pump tries again next tick.
RETRY = "\0retry"


def _close(work: Work, state: str, message: str) -> None:
    _WORKS.pop(work.job_id, None)
    view = work.view()
    seconds = time.monotonic() - work.started
    if state != "DONE" and work.fail_hook is not None:
        try:
            work.fail_hook(message)
        except Exception:  # noqa: BLE001
            traceback.print_exc()
    if view is not None:
        view.stage = ""
        view.seconds = seconds
        if work.own_view:
            view.state = state
            view.progress = 100 if state == "DONE" else view.progress
        if state == "FAILED":
            view.error = message
        elif state == "DONE":
            view.error = ""
    level = {"DONE": "INFO", "FAILED": "ERROR", "CANCELLED": "WARNING"}[state]
    if message or state != "DONE":
        session.add_message(level, f"{work.label}: {message or state.lower()} ({seconds:.1f} s)")
