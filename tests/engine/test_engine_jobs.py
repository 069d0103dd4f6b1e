"""The engine's promises, on a fake clock against a scripted fake service."""

from __future__ import annotations

import sqlite3
import time

import pytest
from engine_fakes import EXPIRED, SECRET, make_glb

from bridge.api.tencent import TencentRapidRequest
from bridge.api.trellis import Trellis2Request
from bridge.engine import JobEngine
from bridge.engine.journal import Journal
from bridge.errors import ConfigError, NotSentError, ServerError, UncertainDeliveryError, ValidationError
from bridge.status import TaskStatus


def rapid(prompt="a small wooden chair"):
    return TencentRapidRequest(prompt=prompt)


def kinds(events):
    return [e.kind for e in events]


def run(engine, job_ids, timeout=1e7):  # fake seconds: the fake clock races ahead
    events = []
    records = engine.wait(job_ids, timeout=timeout, on_event=events.append)
    return records, events


def test_submit_refuses_invalid_request_before_anything_is_written(make_engine, service):
    engine = make_engine()
    with pytest.raises(ValidationError):
        engine.submit(TencentRapidRequest())          # neither prompt nor image
    assert engine.jobs() == []
    assert service.submit_calls == 0


def test_submit_without_key_raises_config_error(make_engine, eng_settings, service):
    eng_settings.api_key = ""
    engine = make_engine()
    with pytest.raises(ConfigError):
        engine.submit(rapid())
    assert engine.jobs() == [] and service.submit_calls == 0


def test_submit_returns_at_once_and_journals_queued(make_engine, service):
    engine = make_engine(start=False)                 # no threads: nothing can be sent
    job_id = engine.submit(rapid(), label="chair", meta={"model": "rapid"})
    record = engine.job(job_id)
    assert record.state == "QUEUED" and record.task_id is None
    assert record.label == "chair" and record.meta == {"model": "rapid"}
    assert (record.credits_low, record.credits_high) == (35, 35)
    assert record.request["type"] == "TencentRapidRequest"
    assert service.submit_calls == 0


def test_happy_path_downloads_checked_files_under_our_names(make_engine, service, tmp_path):
    service.results = [("https://cdn.test/m.glb", "3D_MODEL"), ("https://cdn.test/p.png", "IMAGE")]
    engine = make_engine()
    job_id = engine.submit(rapid(), output_dir=tmp_path / "out")
    [record], events = run(engine, [job_id])
    assert record.state == "DONE", record.error
    assert record.task_id == "task-1" and record.progress == 100
    names = sorted(p.rsplit("/", 1)[-1] for p in record.files)
    assert names == [f"{job_id}_3d_model_1.glb", f"{job_id}_image_1.png"]
    assert all(p.startswith(str(tmp_path / "out")) for p in record.files)
    assert kinds(events)[0] == "submitted" and kinds(events)[-1] == "finished"
    assert events[0].task_id == "task-1"
    assert events[-1].files == record.files
    assert "downloaded" in kinds(events)
    assert service.submit_calls == 1


