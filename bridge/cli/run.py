"""Submit, wait, download: the one place the CLI waits for a job.

Jobs go through the job engine (``bridge.engine``): journaled before they
are sent, so ``python -m bridge resume`` can finish what a crash or Ctrl-C
left. :func:`download_results` serves the ``download`` command, which
fetches a task by id without the journal.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Callable

from ..api.base import ApiRequest
from ..client import ProviderClient, client_for
from ..clock import SYSTEM_CLOCK, Clock
from ..config import Settings
from ..engine import Event, JobEngine, JobRecord, holds
from ..engine import files as resultfiles
from ..engine.model import UNSENT_STATES
from ..errors import (
    CancelledError,
    ExpiredError,
    JobFailedError,
    KeyWaitError,
    TimeoutError_,
    UncertainDeliveryError,
)
from ..status import TaskStatus

Progress = Callable[[str], None]
DEFAULT_TIMEOUT = 3600.0
#: A submit without --wait gives up after this long without a task id (the service out
#: of reach, no slot in the key's rate budget); the job is then cancelled, not sent.
SUBMIT_DEADLINE = 120.0


def _quiet(_message: str) -> None:
    pass


def open_engine(settings: Settings, clock: Clock = SYSTEM_CLOCK) -> JobEngine:
    """The CLI's job engine on the journal under ``settings.home`` (started).

    A long pause the service asks for reaches the user once, as the engine's
    ``notice`` event (narrated like progress), not also from the transport.
    """
    def factory(provider, settings, clock, cancel):
        # Looked up at call time, so tests can swap in a fake client.
        return client_for(provider, settings, clock=clock, cancel=cancel)
    return JobEngine(settings, home=settings.home, clock=clock, client_factory=factory,
                     workers=2).start()


def run_to_completion(request: ApiRequest, settings: Settings, output_dir: str | Path | None,
                      on_progress: Progress | None = None, *, clock: Clock = SYSTEM_CLOCK,
                      timeout: float = DEFAULT_TIMEOUT,
                      cancel: threading.Event | None = None) -> list[Path]:
    """Submit ``request`` through the journal, wait for it, return the saved files.

    The job is journaled first. Sent, a crash or Ctrl-C leaves it to
    ``python -m bridge resume``; not sent yet, it is cancelled (nothing is
    charged, and no other process sends it: see :mod:`bridge.engine.holds`).
    ``cancel`` stops waiting. ``output_dir`` None: ``<home>/results/<job>``.
    """
    with _Session(settings, clock) as run:
        job_id = run.submit(request, output_dir)
        narrate = Narrator(on_progress or _quiet, request.LABEL)
        run.engine.wait([job_id], timeout=timeout, on_event=narrate, stop=cancel)
    return delivered(run.settle(job_id, timeout))


def submit_and_record(request: ApiRequest, settings: Settings, output_dir: str | Path | None,
                      on_progress: Progress | None = None, *, clock: Clock = SYSTEM_CLOCK,
                      timeout: float = SUBMIT_DEADLINE) -> str:
    """Journal and send ``request``; its task id. ``resume`` fetches the results later.

    ``timeout`` is the submit's total deadline (the service out of reach, no
    slot in the key's rate budget): past it, a job not sent is cancelled and
    the error says why and how to send it.
    """
    with _Session(settings, clock) as run:
        job_id = run.submit(request, output_dir)
        run.engine.wait_submitted(job_id, timeout=timeout,
                                  on_event=Narrator(on_progress or _quiet, request.LABEL))
    record = run.settle(job_id, timeout)
    if record.task_id:
        return record.task_id
    return delivered(record) and ""  # raises: why there is no task id


def run_chain(steps, settings: Settings, output_dir: str | Path | None,
              on_progress: Progress | None = None, *, clock: Clock = SYSTEM_CLOCK,
              timeout: float = DEFAULT_TIMEOUT, wait: bool = True) -> list[JobRecord]:
    """Journal a chain and run it: with ``wait`` to its end, else until its first steps are sent.

    The records of its steps, first to last. Steps still waiting when this
    returns stay in the journal for ``python -m bridge resume``; a chain
    stopped before any step was sent is cancelled (nothing charged).
    """
    with _Session(settings, clock) as run:
        job_ids = run.engine.submit_chain(steps, output_dir=output_dir, meta=holds.ask_meta())
        run.job_ids = job_ids
        labels = {job_id: f"step {n + 1}/{len(steps)} ({step.title})"
                  for n, (job_id, step) in enumerate(zip(job_ids, steps))}
        narrate = ChainNarrator(on_progress or _quiet, labels)
        if wait:
            run.engine.wait(job_ids, timeout=timeout, on_event=narrate)
        else:
            for job_id, step in zip(job_ids, steps):
                if not step.inputs:
                    run.engine.wait_submitted(job_id, timeout=timeout, on_event=narrate)
    holds.abandon(run.engine.journal, job_ids, clock.wall(), _gave_up_note(timeout))
    return run.engine.chain(run.engine.job(job_ids[0]).chain)


class _Session:
    """One command's engine: shut down on the way out, then what it gave up unsent is cancelled.

    Shut down first, so a retry under way (the service out of reach) stops
    and its job settles as not sent; then Ctrl-C cancels the jobs not sent
    and says so in the interruption (``settle`` does it for a timeout).
    """

    def __init__(self, settings: Settings, clock: Clock):
        self.engine = open_engine(settings, clock)
        self.job_ids: list[str] = []

    def submit(self, request: ApiRequest, output_dir) -> str:
        job_id = self.engine.submit(request, output_dir=output_dir, meta=holds.ask_meta())
        self.job_ids.append(job_id)
        return job_id

    def __enter__(self) -> "_Session":
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        self.engine.shutdown()
        if kind is not None and issubclass(kind, KeyboardInterrupt):
            dropped = holds.abandon(self.engine.journal, self.job_ids, self.engine.clock.wall())
            if dropped:
                raise KeyboardInterrupt(
                    f"Not sent: job {', '.join(dropped)} (nothing was charged); `python -m "
                    f"bridge resume {dropped[0]}` sends it.") from None
        return False

    def settle(self, job_id: str, timeout: float) -> JobRecord:
        """The job's record; one still unsent when the command stopped waiting is cancelled."""
        record = self.engine.job(job_id)
        if record is not None and record.state in UNSENT_STATES:
            last = " ".join(record.error.split()).rstrip(".")
            reason = f": {last[:1].lower()}{last[1:]}" if last else \
                " (no slot in the key's rate budget, or no answer from the service)"
            holds.cancel_unsent(self.engine.journal, job_id, _gave_up_note(timeout, reason),
                                self.engine.clock.wall())
            record = self.engine.job(job_id)
        return record


