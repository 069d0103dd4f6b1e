"""Chains: requests whose input address is another request's result.

The model tools that take addresses only (texture edit, topology, bake)
reach a local mesh through a ``convert`` that uploads it: its result URL is
the next step's input. A :class:`ChainStep` names the request, which of its
fields wait for an earlier step's address, and whether its files are wanted
at all (an intermediate copy is only an address). The job engine journals
every step at once (``JobEngine.submit_chain``) and sends each when its
inputs are known.

Until then a waiting field holds a *placeholder*: an address under the
reserved ``.invalid`` domain, so the request passes local validation (which
checks every other field before anything is paid) and could never reach
anybody even if it were sent — the engine refuses to send it.
"""

from __future__ import annotations

import dataclasses
from typing import Iterable

from ..errors import ValidationError
from .base import ApiRequest, Credits

PLACEHOLDER_HOST = "awaiting-input.invalid"


@dataclasses.dataclass
class ChainStep:
    request: ApiRequest
    #: What the user reads for this step: "copy on the service", "texture edit".
    label: str = ""
    #: Request field → index (in the chain) of the earlier step whose result address fills it.
    inputs: dict[str, int] = dataclasses.field(default_factory=dict)
    #: False: nobody needs this step's files, only its address (it is not downloaded).
    download: bool = True

    @property
    def title(self) -> str:
        return self.label or self.request.LABEL


def placeholder(field: str) -> str:
    """The stand-in for ``field`` until its address is known (passes URL checks, never sent)."""
    return f"https://{PLACEHOLDER_HOST}/{field}"


def is_placeholder(value) -> bool:
    return isinstance(value, str) and value.startswith(f"https://{PLACEHOLDER_HOST}/")


def placeholders_in(request: ApiRequest) -> list[str]:
    """Fields of ``request`` that still hold a placeholder (a request must not be sent so)."""
    return [f.name for f in dataclasses.fields(request) if is_placeholder(getattr(request, f.name))]


def with_inputs(request: ApiRequest, fields: Iterable[str]) -> ApiRequest:
    """``request`` with each of ``fields`` holding its placeholder; refuses unknown fields."""
    names = {f.name for f in dataclasses.fields(request)}
    changes = {}
    for field in fields:
        if field not in names:
            raise ValidationError(f"{type(request).__name__} has no field {field!r} to fill "
                                  "with another job's result address.")
        changes[field] = placeholder(field)
    return dataclasses.replace(request, **changes) if changes else request


def check_chain(steps: list[ChainStep]) -> list[ApiRequest]:
    """Validate every step (placeholders in its waiting fields); the requests as journaled.

    Refuses inputs that point at a later step or at the step itself, so a
    chain can always run from its first step to its last.
    """
    if not steps:
        raise ValidationError("A chain needs at least one step.")
    requests = []
    for n, step in enumerate(steps):
        for field, source in step.inputs.items():
            if not isinstance(source, int) or isinstance(source, bool) or not 0 <= source < n:
                raise ValidationError(f"Step {n + 1} ({step.title}) takes {field} from step "
                                      f"{source!r}; it must be an earlier step of the chain.")
        request = with_inputs(step.request, step.inputs)
        try:
            request.validate()
        except ValidationError as exc:
            if len(steps) == 1:
                raise
            raise ValidationError(f"Step {n + 1} of {len(steps)} ({step.title}): {exc.message}",
                                  advice=exc.advice) from None
        requests.append(request)
    return requests


def total_credits(steps: Iterable[ChainStep | ApiRequest]) -> Credits:
    """The chain's estimate: the sum of its steps' credits (before anything is spent)."""
    low = high = 0
    notes = []
    unit = "credits"
    for step in steps:
        request = step.request if isinstance(step, ChainStep) else step
        estimate = request.credits()
        low, high, unit = low + estimate.low, high + estimate.high, estimate.unit
        if estimate.note:
            notes.append(estimate.note)
    return Credits(low, high, "; ".join(notes) if len(notes) == 1 else "", unit)


def describe(steps: list[ChainStep]) -> str:
    """The steps and their credits for a confirmation: "copy on the service 10 → retexture 80"."""
    return " → ".join(f"{step.title} {_amount(step.request.credits())}" for step in steps)


def _amount(estimate: Credits) -> str:
    return f"{estimate.low}" if estimate.low == estimate.high else f"{estimate.low}–{estimate.high}"
