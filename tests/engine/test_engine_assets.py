"""Result addresses for reuse: which URL each downloaded file came from, and until when it works;
and a journal written before these columns existed, opened by this version."""

from __future__ import annotations

import json
import sqlite3

import pytest
from model_samples import two_colour_ball, write_model

from bridge.api.tencent import TencentRapidRequest
from bridge.api.tools import ConvertRequest
from bridge.client import client_for
from bridge.engine import JobEngine
from bridge.engine.journal import Journal
from bridge.engine.model import JobRecord


@pytest.fixture
def engine(settings, fake_clock):
    eng = JobEngine(settings, home=settings.home, clock=fake_clock).start()
    yield eng
    eng.shutdown()


def test_every_downloaded_file_knows_its_address_and_when_it_expires(emulator, engine, tmp_path):
    source = write_model(tmp_path / "ball.glb", two_colour_ball(12, 24))
    job = engine.submit(ConvertRequest(model_file=source, output_format="obj_zip"),
                        output_dir=tmp_path / "out")
    [record] = engine.wait([job], timeout=10_000)
    assert record.state == "DONE", record.error
    [asset] = record.assets
    by_file = record.file_assets()
    archive = str(tmp_path / "out" / f"{job}_3d_model_1.zip")
    unpacked = [f for f in record.files if f != archive]
    assert unpacked and any(f.endswith(".obj") for f in unpacked)
    # The archive and everything unpacked from it came from the one address.
    assert set(by_file) == set(record.files)
    assert {v["url"] for v in by_file.values()} == {asset["url"]}
    assert record.asset_of(archive) == {"url": asset["url"], "asset_type": "3D_MODEL",
                                        "expires_at": record.expires_at}
    now = engine.clock.wall()
    assert record.urls_fresh(now) and not record.urls_fresh(now + 24 * 3600)
    assert record.model_url("obj") == asset["url"] and record.model_url() == asset["url"]


def test_rows_written_before_assets_listed_their_files_are_matched_by_name():
    record = JobRecord(
        job_id="j1", task_id="t", provider="3daistudio", kind="miniature", label="", state="DONE",
        progress=100, credits_low=None, credits_high=None, error="", created_at=0, updated_at=0,
        output_dir="/o", request={}, meta={},
        files=["/o/j1_3d_model_1.glb", "/o/j1_edited_image_1.png", "/o/j1_archive_1.zip",
               "/o/j1_archive_1/model.obj", "/o/j1_3d_model_2.glb"],
        assets=[{"url": "https://s/a.glb", "asset_type": "3D_MODEL"},
                {"url": "https://s/b.png", "asset_type": "EDITED_IMAGE"},
                {"url": "https://s/c.zip", "asset_type": "ARCHIVE"},
                {"url": "https://s/d.glb", "asset_type": "3D_MODEL"}])
    urls = {path: info["url"] for path, info in record.file_assets().items()}
    assert urls == {"/o/j1_3d_model_1.glb": "https://s/a.glb",
                    "/o/j1_edited_image_1.png": "https://s/b.png",
                    "/o/j1_archive_1.zip": "https://s/c.zip",
                    "/o/j1_archive_1/model.obj": "https://s/c.zip",
                    "/o/j1_3d_model_2.glb": "https://s/d.glb"}
    assert record.expires_at is None and not record.urls_fresh(0)


OLD_SCHEMA = """
CREATE TABLE jobs (
    job_id TEXT PRIMARY KEY, task_id TEXT, provider TEXT NOT NULL, kind TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, progress INTEGER NOT NULL DEFAULT 0,
    credits_low INTEGER, credits_high INTEGER, files TEXT NOT NULL DEFAULT '[]',
    error TEXT NOT NULL DEFAULT '', created_at REAL NOT NULL, updated_at REAL NOT NULL,
    output_dir TEXT NOT NULL DEFAULT '', request TEXT NOT NULL, meta TEXT NOT NULL DEFAULT '{}',
    expected_s REAL NOT NULL DEFAULT 120, submitted_at REAL, assets TEXT NOT NULL DEFAULT '[]',
    attempts INTEGER NOT NULL DEFAULT 0, lease_owner TEXT, lease_until REAL NOT NULL DEFAULT 0
);
CREATE INDEX jobs_state ON jobs(state);
CREATE INDEX jobs_created ON jobs(created_at);
"""


def test_a_journal_from_the_previous_version_gains_the_columns_and_its_jobs_finish(
        emulator, settings, fake_clock, tmp_path):
    """A job the old version left running is finished by this one, and downloads once."""
    task = client_for("3daistudio", settings, clock=fake_clock).submit(
        TencentRapidRequest(prompt="a chair")).task_id
    settings.home.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(settings.home / "journal.sqlite3") as conn:
        conn.executescript(OLD_SCHEMA)
        conn.execute("INSERT INTO jobs (job_id, task_id, provider, kind, label, state, created_at, "
                     "updated_at, output_dir, request, submitted_at) VALUES "
                     "(?, ?, '3daistudio', '3d', 'old', 'RUNNING', ?, ?, ?, ?, ?)",
                     ("oldjob", task, *[fake_clock.wall()] * 2, str(tmp_path / "out"),
                      json.dumps(TencentRapidRequest(prompt="a chair").to_record()),
                      fake_clock.wall()))
    journal = Journal(settings.home)
    with sqlite3.connect(settings.home / "journal.sqlite3") as conn:
        columns = {r[1] for r in conn.execute("PRAGMA table_info(jobs)")}
    assert {"inputs", "download", "finished_at", "expires_at", "origin", "chain"} <= columns
    old = journal.record("oldjob")
    assert (old.inputs, old.download, old.origin, old.chain, old.expires_at) == \
        ({}, True, "submit", "", None)
    Journal(settings.home)                      # opening again changes nothing
    eng = JobEngine(settings, home=settings.home, clock=fake_clock).start()
    try:
        [record] = eng.wait(["oldjob"], timeout=10_000)
    finally:
        eng.shutdown()
    assert record.state == "DONE" and len(record.files) == 1
    assert record.asset_of(record.files[0])["url"] == record.assets[0]["url"]
    assert len(emulator.accepted) == 1
