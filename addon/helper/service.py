"""The thread that owns the helper Blender, and the tasks it runs there.

Modelled on dream-textures' generator process: callers get a :class:`Task`
(a future) at once; one owner thread starts the helper when work arrives,
sends it one task at a time, follows its progress, enforces the deadline,
kills it on cancel, and stops it after a while without work. Errors cross
the boundary with their name, message and trace.

House rule: nothing here imports bpy or touches Blender data. Blender's
main thread only enqueues tasks and reads their fields; everything it needs
from Blender (the binary's path, folders) is handed in as plain values.
"""

from __future__ import annotations

import atexit
import itertools
import queue
import threading
import time
import weakref
from pathlib import Path

from ...bridge import errors
from . import process, protocol

DEFAULT_DEADLINE_S = 1800.0     # the longest any task may take (a 2M-face repair takes minutes)
DEFAULT_IDLE_S = 300.0          # reused between jobs, then let go (its memory goes back)
DEFAULT_START_TIMEOUT_S = 60.0
_POLL_S = 0.05   # how often the owner thread looks at cancel and the deadline

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "QUEUED", "RUNNING", "DONE", "FAILED", "CANCELLED"
_ids = itertools.count(1)
_LIVE: "weakref.WeakSet[Helper]" = weakref.WeakSet()


class Task:
    """A request to the helper, filled in by the owner thread as it runs."""

    def __init__(self, kind: str, args: dict, folder: str, deadline_s: float | None = None,
                 before=None, after=None):
        self.id = next(_ids)
        self.kind = kind
        self.args = args
        self.folder = str(folder)
        self.deadline_s = deadline_s
        # Plain-Python hooks run by the owner thread (never bpy): stage input files
        # before the helper sees the task, deliver outputs after it succeeded.
        self.before = before
        self.after = after
        self.state = QUEUED
        self.progress = 0
        self.note = ""
        self.result: dict | None = None
        self.error: BaseException | None = None
        self.trace = ""
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.cancel_requested = False
        self._done = threading.Event()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        return self._done.wait(timeout)

    def seconds(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.ended_at or time.monotonic()) - self.started_at

    def _finish(self, state: str, result: dict | None = None, error: BaseException | None = None) -> None:
        self.state, self.result, self.error = state, result, error
        self.ended_at = time.monotonic()
        if state == DONE:
            self.progress = 100
        self._done.set()

    def __repr__(self) -> str:
        return f"<Task {self.id} {self.kind} {self.state}>"


def task_error(answer: dict) -> BaseException:
    """The exception an error answer stands for, trace attached (as ``__notes__``)."""
    name = answer.get("error_type") or ""
    message = answer.get("message") or "The helper Blender reported an error."
    known = {"PrintPrepError": errors.PrintPrepError, "ValidationError": errors.ValidationError,
             "ImportFailedError": errors.ImportFailedError}
    error = known.get(name, errors.HelperTaskError)(message)
    trace = answer.get("trace") or ""
    if trace:
        error.add_note(trace)
    return error


