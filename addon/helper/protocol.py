"""The wire between the add-on and its helper Blender: one JSON object per line.

Requests go to the helper's stdin::

    {"id": 3, "task": "import_model", "folder": "/…/results", "args": {...}}

Answers come back on the helper's stdout, each line prefixed with
:data:`PREFIX` so that whatever Blender itself prints there before the
helper script takes stdout over (its banner, importer logs) is told apart::

    AISTUDIO-HELPER {"kind": "ready", "pid": 4242, "version": "5.0.1"}
    AISTUDIO-HELPER {"id": 3, "kind": "progress", "progress": 40, "note": "Saving"}
    AISTUDIO-HELPER {"id": 3, "kind": "done", "result": {...}, "peak_kb": 612000}
    AISTUDIO-HELPER {"id": 3, "kind": "error", "error_type": "PrintPrepError",
                     "message": "...", "trace": "..."}

Big data never crosses this pipe: meshes, pictures and models are files in
the job's folder, named in ``args`` and ``result``. Plain Python, no bpy:
both sides import it.
"""

from __future__ import annotations

import json

PREFIX = "AISTUDIO-HELPER "

READY = "ready"
PROGRESS = "progress"
DONE = "done"
ERROR = "error"


def encode(message: dict) -> str:
    """One line (newline included) carrying *message*."""
    return PREFIX + json.dumps(message, separators=(",", ":")) + "\n"


def decode(line: str) -> dict | None:
    """The message a line carries, or None for anything else Blender printed."""
    line = line.strip()
    if not line.startswith(PREFIX.strip()):
        return None
    try:
        message = json.loads(line[len(PREFIX.strip()):])
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


def request(task_id: int, task: str, folder: str, args: dict) -> str:
    """A request line for the helper's stdin (no prefix: nothing else writes there)."""
    return json.dumps({"id": task_id, "task": task, "folder": folder, "args": args},
                      separators=(",", ":")) + "\n"
