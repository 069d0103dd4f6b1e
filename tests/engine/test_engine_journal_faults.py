"""A journal locked, damaged or read-only: no thread dies, no paid task id is lost, the user is told."""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from engine_fakes import SECRET

from bridge.api.tencent import TencentRapidRequest
from bridge.cli import main as cli_main
from bridge.cli.commands import Context
from bridge.engine import JobEngine, JournalError, journal_db, leases, resume
from bridge.engine.journal import Journal
from bridge.engine.pending import PendingWrites
from bridge.engine.step_context import Settlement, Write

LOCKER = r"""
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("ROLLBACK")
"""


def hold_lock(path: Path, seconds: float) -> subprocess.Popen:
    """Another process takes the journal's write lock and keeps it ``seconds``."""
    proc = subprocess.Popen([sys.executable, "-c", LOCKER, str(path), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


@pytest.fixture
def impatient(monkeypatch):
    """Worker threads give up on a lock after ~0.3 s instead of ~30 s."""
    monkeypatch.setattr(journal_db, "BUSY_TIMEOUT_MS", 100)
    monkeypatch.setattr(journal_db, "LOCK_ATTEMPTS", 2)


def rapid():
    return TencentRapidRequest(prompt="a small wooden chair")


def test_a_lock_held_across_a_submits_answer_keeps_the_paid_task_id(
        make_engine, service, eng_settings, impatient):
    lockers = []
    service.on_submit = lambda request: lockers.append(
        hold_lock(eng_settings.home / "journal.sqlite3", 1.5))
    engine = make_engine()
    job_id = engine.submit(rapid())
    events = []
    [record] = engine.wait([job_id], timeout=1e7, on_event=events.append)
    lockers[0].wait(10)
    assert record.state == "DONE", record.error
    assert record.task_id == "task-1" and service.submit_calls == 1
    notices = [e.message for e in events if e.kind == "notice"]
    assert any("task id task-1" in n and str(engine.journal.path) in n and "Nothing is lost" in n
               for n in notices), notices
    assert all(t.is_alive() for t in engine._threads)
    assert not list((eng_settings.home / "pending").glob("*.json"))   # written, then removed


def test_a_task_id_parked_by_an_engine_that_died_is_written_by_the_next_one(
        make_engine, service, eng_settings, tmp_path):
    first = make_engine(start=False)
    job_id = first.submit(rapid(), output_dir=tmp_path / "out")
    # Another engine resumed the half-submitted job and, knowing no task id, made it UNKNOWN.
    first.journal.update(job_id, 0.0, state="UNKNOWN", lease_owner=None, lease_until=0)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = f"{socket.gethostname()}:{child.pid}:deadbeef"
    service.tasks["task-42"] = service.clock.now()
    parked = PendingWrites(Journal(eng_settings.home), dead)
    assert parked.add(Settlement(job_id, [
        Write({"task_id": "task-42", "submitted_at": service.clock.wall(), "attempts": 0,
               "error": ""}),
        Write({"state": "RUNNING"}, ("SUBMITTING",), required=True)]))
    parked.close()
    engine = make_engine()
    assert engine.wait_submitted(job_id, timeout=1e6).task_id == "task-42"
    [record] = engine.wait([job_id], timeout=1e7)
    assert record.state == "DONE" and record.task_id == "task-42"
    assert service.submit_calls == 0 and (tmp_path / "out" / f"{job_id}_3d_model_1.glb").is_file()
    assert not parked.path.exists()


def test_a_lock_during_lease_renewal_is_reported_and_kills_no_thread(
        make_engine, service, eng_settings, impatient, monkeypatch):
    monkeypatch.setattr(leases, "LEASE_SECONDS", 0.3)      # renew every 0.1 s real
    service.duration = 1e6
    engine = make_engine()
    job_id = engine.submit(rapid())
    engine.wait_submitted(job_id, timeout=1e6)
    events = []
    locker = hold_lock(eng_settings.home / "journal.sqlite3", 1.0)
    deadline = time.monotonic() + 5
    while not any(e.kind == "notice" for e in events) and time.monotonic() < deadline:
        events += engine.drain()
        time.sleep(0.02)
    locker.wait(10)
    notices = [e.message for e in events if e.kind == "notice"]
    assert notices and "locked by another program" in notices[0]
    assert str(engine.journal.path) in notices[0]
    service.duration = 1.0
    [record] = engine.wait([job_id], timeout=1e7)
    assert record.state == "DONE"
    assert all(t.is_alive() for t in engine._threads)


def test_a_crashed_thread_is_restarted_and_the_user_told(make_engine, service, monkeypatch):
    real_renew = resume.renew
    crashes = []

    def renew_once_broken(*args):
        if not crashes:
            crashes.append(1)
            raise RuntimeError("a bug nobody foresaw")
        return real_renew(*args)
    monkeypatch.setattr(resume, "renew", renew_once_broken)
    engine = make_engine()
    job_id = engine.submit(rapid())
    events = []
    [record] = engine.wait([job_id], timeout=1e7, on_event=events.append)
    assert crashes and record.state == "DONE"
    notices = [e.message for e in events if e.kind == "notice"]
    assert any("dispatch thread" in n and "a bug nobody foresaw" in n and "restarted" in n
               for n in notices), notices
    assert all(t.is_alive() for t in engine._threads)


# -- a damaged journal --------------------------------------------------------------

def test_a_damaged_journal_is_named_left_alone_and_explained(eng_settings, tmp_path):
    home = eng_settings.home
    home.mkdir(parents=True)
    garbage = b"these bytes are not an SQLite database " * 200
    (home / "journal.sqlite3").write_bytes(garbage)
    with pytest.raises(JournalError) as caught:
        JobEngine(eng_settings, home=home)
    text = str(caught.value)
    assert str(home / "journal.sqlite3") in text and "damaged" in text
    assert "Move it aside" in text and "3daistudio.com" in text
    assert (home / "journal.sqlite3").read_bytes() == garbage
    assert sorted(p.name for p in home.iterdir()) == ["journal.sqlite3"]
    code, out, err = run_cli(["jobs"], home)
    assert code == 3 and out == ""  # a local problem, like configuration
    assert err.startswith("error: The job journal ") and "damaged" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def run_cli(argv, home: Path):
    import io
    out, err = io.StringIO(), io.StringIO()
    env = {"AISTUDIO_HOME": str(home), "3D_AI_STUDIO_API_KEY": SECRET}
    code = cli_main(argv, ctx=Context(environ=env, stdout=out, stderr=err))
    return code, out.getvalue(), err.getvalue()


# -- a read-only home -----------------------------------------------------------------

@contextmanager
def read_only(folder: Path):
    """``folder`` refuses new files, for root too (the immutable flag) or by its mode."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
            pytest.skip("running as root without chattr: cannot make a folder read-only")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(stat.S_IMODE(mode))


def test_a_home_that_cannot_be_created_says_where_and_what_to_do(eng_settings, tmp_path):
    parent = tmp_path / "readonly"
    parent.mkdir()
    home = parent / "home"
    with read_only(parent):
        with pytest.raises(JournalError) as caught:
            JobEngine(eng_settings, home=home)
        code, _, err = run_cli(["jobs"], home)
    assert str(home / "journal.sqlite3") in str(caught.value)
    assert "AISTUDIO_HOME" in str(caught.value) and "writable" in str(caught.value)
    assert code == 3 and "AISTUDIO_HOME" in err and "Traceback" not in err


def test_a_read_only_home_with_a_journal_says_where_and_what_to_do(eng_settings):
    home = eng_settings.home
    engine = JobEngine(eng_settings, home=home)
    job_id = engine.submit(rapid())
    engine.shutdown()
    engine.journal.close_thread()
    before = (home / "journal.sqlite3").read_bytes()
    with read_only(home):
        with pytest.raises(JournalError) as caught:
            JobEngine(eng_settings, home=home)
    assert str(home / "journal.sqlite3") in str(caught.value) and "writable" in str(caught.value)
    assert (home / "journal.sqlite3").read_bytes() == before
    assert Journal(home).record(job_id).state == "QUEUED"   # writable again: nothing lost


# -- private files ----------------------------------------------------------------------

def test_journal_and_its_folder_are_private(eng_settings, tmp_path):
    home = tmp_path / "shared-looking"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    old = home / "journal.sqlite3"
    sqlite3.connect(old).close()
    old.chmod(0o644)
    engine = JobEngine(eng_settings, home=home)
    engine.submit(rapid())
    fresh = JobEngine(eng_settings, home=tmp_path / "new" / "home")
    try:
        for folder in (home, tmp_path / "new" / "home"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700
            for path in folder.glob("journal.sqlite3*"):
                assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    finally:
        engine.shutdown()
        fresh.shutdown()


@pytest.mark.parametrize("error, words", [
    (sqlite3.OperationalError("database or disk is full"), "disk is full"),
    (sqlite3.DatabaseError("file is not a database"), "damaged"),
    (sqlite3.OperationalError("attempt to write a readonly database"), "writable"),
    (sqlite3.OperationalError("database is locked"), "locked by another program"),
    (OSError(28, "No space left on device"), "disk is full"),
])
def test_every_journal_failure_names_the_file_and_the_fix(tmp_path, error, words):
    found = journal_db.journal_error(error, tmp_path / "journal.sqlite3")
    assert words in str(found) and str(tmp_path / "journal.sqlite3") in str(found)
    assert found.path == str(tmp_path / "journal.sqlite3") and found.advice
