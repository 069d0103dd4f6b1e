"""Issue 20, items 5 to 8: no answer or journal row strands a job, and none waits silently.

Against the emulator on the fake clock: answers the engine cannot use end
the step with a clear message on the job and release its lease; one damaged
row does not break the rest; a known task id is always followed; two imports
of one task make one job.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time

from emulator_engines import STATUS, start_engine

from bridge.api.tencent import TencentRapidRequest
from bridge.engine import JobEngine, intake
from bridge.engine.journal import Journal

start = start_engine


def lease_of(home, job_id):
    """The job's lease holder, once the engine has settled (it releases just after telling)."""
    for _ in range(200):
        with sqlite3.connect(home / "journal.sqlite3") as conn:
            owner = conn.execute("SELECT lease_owner FROM jobs WHERE job_id = ?",
                                 (job_id,)).fetchone()[0]
        if owner is None:
            return None
        time.sleep(0.01)
    return owner


def queued_row(job_id: str, out_dir, request_record=None, now=1000.0) -> dict:
    row = intake.job_row(TencentRapidRequest(prompt="a chair"), job_id=job_id, out_dir=out_dir,
                         label="a chair", meta={}, inputs={}, download=True, now=now)
    if request_record is not None:
        row["request"] = request_record
    return row


# -- item 5 ------------------------------------------------------------------------------

def test_deeply_nested_status_json_is_said_on_the_job_and_the_job_goes_on(
        emulator, settings, fake_clock, engines, tmp_path):
    engine = start(settings, fake_clock, engines)
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"), output_dir=tmp_path / "out")
    engine.wait_submitted(job_id, timeout=600)
    emulator.faults.raw_errors(2, 200, "[" * 100_000 + "]" * 100_000, "application/json")
    events = []
    [record] = engine.wait([job_id], timeout=3600, on_event=events.append)
    assert record.state == "DONE", record.error
    assert any("nested more than" in e.message for e in events if e.job_id == job_id)


def test_a_malformed_result_address_never_leaves_a_job_downloading(
        emulator, settings, fake_clock, engines, tmp_path):
    engine = start(settings, fake_clock, engines)
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"), output_dir=tmp_path / "out")
    engine.wait_submitted(job_id, timeout=600)
    bad = json.dumps({"status": "FINISHED", "progress": 100, "results": [
        {"asset": "http://[cdn.example/m.glb", "asset_type": "3D_MODEL"}]})
    emulator.faults.raw_errors(40, 200, bad, "application/json")
    [record] = engine.wait([job_id], timeout=4 * 3600)
    assert record.state == "FAILED", (record.state, record.error)
    assert "not valid URLs" in record.error and "download --task-id" in record.error
    assert lease_of(settings.home, job_id) is None


def test_a_journal_row_of_an_older_version_with_a_malformed_address_fails_clearly(
        emulator, settings, fake_clock, engines, tmp_path):
    journal = Journal(settings.home)
    row = queued_row("olddownload1", tmp_path / "out")
    row.update(state="DOWNLOADING", task_id="t-old", assets=[
        {"url": "http://[cdn.example/m.glb", "asset_type": "3D_MODEL"}])
    journal.insert(row)
    engine = start(settings, fake_clock, engines)
    [record] = engine.wait(["olddownload1"], timeout=600)
    assert record.state == "FAILED" and "not a valid URL" in record.error
    assert "download --task-id t-old" in record.error
    assert lease_of(settings.home, "olddownload1") is None


def test_a_request_type_of_a_newer_version_is_not_sent_and_its_lease_is_released(
        emulator, settings, fake_clock, engines, tmp_path):
    Journal(settings.home).insert(queued_row("newer1", tmp_path / "out", {
        "type": "hologram_v9", "fields": {"prompt": "a chair"}}))
    engine = start(settings, fake_clock, engines)
    events = []
    [record] = engine.wait(["newer1"], timeout=600, on_event=events.append)
    assert record.state == "QUEUED"
    assert "hologram_v9" in record.error and "not sent" in record.error
    assert any(e.job_id == "newer1" and "newer version" in e.message for e in events)
    assert lease_of(settings.home, "newer1") is None
    assert not emulator.accepted
    fake_clock.advance(600)    # later scans leave it alone: no loop
    engine.wait(["newer1"], timeout=120)
    assert lease_of(settings.home, "newer1") is None and not emulator.accepted


# -- item 7: a known task id always gets followed -------------------------------------------

def test_a_late_answer_to_a_job_another_resume_marked_unknown_is_followed(
        emulator, settings, fake_clock, engines, tmp_path):
    from bridge.client import client_for

    class LateAnswer:
        """The real client; while its POST is out, another resume marks the job UNKNOWN."""

        def __init__(self, provider, settings, clock, cancel):
            self.real = client_for(provider, settings, clock=clock, cancel=cancel)
            self.transport = self.real.transport

        def submit(self, request):
            submission = self.real.submit(request)
            journal = Journal(settings.home)
            [job_id] = journal.unfinished_ids()
            assert journal.update(job_id, 0.0, only_states=["SUBMITTING"], state="UNKNOWN",
                                  error="The engine stopped while this job was being submitted.")
            return submission

        def __getattr__(self, name):
            return getattr(self.real, name)

    engine = JobEngine(settings, home=settings.home, clock=fake_clock,
                       client_factory=LateAnswer).start()
    engines.append(engine)
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"), output_dir=tmp_path / "out")
    events = []
    [record] = engine.wait([job_id], timeout=3600, on_event=events.append)
    assert record.task_id and record.state == "DONE", (record.state, record.error, events)
    assert len(emulator.accepted) == 1


