"""Issue 20, items 1 and 2: a job held back by the key goes on as soon as the key changes.

A key revoked while a paid task is followed (the emulator's
``revoke_key_after_accept``) is not asked with again and again: the task is
kept (never failed, never resent), the job says it waits for a valid key and
this engine lets it go; ``credentials_changed()`` with a new key takes it up
at once. A job resumed without any key waits the same way. All on the
emulator's fake clock: no real waiting.
"""

from __future__ import annotations

from emulator_engines import STATUS, start_engine

from bridge.api.tencent import TencentRapidRequest
from bridge.config import Settings
from bridge.engine.model import KEY_MISSING_NOTE, KEY_REFUSED_NOTE

start = start_engine


def polls(emulator, task_id: str) -> int:
    return sum(1 for r in emulator.log if r.method == "GET" and r.path == STATUS.format(task_id))


def test_a_key_revoked_while_polling_keeps_the_task_and_stops_asking(
        emulator, settings, fake_clock, engines, tmp_path):
    emulator.faults.revoke_key_after_accept(1)
    engine = start(settings, fake_clock, engines)
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"), output_dir=tmp_path / "out")
    [record] = engine.wait([job_id], timeout=16 * 3600)     # 16 h of engine time
    task_id = record.task_id
    assert task_id and record.state == "RUNNING", record.error
    assert record.waiting_for_key and record.error.startswith(KEY_REFUSED_NOTE)
    assert "resume" in record.error and "test-key" not in record.error
    assert engine.waiting_for_key(job_id)
    asked = polls(emulator, task_id)
    assert asked == 1, f"{asked} polls with a refused key"
    fake_clock.advance(3600)
    engine.wait([job_id], timeout=600)
    assert polls(emulator, task_id) == asked          # still not asked again
    assert len(emulator.accepted) == 1                # never resent
    assert engine.job(job_id).state == "RUNNING"      # never failed

    # A new key: the job is taken up at once and delivered.
    emulator.api_key = settings.api_key = "new-key-5678"
    engine.credentials_changed()
    [record] = engine.wait([job_id], timeout=3600)
    assert record.state == "DONE", record.error
    assert record.files and len(emulator.accepted) == 1 and not record.waiting_for_key


def test_a_job_resumed_without_a_key_waits_for_it_and_goes_on_when_it_is_set(
        emulator, settings, fake_clock, engines, tmp_path):
    first = start(settings, fake_clock, engines)
    job_id = first.submit(TencentRapidRequest(prompt="a lamp"), output_dir=tmp_path / "out")
    task_id = first.wait_submitted(job_id, timeout=600).task_id
    first.shutdown()
    keyless = Settings(api_key="", api_url=settings.api_url, home=settings.home,
                       rate_limit=settings.rate_limit)
    engine = start(keyless, fake_clock, engines)
    [record] = engine.wait([job_id], timeout=600)
    assert record.state == "RUNNING" and record.error.startswith(KEY_MISSING_NOTE)
    assert record.waiting_for_key and engine.waiting_for_key(job_id)
    keyless.api_key = settings.api_key
    engine.credentials_changed()
    [record] = engine.wait([job_id], timeout=3600)
    assert record.state == "DONE", record.error
    assert record.task_id == task_id and len(emulator.accepted) == 1
