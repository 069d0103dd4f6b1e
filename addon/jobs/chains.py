"""Chained jobs in the add-on: one row for the whole chain, and what each step's end means.

A chain (a copy on the service, then the tool that reads its address) is
journaled as one job per step. The job list shows it as one job: the row
is its last step's, and it reads the steps ("copy on the service 1/2 →
retexture 2/2"), the progress of the step under way, the total cost and the
error of the step that failed. Only the last step's files are imported;
an earlier step's end leaves an address, kept on the mesh it copied
(``meshaddress.py``) so the next tool reuses it.
"""

from __future__ import annotations

import dataclasses

from ..blenderio import meshaddress
from . import session

_ENDED_WELL = ("DONE",)


@dataclasses.dataclass
class ChainSummary:
    name: str
    steps: list           # JobViews, first to last
    current: object       # the step under way (or the one that failed, or the last)
    state: str            # what the chain as a whole is doing
    progress: int         # the current step's progress
    cost: tuple           # (low, high) credits of every step together
    error: str

    def step_title(self, view) -> str:
        meta = view.meta or {}
        return f"{meta.get('step_label') or view.label} {meta.get('chain_step')}/{meta.get('chain_steps')}"

    @property
    def step_line(self) -> str:
        """"copy on the service 1/2 → retexture 2/2"."""
        return " → ".join(self.step_title(v) for v in self.steps)

    @property
    def cost_text(self) -> str:
        if not self.cost:
            return "?"
        low, high = self.cost
        return f"{low}" if low == high else f"{low}–{high}"


def chain_name(view) -> str:
    """The chain's name: what it was submitted as, without its step's suffix."""
    meta = view.meta or {}
    if meta.get("name"):
        return str(meta["name"])
    suffix = f" · {meta.get('step_label')} {meta.get('chain_step')}/{meta.get('chain_steps')}"
    return view.label[:-len(suffix)] if view.label.endswith(suffix) else view.label


def summary(view) -> ChainSummary | None:
    """The chain *view* (its row: the last step) stands for; None for a job on its own."""
    meta = view.meta or {}
    if not meta.get("chain") or int(meta.get("chain_steps") or 1) < 2:
        return None
    steps = session.chain_views(view)
    failed = next((v for v in steps if v.state not in _ENDED_WELL and not v.active), None)
    if view.active:
        current = next((v for v in steps if v.state not in _ENDED_WELL), view)
        state = current.state
    else:
        current, state = (failed or view), view.state
    costs = [v.cost for v in steps if v.cost]
    cost = (sum(c[0] for c in costs), sum(c[1] for c in costs)) if len(costs) == len(steps) else ()
    error = view.error or (failed.error if failed is not None else "")
    return ChainSummary(chain_name(view), steps, current, state, int(current.progress or 0),
                        cost, error)


def overall_progress(view) -> int:
    """A chain's progress as a whole (its steps weigh alike); a job's own otherwise."""
    chain = summary(view)
    if chain is None:
        return int(view.progress or 0)
    done = sum(100 if v.state == "DONE" else int(v.progress or 0) for v in chain.steps)
    return done // len(chain.steps)


def on_finished(view) -> bool:
    """A job finished: True when its files are to be imported (not a chain's copy step).

    A copy's address goes on the mesh it copied, so the next tool reuses it.
    """
    if view.download and not session.is_inner_step(view):
        return True
    engine = session.STATE.engine
    if (view.meta or {}).get("copies") and engine is not None:
        record = engine.job(view.job_id)
        if record is not None:
            meshaddress.remember_copy(record)
    return False


def on_ended_badly(view) -> None:
    """A chain that read a kept address failed because the service had dropped it early:
    forget that address, so the next run uploads the mesh again."""
    meta = view.meta or {}
    if session.is_inner_step(view) or not meta.get("reused") or "expire" not in view.error.lower():
        return
    names = meshaddress.forget_reused(meta)
    if names:
        session.add_message("WARNING", f"The service no longer holds the copy of {', '.join(names)} "
                                       "(it expired early). Nothing was charged for the step that "
                                       "failed; run the tool again and the mesh is uploaded anew.")
