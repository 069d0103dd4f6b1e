"""New journal rows: a job to send, the steps of a chain, a task adopted from elsewhere.

Everything here runs on the caller's thread before anything is sent, and
only checks and builds: a bad request, an input job that cannot deliver or
a task id that cannot be one is refused with a :class:`ValidationError`
(nothing journaled, nothing spent). The engine inserts the rows and plans
their first steps.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

from ..api.base import ApiRequest
from ..api.chains import ChainStep, with_inputs
from ..errors import ValidationError
from . import files as resultfiles
from .inputs import FRESH_MARGIN_S
from .journal import Journal
from .model import ADOPTED, CANCELLED, EXPIRED, FAILED, QUEUED, RUNNING, UNKNOWN, WAITING, JobRecord

PROVIDERS = ("3daistudio", "image3d")
#: Task ids are UUIDs on 3D AI Studio and short tokens on image3d.io; anything with
#: spaces, slashes or quotes is a paste accident (and would change the status URL).
TASK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{3,127}$")
#: Adopted tasks: we do not know what was asked, so the first look comes at once and
#: later ones on this beat.
ADOPTED_EXPECTED_S = 60.0


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def out_dir_for(home: Path, output_dir, name: str) -> Path:
    folder = (Path(output_dir) if output_dir else home / "results" / name).expanduser().resolve()
    resultfiles.check_output_dir(folder)   # before anything is paid
    return folder


def job_row(request: ApiRequest, *, job_id: str, out_dir: Path, label: str | None,
            meta: dict | None, inputs: dict[str, str], download: bool, now: float,
            chain: str = "") -> dict[str, Any]:
    """The row of a job to send: QUEUED, or WAITING for the jobs named in ``inputs``."""
    try:
        credits = request.credits()
        low, high = credits.low, credits.high
    except NotImplementedError:
        low = high = None
    return {
        "job_id": job_id, "task_id": None, "provider": request.PROVIDER,
        "kind": request.KIND, "label": label or request.summary(),
        "state": WAITING if inputs else QUEUED, "progress": 0, "credits_low": low,
        "credits_high": high, "files": [], "error": "", "created_at": now, "updated_at": now,
        "output_dir": str(out_dir), "request": request.to_record(), "meta": dict(meta or {}),
        "expected_s": float(request.expected_seconds()), "inputs": dict(inputs),
        "download": 1 if download else 0, "chain": chain,
    }


def with_placeholders(request: ApiRequest, inputs: dict[str, str]) -> ApiRequest:
    """``request`` ready to journal: its waiting fields hold placeholders, the rest checked."""
    request = with_inputs(request, inputs)
    request.validate()
    return request


def check_sources(journal: Journal, inputs: dict[str, str], now: float) -> None:
    """Refuse input jobs that do not exist or can never deliver an address (nothing is sent)."""
    if not inputs:
        return
    rows = journal.rows(inputs.values())
    for field, job_id in inputs.items():
        row = rows.get(job_id)
        if row is None:
            raise ValidationError(f"{field} is to come from job {job_id!r}, which is not in the "
                                  "journal.")
        if row["state"] in (FAILED, CANCELLED, EXPIRED, UNKNOWN):
            raise ValidationError(f"{field} is to come from job {job_id}, which ended "
                                  f"{row['state']}: it has no result address to give.")
        expires = row.get("expires_at")
        if expires is not None and now + FRESH_MARGIN_S >= expires:
            raise ValidationError(f"{field} is to come from job {job_id}, whose result address "
                                  "has expired (the service keeps results 24 hours).")


def chain_rows(steps: list[ChainStep], requests: list[ApiRequest], *, chain: str,
               out_dir: Path, label: str | None, meta: dict | None,
               now: float) -> tuple[list[str], list[dict[str, Any]]]:
    """Job ids and rows for the steps of a chain; ``requests`` are the steps' requests as
    ``bridge.api.chains.check_chain`` checked them (placeholders in)."""
    job_ids = [new_id() for _ in steps]
    base = label or requests[-1].summary()
    rows = []
    for n, (step, request) in enumerate(zip(steps, requests)):
        step_meta = {**(meta or {}), "chain": chain, "chain_step": n + 1,
                     "chain_steps": len(steps), "step_label": step.title}
        title = f"{base} · {step.title} {n + 1}/{len(steps)}" if len(steps) > 1 else base
        rows.append(job_row(request, job_id=job_ids[n], out_dir=out_dir, label=title,
                            meta=step_meta, inputs={f: job_ids[i] for f, i in step.inputs.items()},
                            download=step.download, now=now + n * 1e-6, chain=chain))
    return job_ids, rows


def check_task_id(task_id: str, provider: str) -> str:
    text = str(task_id or "").strip()
    if provider not in PROVIDERS:
        raise ValidationError(f"provider must be one of {', '.join(PROVIDERS)}; got {provider!r}.")
    if not TASK_ID.match(text):
        shown = text[:60] + ("…" if len(text) > 60 else "")
        raise ValidationError(f"{shown!r} is not a task id: copy the whole id the website or the "
                              "other machine shows (letters, digits and dashes, e.g. "
                              "3f2c9a4e-…).")
    return text


def adopt_row(task_id: str, provider: str, *, job_id: str, out_dir: Path, label: str | None,
              meta: dict | None, download: bool, now: float) -> dict[str, Any]:
    """A task submitted elsewhere, followed from now on: RUNNING, nothing charged here."""
    return {
        "job_id": job_id, "task_id": task_id, "provider": provider, "kind": "imported",
        "label": label or f"Task {task_id}", "state": RUNNING, "progress": 0,
        "credits_low": None, "credits_high": None, "files": [], "error": "",
        "created_at": now, "updated_at": now, "output_dir": str(out_dir),
        "request": {"type": "", "fields": {"task_id": task_id}}, "meta": dict(meta or {}),
        "expected_s": ADOPTED_EXPECTED_S, "submitted_at": None, "origin": ADOPTED,
        "download": 1 if download else 0,
    }


def existing(journal: Journal, provider: str, task_id: str) -> JobRecord | None:
    """A job already following ``task_id`` (adopting it twice would download it twice)."""
    return journal.following_task(provider, task_id)
