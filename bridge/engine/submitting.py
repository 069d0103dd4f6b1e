"""The submit step: one POST, journaled before and settled after, never twice."""

from __future__ import annotations

from .. import api  # noqa: F401  (registers every request type)
from ..api.base import ApiRequest
from ..api.chains import placeholders_in
from ..errors import (
    BridgeError,
    CancelledError,
    ConfigError,
    NotSentError,
    RateLimitedError,
    ServerError,
    TimeoutError_,
    TransportError,
    UncertainDeliveryError,
)
from . import eta as learned_eta
from .model import FAILED, QUEUED, RUNNING, SUBMITTING, UNKNOWN, UNKNOWN_NOTE, Event
from .polling import first_poll
from .schedule import retry_delay
from .step_context import LET_GO, SUBMIT, Next, Settlement, StepContext, Write, is_permanent

#: Errors after which sending again later can succeed and cannot charge twice: the
#: request provably never left (NotSent, Config: e.g. offline) or the service refused
#: it before acting (429, 5xx by the contract). Any other network failure of a POST —
#: a deadline, a reset — may hide an accepted task, so it is never a reason to resend.
PASSING = (NotSentError, ServerError, RateLimitedError, ConfigError)


def submit(ctx: StepContext, job_id: str, client) -> Next | None:
    row = ctx.journal.row(job_id)
    if row is None or row["state"] != QUEUED or row["task_id"]:
        return None  # cancelled meanwhile, or already sent: never twice
    try:
        request = ctx.request_of(job_id, row)
    except Exception as exc:  # noqa: BLE001 - a row this version cannot read: say so, let go
        return _unreadable(ctx, job_id, row, exc)
    if placeholders_in(request):
        # A chained job's input address is not filled in: it must never be sent so.
        message = (f"Internal error: {', '.join(placeholders_in(request))} has no address yet. "
                   "Nothing was sent or charged.")
        if ctx.journal.update(job_id, ctx.clock.wall(), only_states=[QUEUED], state=FAILED,
                              error=message):
            ctx.emit(Event("failed", job_id, None, FAILED, message=message))
        return None
    # Written (and synced) before the POST: a crash from here on leaves SUBMITTING → UNKNOWN.
    if not ctx.journal.update(job_id, ctx.clock.wall(), only_states=[QUEUED], owner=ctx.owner,
                              state=SUBMITTING):
        return None
    try:
        sub = client.submit(request)
    except CancelledError:
        return ctx.settle(Settlement(job_id, [Write({"state": QUEUED}, (SUBMITTING,))]))
    except Exception as exc:  # noqa: BLE001 - every outcome of a POST must be settled
        return ctx.settle(_after_error(ctx, job_id, row, exc))
    return ctx.settle(_after_success(ctx, job_id, row, sub.task_id))


def _unreadable(ctx: StepContext, job_id: str, row: dict, exc: Exception) -> Next | None:
    """A journaled request this version cannot build (a newer version's type, damaged fields).

    Not sent, nothing charged; the job stays QUEUED for a version that can send it, and
    this engine lets it go (its lease released) instead of trying again and again.
    """
    kind = str((row.get("request") or {}).get("type") or "") if isinstance(
        row.get("request"), dict) else ""
    message = ctx.clean(
        f"This job's request{f' (type {kind!r})' if kind else ''} cannot be read by this "
        f"version of the bridge ({type(exc).__name__}: {' '.join(str(exc).split())[:160]}); "
        "it was not sent and nothing was charged. A newer version of the add-on or the CLI "
        "can send it: `python -m bridge resume`.")
    if not ctx.journal.update(job_id, ctx.clock.wall(), only_states=[QUEUED], error=message):
        return None
    ctx.emit(Event("progress", job_id, None, QUEUED, 0, message=message))
    return Next(LET_GO)


def _after_success(ctx: StepContext, job_id: str, row: dict, task_id: str) -> Settlement:
    now = ctx.clock.wall()
    expected = float(row["expected_s"])
    return Settlement(
        job_id,
        # The task id is stored whatever happened meanwhile (a cancel): it names a paid job.
        # A job another engine marked UNKNOWN meanwhile (it took us for dead) is followed
        # all the same: a known task id is always polled, never abandoned.
        [Write({"task_id": task_id, "submitted_at": now, "attempts": 0, "error": ""}),
         Write({"state": RUNNING}, (SUBMITTING, UNKNOWN), required=True)],
        [Event("submitted", job_id, task_id, RUNNING, 0,
               eta_s=learned_eta.for_event(ctx.journal, row, 0.0, 0),
               message=f"Submitted as task {task_id}.")],
        first_poll(ctx, expected))


def _server_acted(exc: BaseException) -> bool:
    """True when the service may have created a task although we hold no task id.

    A lost answer, and a *successful* status (2xx, or none recorded) whose body
    held no readable task id: the server acted, so sending again could charge twice.
    """
    if isinstance(exc, (UncertainDeliveryError, TimeoutError_)):
        return True
    if isinstance(exc, TransportError) and not isinstance(exc, NotSentError):
        return True
    return isinstance(exc, ServerError) and int(getattr(exc, "status", 0) or 0) < 500


def _after_error(ctx: StepContext, job_id: str, row: dict, exc: Exception) -> Settlement:
    said = ctx.clean(str(exc))          # what the service or the network said: no credentials
    if _server_acted(exc):
        message = f"{ctx.clean(getattr(exc, 'message', '') or said)} {UNKNOWN_NOTE}"
        return Settlement(job_id, [Write({"state": UNKNOWN, "error": message}, (SUBMITTING,),
                                         required=True)],
                          [Event("unknown", job_id, None, UNKNOWN, message=message)])
    if isinstance(exc, PASSING) and not is_permanent(exc):
        # The transport already retried; the server provably created no task.
        attempts = int(row.get("attempts") or 0) + 1
        delay = retry_delay(attempts, ctx.rng)
        return Settlement(job_id, [Write({"state": QUEUED, "attempts": attempts, "error": said},
                                         (SUBMITTING,), required=True)],
                          [Event("progress", job_id, None, QUEUED, 0,
                                 message=f"{said} Trying again in {delay:.0f} s.")],
                          Next(SUBMIT, delay))
    if isinstance(exc, BridgeError):  # refused (400/401/402/...): nothing was created or charged
        message = f"{said} Nothing was charged."
    else:  # a bug on our side before or while sending: say so, never send again blindly
        message = (f"Internal error while submitting ({type(exc).__name__}: {said}). "
                   f"{UNKNOWN_NOTE}")
        return Settlement(job_id, [Write({"state": UNKNOWN, "error": message}, (SUBMITTING,),
                                         required=True)],
                          [Event("unknown", job_id, None, UNKNOWN, message=message)])
    return Settlement(job_id, [Write({"state": FAILED, "error": message}, (SUBMITTING,),
                                     required=True)],
                      [Event("failed", job_id, None, FAILED, message=message)])


def request_from_row(row: dict) -> ApiRequest:
    return ApiRequest.from_record(row["request"])
