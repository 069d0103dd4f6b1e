"""The poll step: ask the service how a job is doing, timed around its expected finish."""

from __future__ import annotations

from ..errors import (
    AuthError,
    CancelledError,
    ConfigError,
    ExpiredError,
    NotFoundError,
    NotSentError,
    RateLimitedError,
    ServerError,
    TimeoutError_,
    TransportError,
)
from ..status import FAILED as SERVICE_FAILED
from ..status import FINISHED as SERVICE_FINISHED
from . import eta as learned_eta
from .model import (
    ADOPTED,
    DONE,
    DOWNLOADING,
    KEY_REFUSED_NOTE,
    REFUND_NOTE,
    RESULT_LIFETIME_S,
    RUNNING,
    Event,
)
from .schedule import EMPTY_RESULTS_MAX_POLLS, empty_results_delay, next_poll_delay, remaining_seconds
from .step_context import DOWNLOAD, KEY_WAIT, POLL, Next, StepContext, expire, fail, is_permanent, retry

MAX_NOT_FOUND = 3
#: A network can come back, a slow answer beat its deadline next time; the task keeps
#: its id, so asking again is always safe. A refused key is not among them: asking again
#: with it cannot help (see :func:`key_refused`).
PASSING = (ConfigError, NotSentError, ServerError, RateLimitedError, TransportError,
           TimeoutError_)


def first_poll(ctx: StepContext, expected: float) -> Next:
    return _poll_next(ctx, expected, 0.0, 0)


def _poll_next(ctx: StepContext, expected: float, elapsed: float, progress: int) -> Next:
    delay = next_poll_delay(expected, elapsed, progress, slot_s=ctx.slot_seconds(),
                            busy_jobs=ctx.busy_jobs(), floor_s=ctx.poll_floor(),
                            progress_every_s=ctx.progress_every())
    remaining = remaining_seconds(expected, elapsed, progress)
    return Next(POLL, delay, likely_done=delay >= remaining - 0.5)


def poll(ctx: StepContext, job_id: str, client) -> Next | None:
    row = ctx.journal.row(job_id)
    if row is None or row["state"] != RUNNING or not row["task_id"]:
        return None
    task_id = row["task_id"]
    try:
        status = client.status(task_id)
    except ExpiredError:
        return expire(ctx, job_id, row)
    except NotFoundError as exc:
        if row.get("origin") == ADOPTED and not row.get("submitted_at"):
            # Never seen: a mistyped id, or a task of another account's key.
            return fail(ctx, job_id, row, f"The service has no task {task_id} for this API key "
                                          "(HTTP 404): check the id, and that the task was made "
                                          "with this account's key. Nothing was charged.")
        if int(row.get("attempts") or 0) + 1 >= MAX_NOT_FOUND:
            return fail(ctx, job_id, row, f"{exc} The job cannot be followed any more.")
        return retry(ctx, job_id, row, POLL, exc, RUNNING)
    except CancelledError:
        return None
    except AuthError as exc:
        return key_refused(ctx, job_id, row, exc)
    except PASSING as exc:
        if is_permanent(exc):
            return fail(ctx, job_id, row, str(exc))
        return retry(ctx, job_id, row, POLL, exc, RUNNING)
    now = ctx.clock.wall()
    elapsed = now - float(row["submitted_at"] or now)
    expected = float(row["expected_s"])
    if status.state == SERVICE_FAILED:
        reason = status.failure_reason or "no reason given"
        return fail(ctx, job_id, row, f"The service reports the job failed: {reason}. {REFUND_NOTE}")
    if status.state == SERVICE_FINISHED and status.results:
        return _finished(ctx, job_id, row, status, now)
    if status.state == SERVICE_FINISHED:
        return _finished_without_results(ctx, job_id, row, now, status.unusable)
    if not row.get("submitted_at"):
        # An adopted task, seen unfinished: from now on its finish time is known to a poll.
        ctx.journal.update(job_id, now, only_states=[RUNNING], submitted_at=now)
        ctx.emit(Event("progress", job_id, task_id, RUNNING, status.progress,
                       message=f"Found task {task_id} on the service ({status.state} "
                               f"{status.progress}%); following it."))
    progress = max(int(row["progress"] or 0), min(99, status.progress))
    ctx.journal.update(job_id, now, only_states=[RUNNING], progress=progress, attempts=0, error="",
                       running_seen_at=now)
    if progress != int(row["progress"] or 0) or row["error"]:
        eta = learned_eta.for_event(ctx.journal, row, elapsed, progress)   # this user's history
        ctx.emit(Event("progress", job_id, task_id, RUNNING, progress, eta_s=eta))
    return _poll_next(ctx, expected, elapsed, progress)