def test_an_unknown_job_whose_task_id_is_in_the_journal_is_polled(
        emulator, settings, fake_clock, engines, tmp_path):
    from bridge.client import client_for
    task_id = client_for("3daistudio", settings, clock=fake_clock).submit(
        TencentRapidRequest(prompt="a chair")).task_id
    row = queued_row("latetask1", tmp_path / "out", now=fake_clock.wall())
    row.update(state="UNKNOWN", task_id=task_id, submitted_at=fake_clock.wall(),
               error="The submit may have reached the service but its answer was lost.")
    Journal(settings.home).insert(row)
    engine = start(settings, fake_clock, engines)
    events = []
    [record] = engine.wait(["latetask1"], timeout=3600, on_event=events.append)
    assert record.state == "DONE", (record.state, record.error)
    assert record.files and len(emulator.accepted) == 1
    assert any("arrived after all" in e.message for e in events)


# -- item 8: two imports of one task at once make one job -----------------------------------

def test_two_concurrent_imports_of_one_task_make_one_job(
        emulator, settings, fake_clock, engines, tmp_path, monkeypatch):
    from bridge.client import client_for
    looked_up = Journal.following_task

    def slow_lookup(self, provider, task_id):   # widens the gap between look-up and insert
        found = looked_up(self, provider, task_id)
        time.sleep(0.05)
        return found
    monkeypatch.setattr(Journal, "following_task", slow_lookup)
    task_id = client_for("3daistudio", settings, clock=fake_clock).submit(
        TencentRapidRequest(prompt="a chair")).task_id
    first = start(settings, fake_clock, engines, go=False)
    second = start(settings, fake_clock, engines, go=False)
    for _ in range(5):
        barrier = threading.Barrier(2)
        got = []

        def adopt(engine):
            barrier.wait()
            got.append(engine.adopt(task_id, output_dir=tmp_path / "out"))
        threads = [threading.Thread(target=adopt, args=(e,)) for e in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        assert len(got) == 2 and got[0] == got[1]
        following = [r for r in Journal(settings.home).records() if r.task_id == task_id]
        assert len(following) == 1


# -- item 10: an expired signed link is not retried as it is ---------------------------------

def file_gets(emulator):
    return [r for r in emulator.log if r.method == "GET" and r.path.startswith("/files/")]


def test_a_refused_link_is_answered_by_fresh_addresses_from_the_service(
        emulator, settings, fake_clock, engines, tmp_path):
    engine = start(settings, fake_clock, engines)
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"), output_dir=tmp_path / "out")
    task_id = engine.wait_submitted(job_id, timeout=600).task_id
    emulator.faults.refuse_downloads(1, status=403)
    [record] = engine.wait([job_id], timeout=3600)
    assert record.state == "DONE", record.error
    log = [(r.path, r.status) for r in emulator.log if r.method == "GET"]
    refused = next(i for i, (path, status) in enumerate(log) if status == 403)
    again = next(i for i, (path, _) in enumerate(log) if i > refused and path.startswith("/files/"))
    # Not the same link again at once: the service was asked for fresh ones in between.
    assert STATUS.format(task_id) in [path for path, _ in log[refused + 1:again]]
    assert len(file_gets(emulator)) == 2


def test_fresh_addresses_refused_too_end_with_one_clear_message(
        emulator, settings, fake_clock, engines, tmp_path):
    engine = start(settings, fake_clock, engines)
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"), output_dir=tmp_path / "out")
    task_id = engine.wait_submitted(job_id, timeout=600).task_id
    emulator.faults.refuse_downloads(50, status=401)
    events = []
    [record] = engine.wait([job_id], timeout=3600, on_event=events.append)
    assert record.state == "FAILED"
    assert f"download --task-id {task_id}" in record.error and "HTTP 401" in record.error
    assert "Gave up after" not in record.error
    assert len(file_gets(emulator)) == 2             # the link, then the fresh one: no more
    assert not list((tmp_path / "out").glob("*.part"))


def polls_of(emulator, task_id):
    return sum(1 for r in emulator.log if r.method == "GET" and r.path == STATUS.format(task_id))


# -- item 11: asset types that differ only in punctuation get names of their own -----------

def test_two_asset_types_differing_in_punctuation_do_not_share_a_file(
        emulator, settings, fake_clock, engines, tmp_path):
    from bridge.client import client_for
    client = client_for("3daistudio", settings, clock=fake_clock)
    task_id = client.submit(TencentRapidRequest(prompt="a chair")).task_id
    emulator.advance(3600)
    [model] = [a.url for a in client.status(task_id).results if a.asset_type == "3D_MODEL"]
    answer = json.dumps({"status": "FINISHED", "progress": 100, "results": [
        {"asset": model, "asset_type": "3D_MODEL"}, {"asset": model, "asset_type": "3D.MODEL"}]})
    emulator.faults.raw_errors(10, 200, answer, "application/json")
    engine = start(settings, fake_clock, engines)
    job_id = engine.adopt(task_id, output_dir=tmp_path / "out")
    [record] = engine.wait([job_id], timeout=3600)
    assert record.state == "DONE", record.error
    assert len(record.files) == 2 and len(set(record.files)) == 2
    assert sorted(p.rsplit("/", 1)[-1] for p in record.files) == [
        f"{job_id}_3d_model_1.glb", f"{job_id}_3d_model_2.glb"]
    assert {a["files"][0] for a in record.assets} == set(record.files)
    assert set(record.file_assets()) == set(record.files)