def test_journal_row_is_submitting_before_the_post_and_key_never_stored(make_engine, service,
                                                                        eng_settings):
    seen = []

    def peek(request):
        # Another connection, as a crash-restarted process would see it.
        seen.extend(r.state for r in Journal(eng_settings.home).records())
    service.on_submit = peek
    engine = make_engine()
    job_id = engine.submit(rapid())
    [record], _ = run(engine, [job_id])
    assert seen == ["SUBMITTING"]
    assert record.state == "DONE"
    for path in eng_settings.home.glob("journal.sqlite3*"):
        assert SECRET.encode() not in path.read_bytes()
    conn = sqlite3.connect(eng_settings.home / "journal.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_lost_submit_answer_makes_job_unknown_and_it_is_never_resent(make_engine, service):
    service.submit_script = [UncertainDeliveryError("The connection broke after sending.")]
    engine = make_engine()
    job_id = engine.submit(rapid())
    [record], events = run(engine, [job_id])
    assert record.state == "UNKNOWN"
    assert events[-1].kind == "unknown" and "job list" in events[-1].message
    engine.shutdown()
    again = make_engine()                              # a restart must not resend it
    assert again.wait([job_id], timeout=120)[0].state == "UNKNOWN"
    assert service.submit_calls == 1


def test_not_sent_and_5xx_keep_job_queued_then_submit_once(make_engine, service):
    service.submit_script = [NotSentError("refused"), ServerError("HTTP 503", status=503)]
    engine = make_engine()
    job_id = engine.submit(rapid())
    [record], events = run(engine, [job_id])
    assert record.state == "DONE"
    assert service.submit_calls == 3 and service.submits == ["task-1"]
    retries = [e for e in events if e.kind == "progress" and "Trying again" in e.message]
    assert len(retries) == 2 and retries[0].state == "QUEUED"


def test_crash_between_post_and_answer_becomes_unknown_on_restart(make_engine, eng_settings,
                                                                  service):
    first = make_engine(start=False)
    job_id = first.submit(rapid())
    first.journal.update(job_id, 0.0, state="SUBMITTING", lease_owner=None, lease_until=0)
    engine = make_engine()
    [record], events = run(engine, [job_id])
    assert record.state == "UNKNOWN"
    assert [e.kind for e in events] == ["unknown"]
    assert "not charged twice" in record.error
    assert service.submit_calls == 0


def test_restart_resumes_running_job_without_resubmitting(make_engine, service, tmp_path):
    first = make_engine(start=False)
    job_id = first.submit(rapid(), output_dir=tmp_path / "out")
    service.tasks["task-77"] = service.clock.now()
    first.journal.update(job_id, 0.0, state="RUNNING", task_id="task-77",
                         submitted_at=service.clock.wall(), lease_owner=None, lease_until=0)
    engine = make_engine()
    [record], events = run(engine, [job_id])
    assert record.state == "DONE" and record.task_id == "task-77"
    assert (tmp_path / "out" / f"{job_id}_3d_model_1.glb").is_file()
    assert service.submit_calls == 0
    assert set(service.status_calls) == {"task-77"}


def test_failed_job_reports_reason_and_refund(make_engine, service):
    engine = make_engine()
    service.failed["task-1"] = "content policy violation"
    job_id = engine.submit(rapid())
    [record], events = run(engine, [job_id])
    assert record.state == "FAILED"
    assert events[-1].kind == "failed"
    assert "content policy violation" in events[-1].message
    assert "refunded" in events[-1].message


def test_finished_with_empty_results_keeps_polling(make_engine, service):
    engine = make_engine()
    empty = TaskStatus("task-1", "FINISHED", 100, None, [])
    service.status_script["task-1"] = [empty, empty]
    service.duration = 1.0
    job_id = engine.submit(rapid())
    [record], _ = run(engine, [job_id])
    assert record.state == "DONE" and len(record.files) == 1
    assert service.status_calls.count("task-1") >= 3


def test_410_on_status_ends_expired_with_clear_message(make_engine, service):
    engine = make_engine()
    service.status_script["task-1"] = [EXPIRED]
    job_id = engine.submit(rapid())
    [record], events = run(engine, [job_id])
    assert record.state == "EXPIRED"
    assert events[-1].kind == "expired" and "24 hours" in events[-1].message


def test_410_mid_download_keeps_files_already_downloaded(make_engine, service):
    service.results = [("https://cdn.test/m.glb", "3D_MODEL"), ("https://cdn.test/p.png", "IMAGE")]
    service.download_script["https://cdn.test/p.png"] = [EXPIRED]
    engine = make_engine()
    job_id = engine.submit(rapid())
    [record], events = run(engine, [job_id])
    assert record.state == "EXPIRED"
    assert len(record.files) == 1 and record.files[0].endswith("_3d_model_1.glb")
    assert events[-1].files == record.files and "stay available" in events[-1].message


def test_corrupt_download_is_fetched_again(make_engine, service):
    truncated = make_glb()[:-8]
    service.download_script["https://cdn.test/m.glb"] = [truncated]
    engine = make_engine()
    job_id = engine.submit(rapid())
    [record], _ = run(engine, [job_id])
    assert record.state == "DONE"
    assert service.downloads.count("https://cdn.test/m.glb") == 2


def test_url_extension_is_not_trusted_content_names_the_file(make_engine, service):
    service.results = [("https://cdn.test/../../evil.exe?x=1", "3D_MODEL")]
    service.blobs["https://cdn.test/../../evil.exe?x=1"] = make_glb()
    engine = make_engine()
    job_id = engine.submit(rapid())
    [record], _ = run(engine, [job_id])
    assert record.state == "DONE"
    assert record.files[0].rsplit("/", 1)[-1] == f"{job_id}_3d_model_1.glb"


def test_cancel_stops_polling_and_says_credits_are_not_refunded(make_engine, service):
    service.duration = 10_000
    engine = make_engine()
    job_id = engine.submit(rapid())
    engine.wait([job_id], timeout=60)                 # submitted, now polling
    assert engine.job(job_id).task_id == "task-1"
    assert engine.cancel(job_id) is True
    polls = len(service.status_calls)
    [record], events = run(engine, [job_id], timeout=600)
    assert record.state == "CANCELLED"
    cancelled = [e for e in events if e.kind == "cancelled"]
    assert cancelled and "not refunded" in cancelled[0].message
    engine.clock.advance(5000)
    time.sleep(0.05)
    assert len(service.status_calls) <= polls + 1     # at most the one already under way
    assert engine.cancel(job_id) is False


def test_polls_follow_expected_finish_not_a_fixed_beat(make_engine, service):
    service.duration = 100.0                       # Trellis expects 90 s
    engine = make_engine()
    engine.min_poll_interval = 2.0
    job_ids = [engine.submit(Trellis2Request(image_url="https://example.com/a.png"))
               for _ in range(30)]
    records, _ = run(engine, job_ids)
    assert all(r.state == "DONE" for r in records)
    # 30 busy jobs at 3 requests/minute: nobody can afford progress polls, so each
    # job is polled near its expected finish and then only a few times more.
    assert len(service.status_calls) <= 30 * 3


def test_wait_times_out_and_returns_active_records(make_engine, service):
    service.duration = 10_000
    engine = make_engine()
    job_id = engine.submit(rapid())
    [record] = engine.wait([job_id], timeout=100)
    assert record.state in ("QUEUED", "SUBMITTING", "RUNNING")


def test_shutdown_stops_threads_quickly_on_a_real_clock(eng_settings, service, tmp_path):
    from bridge.clock import SYSTEM_CLOCK
    service.clock = SYSTEM_CLOCK
    service.duration = 3600
    engine = JobEngine(eng_settings, home=tmp_path / "h", clock=SYSTEM_CLOCK,
                       client_factory=service.client, workers=3).start()
    job_id = engine.submit(rapid())
    deadline = time.monotonic() + 5
    while engine.job(job_id).task_id is None and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    engine.shutdown(timeout=2.0)
    assert time.monotonic() - started < 2.0
    assert engine._threads and not any(t.is_alive() for t in engine._threads)
    # Released, so a new engine resumes it at once.
    assert engine.journal.row(job_id)["lease_owner"] is None


def test_two_engines_never_work_on_the_same_job(eng_settings, clock, tmp_path):
    from engine_fakes import FakeService
    service_a, service_b = FakeService(clock), FakeService(clock)
    for svc in (service_a, service_b):
        svc.tasks.update({f"t{i}": clock.now() for i in range(6)})
    journal = JobEngine(eng_settings, home=tmp_path / "j", clock=clock,
                        client_factory=service_a.client)
    ids = []
    for i in range(6):
        job_id = journal.submit(rapid(f"chair {i}"))
        journal.journal.update(job_id, 0.0, state="RUNNING", task_id=f"t{i}",
                               submitted_at=clock.wall(), lease_owner=None, lease_until=0)
        ids.append(job_id)
    a = JobEngine(eng_settings, home=tmp_path / "j", clock=clock, client_factory=service_a.client)
    b = JobEngine(eng_settings, home=tmp_path / "j", clock=clock, client_factory=service_b.client)
    try:
        a.start(), b.start()
        records = a.wait(ids, timeout=1e7)
        b.wait(ids, timeout=1e7)
    finally:
        a.shutdown(), b.shutdown()
    assert all(r.state == "DONE" for r in records)
    assert not set(service_a.status_calls) & set(service_b.status_calls)
    assert len(service_a.downloads) + len(service_b.downloads) == 6


def test_drain_is_cheap_on_the_main_thread(make_engine):
    from bridge.engine import Event
    engine = make_engine(start=False)
    for i in range(20_000):
        engine.emit(Event("progress", f"j{i}", progress=i % 100))
    started = time.perf_counter()
    got = []
    while True:
        batch = engine.drain(max_events=32)
        if not batch:
            break
        got.extend(batch)
    per_event = (time.perf_counter() - started) / len(got)
    assert len(got) == 20_000 and got[0].job_id == "j0"
    assert per_event < 50e-6


def test_offline_jobs_wait_without_sending_and_say_so_once(make_engine, service):
    online = {"on": False}
    engine = make_engine(online_check=lambda: online["on"])
    job_id = engine.submit(rapid())
    seen = []
    [record] = engine.wait([job_id], timeout=120, on_event=seen.append)
    assert record.state == "QUEUED" and service.submit_calls == 0
    notes = [e for e in seen if "online access" in e.message]
    assert len(notes) == 1
    online["on"] = True
    [record], events = run(engine, [job_id])
    assert record.state == "DONE" and service.submit_calls == 1
    assert len(notes) + len([e for e in events if "online access" in e.message]) == 1


def test_a_dead_local_holder_gives_up_its_lease_at_once(make_engine, service, tmp_path):
    import socket
    import subprocess
    import sys

    from bridge.engine.leases import holder_is_dead, new_owner_id
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = f"{socket.gethostname()}:{child.pid}:abcd1234"
    assert holder_is_dead(dead) and not holder_is_dead(new_owner_id())
    assert not holder_is_dead(f"other-host:{child.pid}:abcd1234")
    first = make_engine(start=False)
    job_id = first.submit(rapid(), output_dir=tmp_path / "out")
    service.tasks["task-9"] = service.clock.now()
    # A live lease, but its holder (a killed process on this machine) is gone.
    first.journal.update(job_id, 0.0, state="RUNNING", task_id="task-9",
                         submitted_at=service.clock.wall(), lease_owner=dead,
                         lease_until=time.time() + 3600)
    engine = make_engine()
    [record], _ = run(engine, [job_id])
    assert record.state == "DONE" and service.submit_calls == 0
