"""Cancelling one job: its journal row, its local work, and the jobs waiting for it.

The service has no cancel endpoint: a job sent is abandoned (paid), one not
sent yet costs nothing, and the row says which. Given the step context and
the job table, never the engine.
"""

from __future__ import annotations

from pathlib import Path

from . import files as resultfiles
from . import inputs
from .model import ACTIVE_STATES, CANCEL_NOTE, CANCELLED, UNSENT_CANCEL_NOTE, UNSENT_STATES, Event
from .step_context import StepContext


def cancel(ctx: StepContext, table, job_id: str) -> bool:
    """Cancel ``job_id``; False if it had already ended (or is unknown)."""
    journal = ctx.journal
    record = journal.record(job_id)
    if record is None:
        return False
    # Unsent (guarded, so a POST starting meanwhile is not called free), else as sent.
    note = UNSENT_CANCEL_NOTE
    if not journal.update(job_id, ctx.clock.wall(), only_states=UNSENT_STATES,
                          state=CANCELLED, error=note):
        note = CANCEL_NOTE
        if not journal.update(job_id, ctx.clock.wall(), only_states=ACTIVE_STATES,
                              state=CANCELLED, error=note):
            return False
    ctx.emit(Event("cancelled", job_id, record.task_id, CANCELLED, record.progress,
                   files=record.files, message=note))
    table.signal_cancel(job_id)
    table.drop(job_id)
    journal.release(ctx.owner, [job_id])
    if record.output_dir:
        resultfiles.remove_partials(Path(record.output_dir), job_id)
    row = journal.row(job_id)
    if row is not None:
        inputs.settle_dependents(ctx, row)
    return True
