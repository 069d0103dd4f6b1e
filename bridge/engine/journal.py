"""The SQLite journal: every job, written before anything is sent.

The journal is the engine's memory across crashes and processes (two
Blender windows, Blender and the CLI). WAL mode lets readers and one writer
work at once; ``busy_timeout`` makes a second writer wait instead of
failing, and :mod:`.journal_db` waits out longer locks and turns every
SQLite/OS failure into a :class:`JournalError` naming the file and the fix.
SQLite connections must not cross threads, so each thread gets its own.
Leases (owner + expiry columns, taken with one conditional UPDATE) make
sure only one process polls or downloads a given job at a time.

Nothing secret is stored: requests are ``ApiRequest.to_record()`` (paths,
not pixels, no keys). The file and its folder are private to the user.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any, Iterable

from .journal_db import FILENAME, Database, JournalError, JournalLockedError
from .model import ACTIVE_STATES, JobRecord

__all__ = ["Journal", "JournalError", "JournalLockedError", "FILENAME", "to_record"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id       TEXT PRIMARY KEY,
    task_id      TEXT,
    provider     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    label        TEXT NOT NULL DEFAULT '',
    state        TEXT NOT NULL,
    progress     INTEGER NOT NULL DEFAULT 0,
    credits_low  INTEGER,
    credits_high INTEGER,
    files        TEXT NOT NULL DEFAULT '[]',
    error        TEXT NOT NULL DEFAULT '',
    created_at   REAL NOT NULL,
    updated_at   REAL NOT NULL,
    output_dir   TEXT NOT NULL DEFAULT '',
    request      TEXT NOT NULL,
    meta         TEXT NOT NULL DEFAULT '{}',
    expected_s   REAL NOT NULL DEFAULT 120,
    submitted_at REAL,
    assets       TEXT NOT NULL DEFAULT '[]',
    attempts     INTEGER NOT NULL DEFAULT 0,
    lease_owner  TEXT,
    lease_until  REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created_at);
CREATE TABLE IF NOT EXISTS rate_grants (
    key_hash TEXT NOT NULL,        -- sha256 prefix of the key: never the key itself
    at       REAL NOT NULL,        -- shared clock seconds (see ledger.shared_now)
    grant_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_grants_key ON rate_grants(key_hash, at);
CREATE TABLE IF NOT EXISTS rate_pauses (
    key_hash TEXT PRIMARY KEY,
    until    REAL NOT NULL
);
"""

_JSON_COLUMNS = ("files", "request", "meta", "assets")
_ACTIVE_SQL = ",".join(f"'{s}'" for s in ACTIVE_STATES)


