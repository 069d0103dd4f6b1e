"""A second Journal opened in a process must not drop that process's SQLite locks.

POSIX locks belong to the process: closing any descriptor of the journal file
drops every lock the process holds on it, the SHARED lock of its open SQLite
connections included. Opening a Journal used to open and close the file to
make it private, so the second Journal of a process (an engine beside the
CLI's own, a script's) left the first one's connections unlocked. Another
process that then closed its last connection (``jobs``, a test reading the
journal) took the file for unused, checkpointed it and deleted its ``-wal``
and ``-shm``: the first process went on writing into a deleted WAL nobody
else could see. A paid chain step looked RUNNING for ever from outside
(tests/engine/test_engine_processes.py, in the whole suite), and the writer
later read "disk I/O error" and "database disk image is malformed".
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from bridge.api.tencent import TencentRapidRequest
from bridge.config import Settings
from bridge.engine import JobEngine
from bridge.engine.journal import Journal

ROOT = Path(__file__).resolve().parents[2]

READER = """
import sys
from bridge.engine.journal import Journal
record = Journal(sys.argv[1]).record(sys.argv[2])
print(record.label if record else "missing")
"""


def read_elsewhere(home: Path, job_id: str) -> str:
    """What another process sees of the job (it opens a Journal, reads, closes, exits)."""
    done = subprocess.run([sys.executable, "-c", READER, str(home), job_id], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_second_journal_in_a_process_keeps_its_writes_visible_to_others(tmp_path):
    home = tmp_path / "home"
    settings = Settings(api_key="test-key", api_url="http://127.0.0.1:9", home=home)
    engine = JobEngine(settings, home=home)            # journals only: never started
    try:
        job_id = engine.submit(TencentRapidRequest(prompt="a chair"), label="first")
        watcher = Journal(home)                        # a second Journal in this process
        assert watcher.record(job_id).label == "first"
        assert read_elsewhere(home, job_id) == "first"  # that process closes its last connection
        engine.journal.update(job_id, time.time(), label="second")
        # Written after the other process closed: it must still reach the file others read.
        assert read_elsewhere(home, job_id) == "second"
        assert watcher.record(job_id).label == "second"
    finally:
        engine.shutdown()


def test_opening_a_journal_leaves_an_existing_file_unopened(tmp_path, monkeypatch):
    """The mechanism: an existing journal file is only tightened, never opened and closed."""
    import os

    from bridge.engine import journal_db
    home = tmp_path / "home"
    Journal(home)
    opened = []
    real_open = os.open
    monkeypatch.setattr(journal_db.os, "open",
                        lambda path, flags, *a: opened.append(flags) or real_open(path, flags, *a))
    Journal(home)
    assert all(flags & os.O_EXCL for flags in opened), opened   # never a plain open of it