def _gave_up_note(timeout: float, reason: str = "") -> str:
    return (f"Not sent within {timeout:.0f} s{reason}; nothing was charged. "
            "`python -m bridge resume {job}` sends it.")


class Narrator:
    """Engine events as the CLI's progress lines: one line per change."""

    def __init__(self, say: Progress, label: str = ""):
        self.say, self.label, self.last = say, label, None

    def __call__(self, event: Event) -> None:
        task = event.task_id or event.job_id
        if event.kind == "submitted":
            line = f"Submitted {self.label}: task {event.task_id} (job {event.job_id})"
        elif event.kind == "progress" and event.state == "DOWNLOADING":
            line = f"{task}: FINISHED 100%"
        elif event.kind == "progress":
            word = "PENDING" if event.state == "QUEUED" or not event.progress else "IN_PROGRESS"
            line = f"{task}: {word} {event.progress}%" + (f" ({event.message})" if event.message else "")
        elif event.kind == "downloaded":
            line = "\n".join(f"Saved {path}" for path in event.files)
        elif event.kind == "notice":  # about the engine, not one job (a locked journal...)
            line = f"Note: {event.message}"
        else:
            return  # endings are reported by the caller, once
        if line != self.last:
            self.last = line
            self.say(line)


class ChainNarrator(Narrator):
    """Progress lines named after the chain's step each event is about."""

    def __init__(self, say: Progress, labels: dict[str, str]):
        super().__init__(say)
        self.labels = labels

    def __call__(self, event: Event) -> None:
        self.label = self.labels.get(event.job_id, event.job_id)
        # A step kept as an address ends without files: say so here. Other endings
        # (the result, or why there is none) are the caller's to report, once.
        if (event.kind == "finished" and not event.files) or (
                event.kind == "progress" and event.state == "QUEUED" and event.message):
            line = f"{self.label}: {event.state or event.kind.upper()}" + \
                (f" ({event.message})" if event.message else "")
            if line != self.last:
                self.last = line
                self.say(line)
            return
        super().__call__(event)


