"""Chained jobs: a waiting job is sent once the jobs whose result addresses it reads are done.

A job journaled with ``inputs`` (request field → id of another job) waits in
``WAITING``: nothing is sent, its fields hold placeholders. This step looks
at its inputs in the journal (so an input another process finishes counts
too): when every one has finished on the service (DONE, or DOWNLOADING its
files) it writes the request with their result URLs
and turns ``QUEUED`` (then it is submitted like any job); when one ended
badly it ends too, unpaid, with a message naming the step that failed, and
so does every unsent job that waited on it. Unsent steps of the same chain
that no longer serve anything are cancelled. Only journal writes guarded by
state: a step already being sent is never stopped half-way.
"""

from __future__ import annotations

import dataclasses

from ..api.base import ApiRequest
from ..api.chains import placeholders_in
from ..errors import BridgeError
from .model import (
    CANCELLED,
    DONE,
    DOWNLOADING,
    EXPIRED,
    FAILED,
    QUEUED,
    UNKNOWN,
    UNSENT_STATES,
    WAITING,
    Event,
    pick_model_url,
)
from .step_context import INPUTS, SUBMIT, Next, StepContext

#: Clock seconds between looks at the inputs; a job this engine follows that ends
#: makes the waiting jobs look at once (``JobTable.hurry``).
CHECK_EVERY_S = 2.0
#: An input address must stay valid at least this long after the step is sent.
FRESH_MARGIN_S = 600.0

_ENDED_BADLY = {FAILED: "failed", CANCELLED: "was cancelled", EXPIRED: "expired",
                UNKNOWN: "may or may not have reached the service"}


def check(ctx: StepContext, job_id: str) -> Next | None:
    row = ctx.journal.row(job_id)
    if row is not None and row["state"] == QUEUED:
        return Next(SUBMIT)   # filled already (the step that did it was cut short): send it
    if row is None or row["state"] != WAITING:
        return None
    inputs = dict(row["inputs"])
    sources = ctx.journal.rows(inputs.values())
    waiting = False
    for source_id in inputs.values():
        source = sources.get(source_id)
        if source is None:
            _end(ctx, row, FAILED, f"The job {source_id} whose result this job needs is not in "
                                   "the journal; nothing was charged for this job.")
            return None
        if source["state"] in _ENDED_BADLY:
            settle_dependents(ctx, source)
            return None
        # Its addresses are known from the moment it finished on the service: a step
        # whose files are still downloading does not hold the next one back.
        waiting = waiting or source["state"] not in (DONE, DOWNLOADING)
    if waiting:
        return Next(INPUTS, CHECK_EVERY_S)
    return _fill(ctx, row, {field: sources[source_id] for field, source_id in inputs.items()})


def _fill(ctx: StepContext, row: dict, sources: dict[str, dict]) -> Next | None:
    """Every input is done: put their addresses in the request, and send it."""
    now = ctx.clock.wall()
    fills = {}
    for field, source in sources.items():
        url = pick_model_url(source["assets"], _output_format(source))
        if not url:
            _end(ctx, row, FAILED, f"{_cap(_step(source))} finished without a model "
                                   f"address for {field}; {_nothing_for(row)}")
            return None
        expires = source.get("expires_at")
        if expires is not None and now + FRESH_MARGIN_S >= expires:
            _end(ctx, row, FAILED, f"The result address of {_step(source)} has expired (the "
                                   "service keeps results 24 hours); run it again. "
                                   + _cap(_nothing_for(row)))
            return None
        fills[field] = url
    try:
        request = dataclasses.replace(ApiRequest.from_record(row["request"]), **fills)
        request.validate()
    except (BridgeError, TypeError) as exc:
        _end(ctx, row, FAILED, f"{_cap(_step(row))} cannot be sent with the address "
                               f"{_step(next(iter(sources.values())))} gave: {exc} "
                               + _cap(_nothing_for(row)))
        return None
    if placeholders_in(request):    # cannot happen; a placeholder must never be sent
        _end(ctx, row, FAILED, f"Internal error: {', '.join(placeholders_in(request))} has no "
                               f"address. {_cap(_nothing_for(row))}")
        return None
    if not ctx.journal.update(row["job_id"], now, only_states=[WAITING], state=QUEUED,
                              request=request.to_record(), error=""):
        return None
    ready = " and ".join(_step(s) for s in sources.values())
    ctx.emit(Event("progress", row["job_id"], None, QUEUED, 0,
                   message=f"{_cap(ready)} done; sending {_step(row)}."))
    return Next(SUBMIT)


def settle_dependents(ctx: StepContext, source: dict) -> list[str]:
    """``source`` ended badly: end every unsent job that waits on it (directly or not),
    and cancel the unsent steps of its chain nothing needs any more; the ids ended."""
    cancelled = source["state"] == CANCELLED
    state = CANCELLED if cancelled else FAILED
    why = _why(source)
    ended: list[str] = []
    frontier = [source["job_id"]]
    while frontier:
        for job_id in ctx.journal.waiting_on(frontier.pop()):
            row = ctx.journal.row(job_id)
            if row is None or job_id in ended or row["state"] not in UNSENT_STATES:
                continue
            if _end(ctx, row, state, f"{why}; {_nothing_for(row)}"):
                ended.append(job_id)
                frontier.append(job_id)
    if source.get("chain") and ended:
        for record in ctx.journal.records_in_chain(source["chain"]):
            if record.state in UNSENT_STATES and record.job_id not in ended:
                row = ctx.journal.row(record.job_id)
                if row is not None and _end(ctx, row, CANCELLED, f"Not sent: {why}, so its chain "
                                                                 f"cannot finish; {_nothing_for(row)}"):
                    ended.append(record.job_id)
    return ended


def _end(ctx: StepContext, row: dict, state: str, message: str) -> bool:
    message = ctx.clean(message)
    if not ctx.journal.update(row["job_id"], ctx.clock.wall(), only_states=list(UNSENT_STATES),
                              state=state, error=message):
        return False
    ctx.emit(Event("cancelled" if state == CANCELLED else "failed", row["job_id"], None, state,
                   0, message=message))
    return True


def _why(source: dict) -> str:
    """"Step 1 of 2 (copy on the service) failed: <its reason>"."""
    reason = (source.get("error") or "").strip().rstrip(".")
    verb = _ENDED_BADLY.get(source["state"], "ended")
    return f"{_cap(_step(source))} {verb}" + (f": {reason}" if reason else "")


def _step(row: dict) -> str:
    """How a job is named in a chain's messages: "step 1 of 2 (copy on the service)"."""
    meta = row.get("meta") or {}
    if meta.get("chain_step"):
        label = meta.get("step_label") or row.get("label") or ""
        return f"step {meta['chain_step']} of {meta.get('chain_steps', '?')}" + \
            (f" ({label})" if label else "")
    return f"job {row['job_id']} ({row.get('label') or row.get('kind')})"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _nothing_for(row: dict) -> str:
    meta = row.get("meta") or {}
    if meta.get("chain_step"):
        return f"nothing was charged for step {meta['chain_step']}."
    return "nothing was charged for this job."


def _output_format(source: dict) -> str | None:
    fields = (source.get("request") or {}).get("fields") or {}
    value = fields.get("output_format")
    return value if isinstance(value, str) else None
