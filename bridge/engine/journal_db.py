"""Opening the journal's SQLite file: private permissions, lock patience, plain-words errors.

Everything that can go wrong with a file on the user's disk is turned into a
:class:`JournalError` that names the file and says what to do: a read-only
folder, a full disk, a damaged file (which is never overwritten or moved:
the user decides), or a lock another program holds for longer than we wait.

A lock is waited out twice over: SQLite's ``busy_timeout`` inside each
statement, then a few more attempts here. Threads get patient connections;
the main thread (Blender's UI, the CLI's prompt) a short one, so a lock held
by a backup tool costs the user a clear message rather than a frozen window.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from ..errors import JournalError

FILENAME = "journal.sqlite3"
BUSY_TIMEOUT_MS = 10_000          # worker threads: SQLite waits this long per statement...
LOCK_ATTEMPTS = 3                 # ...and we try that many times before giving up
MAIN_THREAD_BUSY_MS = 2_000       # the UI thread waits once, briefly
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


class JournalLockedError(JournalError):
    """Another program holds the journal's lock for longer than we wait."""


def journal_error(exc: BaseException, path: Path) -> JournalError:
    """The :class:`JournalError` for an sqlite3 or OS error on ``path``."""
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS) or \
            "readonly" in text or "read-only" in text or "unable to open" in text:
        return JournalError(
            f"The job journal {path} cannot be written ({exc}).", path=path,
            advice=f"Make {path.parent} writable, or point AISTUDIO_HOME (the add-on's "
                   "journal folder preference) at a folder you can write to.")
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC or "disk is full" in text \
            or "disk i/o" in text:
        return JournalError(
            f"The job journal {path} cannot be written: the disk is full or failing ({exc}).",
            path=path, advice=f"Free some space on the disk that holds {path.parent}, then "
                              "try again; jobs already journaled are kept.")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return JournalError(
            f"The job journal {path} is damaged ({exc}). It was left exactly as it is.",
            path=path, advice=f"Move it aside (for example rename it to {path.name}.damaged) "
                              "and start again: a new journal is created. Jobs only it knew "
                              "cannot be resumed; their results are on the service's website "
                              "(3daistudio.com / image3d.io) for 24 hours.")
    if _is_lock(exc):
        return JournalLockedError(
            f"The job journal {path} is locked by another program (a backup tool, a database "
            "browser, or a stuck process).", path=path,
            advice="Nothing is lost: work waits and is written when the lock is released. "
                   "Close the program holding it if this lasts.")
    return JournalError(f"The job journal {path} failed: {exc}.", path=path)


def _is_lock(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def make_private_dir(folder: Path) -> None:
    """Create ``folder`` (0700) or take group/other access off it; errors say which folder."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    except FileExistsError:
        raise JournalError(f"The journal folder {folder} is a file.", path=folder,
                           advice="Point AISTUDIO_HOME at a folder.") from None
    except OSError as exc:
        raise journal_error(exc, folder / FILENAME) from None
    if not folder.is_dir():
        raise JournalError(f"The journal folder {folder} is not a folder.", path=folder,
                           advice="Point AISTUDIO_HOME at a folder.")
    _tighten(folder, PRIVATE_DIR)


def make_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if missing; tighten it if it exists.

    An existing file is never opened here (``O_EXCL``): POSIX locks belong to the
    process, and closing *any* descriptor of the file drops every lock this process
    holds on it, the SHARED lock of its open SQLite connections included (SQLite
    cannot tell). A second Journal in a process (the CLI's, an engine's) then left
    the first one's connections unlocked, so another process closing its last
    connection took the journal for unused, checkpointed it and deleted its -wal and
    -shm under them: this process went on writing into a deleted WAL that nobody else
    could see (a paid chain step looked RUNNING for ever from outside, then "disk I/O
    error" and "malformed" here).
    """
    if os.name != "posix":
        return
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDWR, PRIVATE_FILE)
    except FileExistsError:
        pass  # someone made it (maybe this process, with connections open): only tighten
    except OSError as exc:
        raise journal_error(exc, path) from None
    else:
        os.close(fd)   # a new, empty file: no connection can hold a lock on it yet
    _tighten(path, PRIVATE_FILE)


def _tighten(path: Path, mode: int) -> None:
    if os.name != "posix":
        return
    try:
        info = path.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(path, stat.S_IMODE(info.st_mode) & ~0o077 | (mode & 0o700))
    except OSError:
        pass  # someone else's file, or a filesystem without modes: nothing to tighten


class Database:
    """One SQLite file, one connection per thread, every call translated and lock-patient."""

    def __init__(self, home: Path, schema: str):
        self.home = Path(home)
        self.path = self.home / FILENAME
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        make_private_dir(self.home)
        make_private_file(self.path)
        self.run(lambda conn: conn.executescript(schema))
        for suffix in ("-wal", "-shm"):
            side = self.path.with_name(self.path.name + suffix)
            if side.exists():
                _tighten(side, PRIVATE_FILE)

    # -- connections ----------------------------------------------------------
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            busy_ms = (MAIN_THREAD_BUSY_MS if threading.current_thread() is threading.main_thread()
                       else BUSY_TIMEOUT_MS)
            conn = sqlite3.connect(self.path, timeout=busy_ms / 1000, isolation_level=None,
                                   check_same_thread=True)
            try:
                conn.row_factory = sqlite3.Row
                conn.execute(f"PRAGMA busy_timeout={busy_ms}")
                conn.execute("PRAGMA journal_mode=WAL")
                # A row written before a POST must survive a crash right after it.
                conn.execute("PRAGMA synchronous=FULL")
            except BaseException:
                conn.close()
                raise
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def close_thread(self) -> None:
        """Close the calling thread's connection (threads call this on exit)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            with self._all_lock:
                if conn in self._all:
                    self._all.remove(conn)
            conn.close()

    # -- calls ----------------------------------------------------------------
    def run(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """``work(conn)``, waiting out locks; sqlite3/OS errors become JournalError."""
        main = threading.current_thread() is threading.main_thread()
        attempts = 1 if main else LOCK_ATTEMPTS
        for attempt in range(attempts):
            try:
                return work(self.conn())
            except (sqlite3.Error, OSError) as exc:
                if not _is_lock(exc) or attempt + 1 >= attempts:
                    raise journal_error(exc, self.path) from None
                time.sleep(min(1.0, 0.1 * (attempt + 1)))  # the lock holder runs meanwhile

    def fetch(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        params = tuple(params)
        return self.run(lambda conn: conn.execute(sql, params).fetchall())

    def write(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        params = tuple(params)
        return self.run(lambda conn: conn.execute(sql, params).rowcount)

    def transaction(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """``work(conn)`` inside BEGIN IMMEDIATE … COMMIT (rolled back if anything raises)."""
        def wrapped(conn: sqlite3.Connection):
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(conn)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return result
        return self.run(wrapped)