class Journal:
    def __init__(self, home: str | Path):
        self.db = Database(Path(home), _SCHEMA)
        self.home = self.db.home
        self.path = self.db.path

    def close_thread(self) -> None:
        """Close the calling thread's connection (threads call this on exit)."""
        self.db.close_thread()

    def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return self.db.fetch(sql, params)

    def _write(self, sql: str, params: Iterable[Any] = ()) -> int:
        return self.db.write(sql, params)

    # -- rows -----------------------------------------------------------------
    def insert(self, row: dict[str, Any]) -> None:
        row = _encode(row)
        names = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self._write(f"INSERT INTO jobs ({names}) VALUES ({marks})", row.values())

    def row(self, job_id: str) -> dict[str, Any] | None:
        found = self._fetch("SELECT * FROM jobs WHERE job_id = ?", (job_id,))
        return _decode(found[0]) if found else None

    def record(self, job_id: str) -> JobRecord | None:
        row = self.row(job_id)
        return to_record(row) if row else None

    def records(self, limit: int = 200, job_ids: Iterable[str] | None = None) -> list[JobRecord]:
        if job_ids is not None:
            ids = list(job_ids)
            if not ids:
                return []
            marks = ",".join("?" for _ in ids)
            rows = self._fetch(f"SELECT * FROM jobs WHERE job_id IN ({marks}) "
                               "ORDER BY created_at DESC", ids)
        else:
            rows = self._fetch("SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?",
                               (int(limit),))
        return [to_record(_decode(r)) for r in rows]

    def update(self, job_id: str, now: float, *, only_states: Iterable[str] | None = None,
               owner: str | None = None, **fields: Any) -> bool:
        """Change columns of one row; False when the guard (state/owner) did not match."""
        return self._write(*_update_sql(job_id, now, only_states, owner, fields)) == 1

    def update_all(self, job_id: str, now: float,
                   writes: Iterable[tuple[dict[str, Any], Iterable[str] | None, bool]]) -> bool:
        """Several guarded updates of one row in one transaction: nobody sees half of them.

        Each write is ``(fields, only_states, required)``; after a required one
        whose guard did not match, the rest are skipped (what came before is
        kept) and the answer is False.
        """
        writes = list(writes)

        def work(conn: sqlite3.Connection) -> bool:
            for fields, only_states, required in writes:
                changed = conn.execute(*_update_sql(job_id, now, only_states, None, fields))
                if required and changed.rowcount != 1:
                    return False
            return True
        return self.db.transaction(work)

    def records_in_batch(self, batch: str) -> list[JobRecord]:
        """Every job whose ``meta`` names ``batch`` (see :mod:`.batch`)."""
        rows = self._fetch("SELECT * FROM jobs WHERE json_extract(meta, '$.batch') = ? "
                           "ORDER BY created_at", (batch,))
        return [to_record(_decode(r)) for r in rows]

    def unfinished_ids(self) -> list[str]:
        rows = self._fetch(f"SELECT job_id FROM jobs WHERE state IN ({_ACTIVE_SQL}) "
                           "ORDER BY created_at")
        return [r[0] for r in rows]

    # -- leases ---------------------------------------------------------------
    def claimable(self, now: float) -> list[tuple[str, str | None]]:
        """Unfinished jobs whose lease has run out: (job_id, last owner)."""
        rows = self._fetch(f"SELECT job_id, lease_owner, lease_until FROM jobs "
                           f"WHERE state IN ({_ACTIVE_SQL}) ORDER BY created_at")
        return [(r[0], r[1]) for r in rows if r[2] <= now or not r[1]]

    def held_by_others(self, now: float, owner: str) -> list[tuple[str, str, float]]:
        """Unfinished jobs with a live lease of somebody else: (job_id, owner, until)."""
        rows = self._fetch(f"SELECT job_id, lease_owner, lease_until FROM jobs "
                           f"WHERE state IN ({_ACTIVE_SQL}) AND lease_owner IS NOT NULL "
                           "AND lease_owner != ? AND lease_until > ?", (owner, now))
        return [(r[0], r[1], r[2]) for r in rows]

    def claim(self, job_id: str, owner: str, until: float, now: float,
              dead_owner: str | None = None) -> bool:
        """Take the job's lease in one UPDATE: only if it ran out (or its holder is dead)."""
        sql = (f"UPDATE jobs SET lease_owner = ?, lease_until = ? WHERE job_id = ? "
               f"AND state IN ({_ACTIVE_SQL}) AND (lease_owner IS NULL OR lease_owner = ? "
               "OR lease_until <= ?")
        params: list[Any] = [owner, until, job_id, owner, now]
        if dead_owner:
            sql += " OR lease_owner = ?"
            params.append(dead_owner)
        return self._write(sql + ")", params) == 1

    def renew(self, owner: str, job_ids: Iterable[str], until: float) -> set[str]:
        """Extend our leases; returns the ids we still hold."""
        ids = list(job_ids)

        def work(conn: sqlite3.Connection) -> set[str]:
            return {job_id for job_id in ids
                    if conn.execute("UPDATE jobs SET lease_until = ? WHERE job_id = ? "
                                    "AND lease_owner = ?", (until, job_id, owner)).rowcount == 1}
        return self.db.transaction(work)

    def release(self, owner: str, job_ids: Iterable[str]) -> None:
        for job_id in job_ids:
            self._write("UPDATE jobs SET lease_owner = NULL, lease_until = 0 "
                        "WHERE job_id = ? AND lease_owner = ?", (job_id, owner))


def _update_sql(job_id: str, now: float, only_states: Iterable[str] | None, owner: str | None,
                fields: dict[str, Any]) -> tuple[str, list[Any]]:
    fields = _encode(fields)
    fields["updated_at"] = now
    sets = ", ".join(f"{k} = ?" for k in fields)
    sql = f"UPDATE jobs SET {sets} WHERE job_id = ?"
    params = [*fields.values(), job_id]
    if only_states is not None:
        states = list(only_states)
        sql += f" AND state IN ({','.join('?' for _ in states)})"
        params += states
    if owner is not None:
        sql += " AND lease_owner = ?"
        params.append(owner)
    return sql, params


def _encode(fields: dict[str, Any]) -> dict[str, Any]:
    out = dict(fields)
    for key in _JSON_COLUMNS:
        if key in out and not isinstance(out[key], str):
            out[key] = json.dumps(out[key])
    if "output_dir" in out and out["output_dir"] is not None:
        out["output_dir"] = str(out["output_dir"])
    return out


def _decode(row: sqlite3.Row) -> dict[str, Any]:
    out = dict(row)
    for key in _JSON_COLUMNS:
        try:
            out[key] = json.loads(out.get(key) or ("[]" if key in ("files", "assets") else "{}"))
        except ValueError:
            out[key] = [] if key in ("files", "assets") else {}
    return out


def to_record(row: dict[str, Any]) -> JobRecord:
    return JobRecord(
        job_id=row["job_id"], task_id=row["task_id"], provider=row["provider"], kind=row["kind"],
        label=row["label"], state=row["state"], progress=int(row["progress"] or 0),
        credits_low=row["credits_low"], credits_high=row["credits_high"],
        files=list(row["files"]), error=row["error"] or "", created_at=row["created_at"],
        updated_at=row["updated_at"], output_dir=row["output_dir"] or "",
        request=row["request"], meta=row["meta"])