def delivered(record: JobRecord) -> list[Path]:
    """The files of a DONE job; otherwise the error that says why there are none."""
    if record.state == "DONE":
        return [Path(f) for f in record.files]
    if record.waiting_for_key:
        raise KeyWaitError(f"Stopped waiting for job {record.job_id}: {record.error}", advice="")
    reason = record.error or f"The job ended {record.state}."
    if record.state == "FAILED":
        raise JobFailedError(reason, advice="")
    if record.state == "EXPIRED":
        raise ExpiredError(reason, status=410, advice="")
    if record.state == "UNKNOWN":
        raise UncertainDeliveryError(reason, advice="")
    if record.state == "CANCELLED":
        raise CancelledError(reason)
    if record.state == "SUBMITTING":   # the deadline came while the POST was under way
        raise UncertainDeliveryError(
            f"Job {record.job_id}'s submit was under way when the command stopped waiting; it "
            "may have reached the service, so it is never sent again. `python -m bridge jobs` "
            "shows it (UNKNOWN once nobody holds it); check the service's website.", advice="")
    raise TimeoutError_(f"Job {record.job_id} is still {record.state}.",
                        advice="It keeps running; collect it later with: python -m bridge resume --wait")


def download_results(client: ProviderClient, status: TaskStatus, output_dir: str | Path,
                     on_progress: Progress | None = None) -> list[Path]:
    """Save every result asset as ``<task_id>_<asset_type lower>_<n>.<ext>``.

    The same naming, checks and safe unzipping as the engine's downloads
    (``bridge.engine.files``): the URL only lends its extension when it is a
    known one, otherwise the bytes decide, so a crafted URL can never choose
    a path or a suffix.
    """
    say = on_progress or _quiet
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    saved: list[Path] = []
    for asset in status.results:
        kind = resultfiles.kind_part(asset.asset_type)   # numbered as named: no overwrites
        counts[kind] = counts.get(kind, 0) + 1
        ext = asset.extension()
        if ext not in resultfiles.KNOWN_EXTS:
            temp = client.download(asset.url, out / resultfiles.result_name(
                status.task_id, kind, counts[kind], "part"))
            ext = resultfiles.sniff_ext(temp) or "bin"
            dest = temp.replace(out / resultfiles.result_name(status.task_id, kind,
                                                              counts[kind], ext))
        else:
            dest = client.download(asset.url, out / resultfiles.result_name(
                status.task_id, kind, counts[kind], ext))
        try:
            resultfiles.check_file(dest, asset.asset_type)
        except resultfiles.IntegrityError:
            dest.unlink(missing_ok=True)   # never keep a file that failed its check
            raise
        members = []
        if dest.suffix == ".zip":
            try:
                members = resultfiles.extract_zip(dest)
            except resultfiles.IntegrityError:
                dest.unlink(missing_ok=True)   # an unsafe archive is not kept either
                raise
        for path in (dest, *members):
            say(f"Saved {path}")
            saved.append(path)
    return saved