def key_refused(ctx: StepContext, job_id: str, row: dict, exc: AuthError) -> Next | None:
    """The key was refused (401/403) while following a paid task: keep the task, stop asking.

    Never failed, never sent again: the job stays RUNNING with its task id, marked as
    waiting for a valid key, and this engine lets it go until the key changes.
    """
    task_id = row["task_id"]
    what = "image3d.io token" if row.get("provider") == "image3d" else "API key"
    message = (f"{KEY_REFUSED_NOTE}: the service refused the {what} while following task "
               f"{task_id} ({ctx.clean(exc.message).rstrip('.')}). The task is paid and kept; it "
               "is not asked about again with this key. Set a valid one (the add-on's "
               "preferences, or 3D_AI_STUDIO_API_KEY) and it is followed again: "
               "`python -m bridge resume --wait` from the command line.")
    if not ctx.journal.update(job_id, ctx.clock.wall(), only_states=[RUNNING], attempts=0,
                              error=message):
        return None
    ctx.emit(Event("progress", job_id, task_id, RUNNING, int(row.get("progress") or 0),
                   message=message))
    return Next(KEY_WAIT)


def _finished(ctx: StepContext, job_id: str, row: dict, status, now: float) -> Next | None:
    """Results listed: download them, or (``download`` off) keep their addresses only."""
    assets = [{"url": a.url, "asset_type": a.asset_type,
               **({"thumbnail": a.thumbnail} if a.thumbnail else {})} for a in status.results]
    # The service finished after the last look that saw the task unfinished (or after
    # our submit), so its 24 h count started no sooner: counted from there, the expiry
    # is never late. A task adopted already finished may have finished any time: unknown.
    last_unfinished = row.get("running_seen_at") or row.get("submitted_at")
    expires = float(last_unfinished) + RESULT_LIFETIME_S if last_unfinished else None
    task_id = row["task_id"]
    if not int(row.get("download", 1)):
        if ctx.journal.update(job_id, now, only_states=[RUNNING], state=DONE, progress=100,
                              assets=assets, attempts=0, error="", finished_at=now,
                              expires_at=expires):
            ctx.note_finished(job_id)
            learned_eta.forget()   # one more measured duration
            ctx.emit(Event("finished", job_id, task_id, DONE, 100, eta_s=0.0,
                           message="Finished on the service; its result is kept as an address "
                                   "(nothing downloaded)."))
        return None
    if ctx.journal.update(job_id, now, only_states=[RUNNING], state=DOWNLOADING, progress=100,
                          assets=assets, attempts=0, error="", finished_at=now,
                          expires_at=expires):
        ctx.note_finished(job_id)
        learned_eta.forget()   # one more measured duration
        ctx.emit(Event("progress", job_id, task_id, DOWNLOADING, 100, eta_s=0.0,
                       message="Finished on the service; downloading the results."))
        return Next(DOWNLOAD)
    return None


def _finished_without_results(ctx: StepContext, job_id: str, row: dict, now: float,
                              unusable: int = 0) -> Next | None:
    """FINISHED before its results were listed: look again, sooner and then later, but not forever.

    Results listed with addresses that are no usable URL count as none (said so).
    """
    checks = int(row.get("attempts") or 0) + 1
    task_id = row["task_id"]
    if unusable and checks > EMPTY_RESULTS_MAX_POLLS:
        return fail(ctx, job_id, row,
                    f"The service reports task {task_id} finished but listed its {unusable} "
                    "result(s) at addresses that are not valid URLs, in every one of "
                    f"{checks - 1} checks over several minutes, so nothing could be downloaded. "
                    f"Try `python -m bridge download --task-id {task_id}` later, or look the "
                    "task up on the service's website.")
    if checks > EMPTY_RESULTS_MAX_POLLS:
        return fail(ctx, job_id, row,
                    f"The service reports task {task_id} finished but listed no result files "
                    f"in {checks - 1} checks over several minutes, so the bridge stopped asking. "
                    "Look the task up on the service's website (3daistudio.com / image3d.io); "
                    "if it has no result there either, its support can refund it.")
    progress = max(int(row["progress"] or 0), 99)
    message = ("Finished on the service, which has not listed the result files yet; "
               f"checking again (check {checks} of {EMPTY_RESULTS_MAX_POLLS}).")
    if unusable:
        message = (f"Finished on the service, which listed {unusable} result address(es) that "
                   f"are not valid URLs; checking again (check {checks} of "
                   f"{EMPTY_RESULTS_MAX_POLLS}).")
    if not ctx.journal.update(job_id, now, only_states=[RUNNING], progress=progress,
                              attempts=checks, error=message):
        return None
    if checks == 1 or checks == EMPTY_RESULTS_MAX_POLLS // 2:
        ctx.emit(Event("progress", job_id, task_id, RUNNING, progress, message=message))
    return Next(POLL, max(empty_results_delay(checks), ctx.poll_floor()), likely_done=True)
