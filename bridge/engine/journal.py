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

from ..errors import DamagedRowError
from .journal_db import FILENAME, Database, JournalError, JournalLockedError
from .model import ACTIVE_STATES, JobRecord

__all__ = ["Journal", "JournalError", "JournalLockedError", "DamagedRowError", "FILENAME",
           "to_record"]


_SCHEMA_TABLES = """
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
    lease_until  REAL NOT NULL DEFAULT 0,
    inputs       TEXT NOT NULL DEFAULT '{}',
    download     INTEGER NOT NULL DEFAULT 1,
    finished_at  REAL,
    expires_at   REAL,
    running_seen_at REAL,
    origin       TEXT NOT NULL DEFAULT 'submit',
    chain        TEXT NOT NULL DEFAULT ''
);
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
#: Indexes come after the migration: some are on columns an older journal gains there.
_SCHEMA_INDEXES = """
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);
CREATE INDEX IF NOT EXISTS jobs_created ON jobs(created_at);
CREATE INDEX IF NOT EXISTS jobs_task ON jobs(task_id);
CREATE INDEX IF NOT EXISTS jobs_chain ON jobs(chain);
"""

#: Columns added after the first release: a journal written before them gets them on open
#: (``ALTER TABLE … ADD COLUMN``; their defaults describe what older rows were).
_ADDED_COLUMNS = (
    ("inputs", "TEXT NOT NULL DEFAULT '{}'"),
    ("download", "INTEGER NOT NULL DEFAULT 1"),
    ("finished_at", "REAL"),
    ("expires_at", "REAL"),
    ("running_seen_at", "REAL"),
    ("origin", "TEXT NOT NULL DEFAULT 'submit'"),
    ("chain", "TEXT NOT NULL DEFAULT ''"),
)
_JSON_COLUMNS = ("files", "request", "meta", "assets", "inputs")
_DICT_COLUMNS = ("request", "meta", "inputs")
_NUMBER_COLUMNS = (("progress", int), ("attempts", int), ("created_at", float),
                   ("updated_at", float), ("expected_s", float))
_ACTIVE_SQL = ",".join(f"'{s}'" for s in ACTIVE_STATES)


class Journal:
    def __init__(self, home: str | Path):
        self.db = Database(Path(home), _SCHEMA_TABLES)
        self.home = self.db.home
        self.path = self.db.path
        if _missing_columns(self.db.run(_column_names)):
            self.db.transaction(_migrate)   # written only when needed: opening stays read-only
        self.db.run(lambda conn: conn.executescript(_SCHEMA_INDEXES))

    def close_thread(self) -> None:
        """Close the calling thread's connection (threads call this on exit)."""
        self.db.close_thread()

    def _fetch(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return self.db.fetch(sql, params)

    def _write(self, sql: str, params: Iterable[Any] = ()) -> int:
        return self.db.write(sql, params)

    # -- rows -----------------------------------------------------------------
    def insert(self, row: dict[str, Any]) -> None:
        self.insert_all([row])

    def insert_all(self, rows: Iterable[dict[str, Any]]) -> None:
        """Insert rows in one transaction: all of them are journaled, or none."""
        encoded = [_encode(row) for row in rows]

        def work(conn: sqlite3.Connection) -> None:
            for row in encoded:
                conn.execute(f"INSERT INTO jobs ({', '.join(row)}) VALUES "
                             f"({', '.join('?' for _ in row)})", tuple(row.values()))
        self.db.transaction(work)

    def insert_following(self, row: dict[str, Any]) -> str:
        """Insert ``row`` (a task to follow) unless an unfinished job already follows its task;
        the id of the job that does. One transaction: two imports at once make one job."""
        encoded = _encode(row)

        def work(conn: sqlite3.Connection) -> str:
            found = conn.execute(f"SELECT job_id FROM jobs WHERE provider = ? AND task_id = ? "
                                 f"AND state IN ({_ACTIVE_SQL}) ORDER BY created_at LIMIT 1",
                                 (row["provider"], row["task_id"])).fetchone()
            if found is not None:
                return found[0]
            conn.execute(f"INSERT INTO jobs ({', '.join(encoded)}) VALUES "
                         f"({', '.join('?' for _ in encoded)})", tuple(encoded.values()))
            return row["job_id"]
        return self.db.transaction(work)

    def rows(self, job_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The rows of ``job_ids`` that exist, by id."""
        ids = list(dict.fromkeys(job_ids))
        if not ids:
            return {}
        found = self._fetch(f"SELECT * FROM jobs WHERE job_id IN ({','.join('?' for _ in ids)})",
                            ids)
        return {r["job_id"]: _decode(r) for r in found}

    def row(self, job_id: str) -> dict[str, Any] | None:
        """The decoded row (None if there is none); :class:`DamagedRowError` if unreadable."""
        found = self._fetch("SELECT * FROM jobs WHERE job_id = ?", (job_id,))
        return _decode(found[0]) if found else None

    def record(self, job_id: str) -> JobRecord | None:
        """The job's record; None when there is none, or when its row is damaged."""
        try:
            row = self.row(job_id)
            return to_record(row) if row else None
        except DamagedRowError:
            return None

    def records(self, limit: int = 200, job_ids: Iterable[str] | None = None,
                skipped: list[DamagedRowError] | None = None) -> list[JobRecord]:
        """Records, newest first; a damaged row is left out (and added to ``skipped``)."""
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
        return _readable(rows, skipped)

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

    def finished_of_type(self, request_type: str, limit: int = 100) -> list[dict[str, Any]]:
        """Newest rows of one request type the service finished, with both times (``eta``)."""
        rows = self._fetch("SELECT submitted_at, finished_at, request FROM jobs WHERE "
                           "submitted_at IS NOT NULL AND finished_at IS NOT NULL AND "
                           "json_valid(request) AND json_extract(request, '$.type') = ? "
                           "ORDER BY finished_at DESC LIMIT ?", (request_type, int(limit)))
        out = []
        for row in rows:
            try:
                out.append({"submitted_at": row["submitted_at"], "finished_at": row["finished_at"],
                            "request": json.loads(row["request"])})
            except (ValueError, TypeError):
                continue
        return out

    def records_in_batch(self, batch: str) -> list[JobRecord]:
        """Every job whose ``meta`` names ``batch`` (see :mod:`.batch`)."""
        rows = self._fetch("SELECT * FROM jobs WHERE json_valid(meta) AND "
                           "json_extract(meta, '$.batch') = ? ORDER BY created_at", (batch,))
        return _readable(rows)

    def records_in_chain(self, chain: str) -> list[JobRecord]:
        """The steps of one chain, in the order they were journaled."""
        rows = self._fetch("SELECT * FROM jobs WHERE chain = ? ORDER BY created_at, rowid",
                           (chain,))
        return _readable(rows)

    def waiting_on(self, job_id: str) -> list[str]:
        """Unfinished jobs that wait for ``job_id``'s result address."""
        rows = self._fetch(f"SELECT job_id FROM jobs WHERE state IN ({_ACTIVE_SQL}) AND "
                           "json_valid(inputs) AND EXISTS "
                           "(SELECT 1 FROM json_each(jobs.inputs) WHERE json_each.value = ?) "
                           "ORDER BY created_at", (job_id,))
        return [r[0] for r in rows]

    def following_task(self, provider: str, task_id: str) -> JobRecord | None:
        """The unfinished job that follows ``task_id`` already, if any."""
        rows = self._fetch(f"SELECT * FROM jobs WHERE provider = ? AND task_id = ? "
                           f"AND state IN ({_ACTIVE_SQL}) ORDER BY created_at LIMIT 1",
                           (provider, task_id))
        found = _readable(rows)
        return found[0] if found else None

    def follow_known_tasks(self, now: float, note: str) -> list[str]:
        """UNKNOWN jobs whose task id is known after all (a late answer wrote it): made
        RUNNING again, so they are polled; their ids."""
        rows = self._fetch("SELECT job_id FROM jobs WHERE state = 'UNKNOWN' AND task_id IS NOT "
                           "NULL AND task_id != ''")
        return [r[0] for r in rows
                if self.update(r[0], now, only_states=["UNKNOWN"], state="RUNNING", error=note)]

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


def _column_names(conn: sqlite3.Connection) -> set[str]:
    return {r[1] for r in conn.execute("PRAGMA table_info(jobs)")}


def _missing_columns(have: set[str]) -> list[tuple[str, str]]:
    return [(name, decl) for name, decl in _ADDED_COLUMNS if name not in have]


def _migrate(conn: sqlite3.Connection) -> None:
    """Add the columns a journal from an earlier version lacks (inside one transaction,
    so two processes opening it at once cannot both add a column)."""
    for name, decl in _missing_columns(_column_names(conn)):
        conn.execute(f"ALTER TABLE jobs ADD COLUMN {name} {decl}")


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
    """The row with its JSON columns decoded; :class:`DamagedRowError` when one is not
    the JSON it must be (never silently emptied: an empty request or asset list would
    lose what a paid job needs)."""
    out = dict(row)
    job_id = str(out.get("job_id") or "?")
    for key in _JSON_COLUMNS:
        empty = "{}" if key in _DICT_COLUMNS else "[]"
        try:
            out[key] = json.loads(out.get(key) or empty)
        except (ValueError, TypeError, RecursionError):
            raise DamagedRowError(job_id, f"its {key} is not readable JSON") from None
        if not isinstance(out[key], dict if key in _DICT_COLUMNS else list):
            raise DamagedRowError(job_id, f"its {key} is not a JSON "
                                          f"{'object' if key in _DICT_COLUMNS else 'list'}")
    for key, cast in _NUMBER_COLUMNS:
        value = out.get(key)
        try:
            if value is not None or key in ("created_at", "updated_at"):
                cast(value)
        except (ValueError, TypeError, OverflowError):
            raise DamagedRowError(job_id,
                                  f"its {key} {str(value)[:20]!r} is not a number") from None
    return out


def _readable(rows: Iterable[sqlite3.Row],
              skipped: list[DamagedRowError] | None = None) -> list[JobRecord]:
    out = []
    for row in rows:
        try:
            out.append(to_record(_decode(row)))
        except DamagedRowError as exc:
            if skipped is not None:
                skipped.append(exc)
    return out


def to_record(row: dict[str, Any]) -> JobRecord:
    """The record of a decoded row; :class:`DamagedRowError` if a field is not what it must be."""
    try:
        return _to_record(row)
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise DamagedRowError(str(row.get("job_id") or "?"),
                              f"{type(exc).__name__}: {' '.join(str(exc).split())[:80]}") from None


def _to_record(row: dict[str, Any]) -> JobRecord:
    for key in ("created_at", "updated_at"):
        float(row[key])
    for key in ("job_id", "provider", "state"):
        if not isinstance(row[key], str):
            raise TypeError(f"{key} is not text")
    return JobRecord(
        job_id=row["job_id"], task_id=row["task_id"], provider=row["provider"], kind=row["kind"],
        label=row["label"], state=row["state"], progress=int(row["progress"] or 0),
        credits_low=row["credits_low"], credits_high=row["credits_high"],
        files=list(row["files"]), error=row["error"] or "", created_at=row["created_at"],
        updated_at=row["updated_at"], output_dir=row["output_dir"] or "",
        request=row["request"], meta=row["meta"], assets=list(row.get("assets") or []),
        inputs=dict(row.get("inputs") or {}), download=bool(row.get("download", 1)),
        finished_at=row.get("finished_at"), expires_at=row.get("expires_at"),
        origin=row.get("origin") or "submit", chain=row.get("chain") or "")
