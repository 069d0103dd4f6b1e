"""Jobs whose files are still being made: checked now, submitted when the files exist.

A model tool's upload is exported by the helper Blender, an unsaved
picture is written by it; the operator returns at once and the job shows
"Preparing" in the list. Everything but those files is validated before
the operator returns (with small stand-in files of the same kind in their
place), so a bad option is reported at once and nothing is ever spent on
it. When the helper is done, the request is handed to the engine (which
validates it again, real files and all) and the row becomes the engine's job.
"""

from __future__ import annotations

import dataclasses
import struct
from pathlib import Path

import numpy as np

from ...bridge.errors import ValidationError
from ...bridge.pngcodec import encode_png
from .. import preferences
from ..helper import transfer
from . import localjobs, session


def _standin(kind: str) -> str:
    folder = preferences.user_folder("uploads")
    if kind == "model":
        path = folder / ".standin.glb"
        if not path.is_file():
            body = b'{"asset":{"version":"2.0"}}'
            body += b" " * (-len(body) % 4)
            path.write_bytes(struct.pack("<III", 0x46546C67, 2, 20 + len(body))
                             + struct.pack("<II", len(body), 0x4E4F534A) + body)
    else:
        path = folder / ".standin.png"
        if not path.is_file():
            path.write_bytes(encode_png(np.full((1, 1, 4), 255, np.uint8)))
    return str(path)


def _swap(value, paths: dict):
    if isinstance(value, str):
        return paths.get(value, value)
    if isinstance(value, list):
        return [_swap(v, paths) for v in value]
    if isinstance(value, tuple):
        return tuple(_swap(v, paths) for v in value)
    if isinstance(value, dict):
        return {k: _swap(v, paths) for k, v in value.items()}
    return value


def _with_paths(request, paths: dict):
    """*request* with the files in *paths* swapped (each step's, for a chain)."""
    if hasattr(request, "map_requests"):
        return request.map_requests(lambda step: _with_paths(step, paths))
    changes = {f.name: _swap(getattr(request, f.name), paths)
               for f in dataclasses.fields(request) if f.init}
    return dataclasses.replace(request, **changes)


def validate_with_standins(request, pending) -> None:
    """``request.validate()`` with each file still being made replaced by a stand-in."""
    _with_paths(request, {p.path: _standin(p.what) for p in pending}).validate()


def _take_place(local_id: str, job_id: str) -> None:
    """The engine job's row (just tracked at the top) takes the local row's place."""
    state = session.STATE
    state.jobs.pop(local_id, None)
    order = [j for j in state.order if j != job_id]
    state.order = [job_id if j == local_id else j for j in order]
    if job_id not in state.order:
        state.order.insert(0, job_id)
    state.rows_dirty = True
    localjobs.RENAMED[local_id] = job_id


def submit_when_ready(prepared, pending: list, hand_over, credits: str) -> str:
    """Follow the pending files as a local job; *hand_over()* (the submit guard's) once they exist."""
    request = prepared.request
    meta = dict(prepared.meta, model=prepared.model, name=prepared.label)
    local_id = localjobs.new_job_id()
    view = localjobs.track(local_id, prepared.label, meta, state="PREPARING")
    view.model, view.kind, view.credits = prepared.model, request.KIND, credits

    def finish(_results) -> str:
        missing = [p.path for p in pending if not Path(p.path).is_file()]
        if missing:
            raise ValidationError(f"{Path(missing[0]).name} was not written; nothing was sent.")
        job_id = hand_over()   # validates again, real files and all, then the engine has it
        _take_place(local_id, job_id)
        return f"submitted ({credits}); job {job_id}"

    def fallback() -> str:
        for item in pending:
            item.run_in_process()
        return finish([])

    def failed(_message):   # nothing was sent: the half-made uploads go
        transfer.discard(*[Path(p.path).parent if p.what == "model" else p.path for p in pending])

    work = localjobs.Work(local_id, prepared.label, [p.step for p in pending], finish, fallback,
                          stage="Preparing", fail=failed)
    localjobs.start(work)
    return local_id
