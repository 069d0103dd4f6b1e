"""Batches: many pictures and prompts through one flow, journaled item by item.

The pieces the CLI's ``batch`` command and the add-on's "Queue a folder"
share: finding the items (a folder, a list file, single pictures), naming
the batch so that running it again finds the jobs it already made, and the
summary (CSV and JSON) of every item's outcome and files. Every item becomes
an ordinary journal job whose ``meta`` carries the batch id and the item, so
a crash, ``python -m bridge resume`` or the same command again picks it up.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os
import re
from pathlib import Path
from typing import Iterable

from ..errors import ValidationError
from ..imagefile import PICTURE_EXTS
from .journal import Journal
from .model import JobRecord

PROMPT_EXT = ".txt"
#: Journal states after which an item is submitted again when the batch runs again:
#: the service refunds failed jobs, so trying again costs nothing twice.
RESUBMIT_STATES = ("FAILED",)
SUMMARY_FIELDS = ("item", "kind", "name", "state", "job_id", "task_id", "credits", "error",
                  "files")


@dataclasses.dataclass(frozen=True)
class Item:
    kind: str      # "picture" | "prompt"
    value: str     # the picture's absolute path, or the prompt's text
    name: str      # what the summary and the item's folder are called

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}"


def collect(sources: Iterable[str | Path]) -> list[Item]:
    """The items of folders (pictures, and .txt files read as list files), list files and pictures."""
    items: list[Item] = []
    for source in sources:
        path = Path(source).expanduser()
        if path.is_dir():
            items += _folder(path)
        elif path.is_file() and path.suffix.lower() in PICTURE_EXTS:
            items.append(_picture(path))
        elif path.is_file():
            items += read_list(path)
        else:
            raise ValidationError(f"{path} does not exist: give a folder of pictures, a list "
                                  "file or a picture.")
    unique = list({item.key: item for item in items}.values())
    if not unique:
        raise ValidationError("No pictures (.png, .jpg, .webp) or prompts (.txt, or lines of a "
                              f"list file) in {', '.join(str(s) for s in sources)}.")
    return unique


def _folder(folder: Path) -> list[Item]:
    items = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name.lower()):
        if not path.is_file() or path.name.startswith("."):
            continue
        if path.suffix.lower() in PICTURE_EXTS:
            items.append(_picture(path))
        elif path.suffix.lower() == PROMPT_EXT:
            # Read like a list file (one prompt or picture a line); a prompt alone is
            # named after its file, several after the file and their line's number.
            found = read_list(path)
            for n, item in enumerate(found, 1):
                named = path.stem if len(found) == 1 else f"{path.stem}-{n}"
                items.append(dataclasses.replace(item, name=named) if item.kind == "prompt"
                             else item)
    return items


def _picture(path: Path) -> Item:
    return Item("picture", str(path.resolve()), path.stem)


def read_list(path: Path) -> list[Item]:
    """One item a line: a picture (a path, relative to the list file) or else a prompt.

    Blank lines and lines starting with ``#`` are skipped. A line that names
    a picture file (by its extension) is a picture even when it is missing,
    so a typo is reported as a missing picture, not sent as a prompt.
    """
    items = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        text = " ".join(line.split())
        if not text or text.startswith("#"):
            continue
        if text.lower().endswith(PICTURE_EXTS) and "\n" not in text:
            picture = Path(text).expanduser()
            picture = picture if picture.is_absolute() else path.parent / picture
            items.append(_picture(picture))
        else:
            items.append(Item("prompt", text, _slug(text)))
    return items


def batch_id(flow: str, options: Iterable[str], items: Iterable[Item]) -> str:
    """Stable for the same flow, options and items, whatever their order: a re-run finds its jobs."""
    blob = json.dumps([flow, list(options), sorted(item.key for item in items)])
    return hashlib.sha256(blob.encode()).hexdigest()[:10]


def folder_names(items: list[Item]) -> dict[str, str]:
    """A distinct, filename-safe folder name for each item (by key), stable for the same items."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for item in items:
        base = _slug(item.name) or item.kind
        name, n = base, 1
        while name.lower() in taken:
            n += 1
            name = f"{base}-{n}"
        taken.add(name.lower())
        names[item.key] = name
    return names


def _slug(text: str) -> str:
    words = re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")
    return words[:40].rstrip("_")


def jobs_of(journal: Journal, batch: str) -> dict[str, JobRecord]:
    """The newest journal job of each item of ``batch`` (by item key)."""
    newest: dict[str, JobRecord] = {}
    for record in sorted(journal.records_in_batch(batch), key=lambda r: r.created_at):
        newest[str(record.meta.get("item"))] = record
    return newest


def summary_rows(items: list[Item], records: dict[str, JobRecord],
                 invalid: dict[str, str]) -> list[dict]:
    rows = []
    for item in items:
        record = records.get(item.key)
        credits = ""
        if record is not None and record.credits_low is not None:
            credits = str(record.credits_low) if record.credits_high in (None, record.credits_low) \
                else f"{record.credits_low}-{record.credits_high}"
        rows.append({
            "item": item.value, "kind": item.kind, "name": item.name,
            "state": record.state if record else ("INVALID" if item.key in invalid else "NOT SENT"),
            "job_id": record.job_id if record else "", "task_id": (record.task_id or "") if record else "",
            "credits": credits, "error": record.error if record else invalid.get(item.key, ""),
            "files": list(record.files) if record else []})
    return rows


def write_summary(rows: list[dict], folder: Path, batch: str) -> tuple[Path, Path]:
    """``batch-<id>.csv`` and ``batch-<id>.json`` in ``folder``, each written atomically."""
    folder.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=SUMMARY_FIELDS)
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "files": ";".join(row["files"])})
    csv_path, json_path = folder / f"batch-{batch}.csv", folder / f"batch-{batch}.json"
    _atomic(csv_path, text.getvalue())
    done = sum(1 for r in rows if r["state"] == "DONE")
    _atomic(json_path, json.dumps({"batch": batch, "items": len(rows), "done": done,
                                   "rows": rows}, indent=2))
    return csv_path, json_path


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, path)