class Helper:
    """One owner thread, at most one helper process, tasks run in the order given."""

    def __init__(self, argv: list[str], log_path: Path | None = None,
                 idle_s: float = DEFAULT_IDLE_S, start_timeout_s: float = DEFAULT_START_TIMEOUT_S,
                 deadline_s: float = DEFAULT_DEADLINE_S, env: dict | None = None):
        self.argv = list(argv)
        self.log_path = log_path
        self.idle_s = idle_s
        self.start_timeout_s = start_timeout_s
        self.deadline_s = deadline_s
        self.env = env
        self.unavailable: errors.HelperUnavailableError | None = None   # set once it failed to start
        self.peak_kb = 0
        self.starts = 0
        self._queue: queue.Queue = queue.Queue()
        self._proc: process.HelperProcess | None = None
        self._current: Task | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="aistudio-helper", daemon=True)
        self._thread.start()
        _LIVE.add(self)

    # -- called from Blender's main thread ---------------------------------------

    def enqueue(self, kind: str, args: dict, folder: str, deadline_s: float | None = None,
                before=None, after=None) -> Task:
        task = Task(kind, args, folder, deadline_s, before, after)
        if self._stopping.is_set():
            task._finish(FAILED, error=errors.HelperUnavailableError("The helper Blender was shut down."))
            return task
        self._queue.put(task)
        return task

    def cancel(self, task: Task) -> None:
        """Stop *task*: dropped if still queued, the helper killed if it is running it.

        Only a flag here (no waiting on Blender's main thread): the owner thread
        checks it between answers, kills the helper and files the task as cancelled.
        """
        task.cancel_requested = True

    @property
    def pid(self) -> int | None:
        proc = self._proc
        return proc.pid if proc is not None and proc.alive() else None

    @property
    def current_task(self) -> Task | None:
        return self._current

    def busy(self) -> bool:
        return self._current is not None or not self._queue.empty()

    def shutdown(self, timeout: float = 2.0) -> None:
        """Kill the helper and stop the owner thread (tasks still queued fail)."""
        self._stopping.set()
        self._queue.put(None)
        self._kill()
        self._thread.join(timeout)
        self._kill()   # in case the thread started one while we waited

    def kill_now(self) -> None:
        """At interpreter exit: no waiting, no joining."""
        self._stopping.set()
        proc = self._proc
        if proc is not None and proc.proc is not None and proc.alive():
            try:
                proc.proc.kill()
            except OSError:
                pass

    # -- the owner thread ----------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                task = self._queue.get(timeout=self.idle_s if self._proc is not None else None)
            except queue.Empty:
                self._kill()   # idle long enough: give the memory back
                continue
            if task is None:
                break
            if task.cancel_requested:
                task._finish(CANCELLED, error=errors.CancelledError("Cancelled."))
                continue
            with self._lock:
                self._current = task
            try:
                self._serve(task)
            finally:
                with self._lock:
                    self._current = None
        self._kill()
        while True:   # whatever is left will never run
            try:
                task = self._queue.get_nowait()
            except queue.Empty:
                break
            if task is not None:
                task._finish(FAILED, error=errors.HelperUnavailableError("The helper Blender was shut down."))

    def _ensure_process(self) -> process.HelperProcess:
        if self._proc is not None and self._proc.alive():
            return self._proc
        self._kill()
        if self.unavailable is not None:
            raise self.unavailable
        proc = process.HelperProcess(self.argv, self.log_path, self.env)
        with self._lock:
            self._proc = proc
        try:
            proc.start(self.start_timeout_s)
        except errors.HelperUnavailableError as exc:
            with self._lock:
                self._proc = None
            if not self._stopping.is_set():
                self.unavailable = exc   # a locked-down machine stays locked: say it once
            raise
        if self._stopping.is_set():
            self._kill()
            raise errors.HelperUnavailableError("The helper Blender was shut down.")
        self.starts += 1
        return proc

    def _serve(self, task: Task) -> None:
        task.started_at = time.monotonic()
        task.state = RUNNING
        try:
            if task.before is not None:
                task.before()
        except OSError as exc:
            task._finish(FAILED, error=errors.HelperTaskError(
                f"The job's files could not be prepared: {exc.strerror or exc}."))
            return
        try:
            proc = self._ensure_process()
            proc.send(protocol.request(task.id, task.kind, task.folder, task.args))
        except errors.HelperError as exc:
            self._end(task, exc)
            return
        # A task may ask for less time than the helper's own limit, never for more.
        deadline = task.started_at + min(task.deadline_s or self.deadline_s, self.deadline_s)
        while True:
            if task.cancel_requested:
                self._kill(grace=0.0)   # the only way to stop Blender mid-operator
                self._end(task, errors.CancelledError("Cancelled."))
                return
            try:
                answer = proc.next_answer(min(_POLL_S, max(0.0, deadline - time.monotonic())))
            except errors.HelperCrashedError as exc:
                self._kill(grace=0.0)   # reap it now: no zombie waits for the next task
                self._end(task, exc)
                return
            self.peak_kb = max(self.peak_kb, proc.peak_kb)
            if answer is None:
                if time.monotonic() >= deadline:
                    self._kill(grace=0.0)
                    self._end(task, errors.HelperTimeoutError(
                        f"The helper Blender did not finish within {deadline - task.started_at:.0f} s "
                        "and was stopped."))
                    return
                continue
            if answer.get("id") != task.id:
                continue
            kind = answer.get("kind")
            if kind == protocol.PROGRESS:
                task.progress = int(answer.get("progress") or task.progress)
                task.note = str(answer.get("note") or task.note)
            elif kind == protocol.DONE:
                self._deliver(task, answer.get("result") or {})
                return
            elif kind == protocol.ERROR:
                task.trace = answer.get("trace") or ""
                task._finish(FAILED, error=task_error(answer))
                return

    def _deliver(self, task: Task, result: dict) -> None:
        try:
            if task.after is not None:
                result = task.after(result) or result
        except OSError as exc:
            task._finish(FAILED, error=errors.HelperTaskError(
                f"The result could not be put in place: {exc.strerror or exc}."))
            return
        task._finish(DONE, result=result)

    def _end(self, task: Task, error: BaseException) -> None:
        if task.cancel_requested:
            task._finish(CANCELLED, error=errors.CancelledError("Cancelled."))
        else:
            task._finish(FAILED, error=error)

    def _kill(self, grace: float = 0.5) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill(grace)


@atexit.register
def _kill_all_at_exit() -> None:
    # Blender quitting runs Python's atexit: no helper may outlive it.
    for helper in list(_LIVE):
        helper.kill_now()
