"""Journal writes that must not be lost, kept until the journal takes them.

When a submit's answer arrives while another program holds the journal's
lock past every wait, the paid task id is kept here — in memory, and in a
small private side file so that even a crash before the lock is released
loses nothing: the next engine on this journal writes it (a job that was
marked UNKNOWN meanwhile gets its task id and is followed after all).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import threading
from typing import Callable

from . import leases
from .journal import Journal, JournalError
from .journal_db import make_private_dir
from .model import RUNNING, SUBMITTING, UNKNOWN, Event
from .step_context import Next, Settlement, Write

FOLDER = "pending"
_LIVE: set[str] = set()          # owners of running engines in this process
_LIVE_LOCK = threading.Lock()


class PendingWrites:
    def __init__(self, journal: Journal, owner: str):
        self.journal = journal
        self.owner = owner
        self.folder = journal.home / FOLDER
        self.path = self.folder / (re.sub(r"[^A-Za-z0-9_.-]", "_", owner) + ".json")
        self._items: list[Settlement] = []
        self._lock = threading.Lock()
        with _LIVE_LOCK:
            _LIVE.add(owner)

    def __len__(self) -> int:
        return len(self._items)

    def close(self) -> None:
        """This engine stops: what is left stays in the side file for the next one."""
        with _LIVE_LOCK:
            _LIVE.discard(self.owner)

    def add(self, settlement: Settlement) -> bool:
        """Keep ``settlement``; False if it could only be kept in memory (disk unwritable)."""
        with self._lock:
            self._items.append(settlement)
            return self._save()

    def flush(self, now: float, emit: Callable[[Event], None]) -> list[tuple[str, Next | None]]:
        """Write what the journal takes now, in order; what each written job does next."""
        done: list[tuple[str, Next | None]] = []
        with self._lock:
            while self._items:
                try:
                    then = self._items[0].apply(self.journal, now, emit)
                except JournalError:
                    break
                done.append((self._items.pop(0).job_id, then))
            if done:
                self._save()
        return done

    def _save(self) -> bool:
        try:
            if not self._items:
                self.path.unlink(missing_ok=True)
                return True
            make_private_dir(self.folder)
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"owner": self.owner, "items": [_encode(s) for s in self._items]}, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            return True
        except (OSError, JournalError):
            return False


def deferred_notice(settlement: Settlement, journal_path, side_file) -> str:
    """What the user reads when a paid submit's outcome waits for a locked journal."""
    task = next((w.fields["task_id"] for w in settlement.writes if "task_id" in w.fields), None)
    what = f"task id {task} of job {settlement.job_id}" if task else \
        f"the outcome of job {settlement.job_id}'s submit"
    return (f"The job journal {journal_path} is locked by another program; {what} is kept in "
            "memory" + (f" and in {side_file}" if side_file else "") +
            " and written as soon as the lock is released. Nothing is lost.")


def replay_orphans(journal: Journal, now: float, emit: Callable[[Event], None]) -> list[str]:
    """Apply side files left by engines that stopped or died; the job ids written."""
    folder = journal.home / FOLDER
    written: list[str] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            owner = str(data["owner"])
            items = [_decode(item) for item in data["items"]]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # half-written or foreign: leave it for a human to look at
        with _LIVE_LOCK:
            alive = owner in _LIVE
        if alive or not (leases.holder_is_dead(owner) or _same_process(owner)):
            continue
        try:
            for settlement in items:
                settlement.apply(journal, now, emit)
                written.append(settlement.job_id)
        except JournalError:
            return written  # still locked: next time
        path.unlink(missing_ok=True)
    return written


def _same_process(owner: str) -> bool:
    return owner.split(":")[1:2] == [str(os.getpid())]


def _encode(settlement: Settlement) -> dict:
    return {"job_id": settlement.job_id,
            "writes": [dataclasses.asdict(w) for w in settlement.writes],
            "events": [dataclasses.asdict(e) for e in settlement.events]}


def _decode(item: dict) -> Settlement:
    writes = []
    for w in item["writes"]:
        states = tuple(w["only_states"]) if w.get("only_states") else None
        if states is not None and SUBMITTING in states and w["fields"].get("state") == RUNNING:
            # Replayed after a crash: the job may have been marked UNKNOWN meanwhile,
            # and its task id, known after all, is better than that: it is followed.
            states = (*states, UNKNOWN)
        writes.append(Write(dict(w["fields"]), states, bool(w.get("required"))))
    return Settlement(item["job_id"], writes, [Event(**e) for e in item["events"]])
