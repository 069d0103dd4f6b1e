"""Fault tests: the engine against the local emulator over real HTTP on loopback.

The emulator runs in-process on the real clock at a high time scale; the
engine runs on a ScaledClock with the same scale, so a 90 s job takes under
a second and every result is checked on disk.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.api.miniature import MiniatureRequest
from bridge.api.tencent import TencentRapidRequest
from bridge.clock import ScaledClock
from bridge.config import Settings
from bridge.emulator import Emulator
from bridge.engine import JobEngine
from bridge.engine.files import check_file

SCALE = 200.0
SAMPLE = "/work/shared/samples"


@pytest.fixture
def emu():
    with Emulator(api_key="test-key", image3d_token="i3d-token", time_scale=SCALE) as emulator:
        yield emulator


@pytest.fixture
def emu_engine(emu, tmp_path):
    engines = []

    def make(rate_limit=60, start=True):
        settings = Settings(api_key="test-key", api_url=emu.url, image3d_token="i3d-token",
                            image3d_url=emu.url, home=tmp_path / "home", rate_limit=rate_limit)
        engine = JobEngine(settings, home=settings.home, clock=ScaledClock(SCALE))
        engines.append(engine)
        return engine.start() if start else engine

    yield make
    for engine in engines:
        engine.shutdown()


def finish(engine, job_ids, timeout=20_000):
    events = []
    records = engine.wait(job_ids, timeout=timeout, on_event=events.append)
    return records, events


def assert_delivered(record):
    assert record.state == "DONE", record.error
    assert record.files
    for path in record.files:
        check_file(Path(path))


def test_a_miniature_delivers_checked_files_and_one_paid_submit(emu, emu_engine):
    sample = str(sorted(Path(SAMPLE).glob("*.png"))[0])
    engine = emu_engine()
    job_id = engine.submit(MiniatureRequest(image=sample, edition="fast", scale="h0"))
    [record], events = finish(engine, [job_id])
    assert_delivered(record)
    names = {p.rsplit("/", 1)[-1] for p in record.files}
    assert f"{job_id}_3d_model_1.glb" in names and f"{job_id}_edited_image_1.png" in names
    assert len(emu.accepted) == 1
    assert [e.kind for e in events][-1] == "finished"


def test_5xx_burst_is_retried_without_a_second_charge(emu, emu_engine):
    emu.faults.server_errors(3, status=503)
    engine = emu_engine()
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"))
    [record], _ = finish(engine, [job_id])
    assert_delivered(record)
    assert len(emu.accepted) == 1
    assert sum(1 for r in emu.log if r.status == 503) == 3


def test_dropped_poll_is_retried(emu, emu_engine):
    engine = emu_engine()
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"))
    while engine.job(job_id).task_id is None:
        engine.clock.sleep(1)
    emu.faults.drop_connections(2)        # the next calls are polls: GETs are safe to repeat
    [record], _ = finish(engine, [job_id])
    assert_delivered(record)
    assert len(emu.accepted) == 1


def test_dropped_submit_answer_is_unknown_and_never_resent(emu, emu_engine):
    emu.faults.drop_connections(1, after_accept=True)
    engine = emu_engine()
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"))
    [record], events = finish(engine, [job_id])
    assert record.state == "UNKNOWN"
    assert "job list" in events[-1].message
    engine.shutdown()
    restarted = emu_engine()
    restarted.clock.sleep(30)
    assert restarted.job(job_id).state == "UNKNOWN"
    assert len(emu.accepted) == 1         # charged once, and only once
    assert sum(1 for r in emu.log if r.method == "POST") == 1


def test_submit_dropped_before_accept_is_also_not_resent(emu, emu_engine):
    # The client cannot tell "dropped before" from "dropped after" a POST was
    # taken: the engine errs on the side of never paying twice.
    engine = emu_engine()
    engine._wallet_checked.add("3daistudio")   # make the POST the next API call
    emu.faults.drop_connections(1)
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"))
    [record], _ = finish(engine, [job_id])
    assert record.state == "UNKNOWN"
    assert len(emu.accepted) == 0


def test_truncated_download_is_resumed(emu, emu_engine):
    emu.faults.truncate_downloads(1)
    engine = emu_engine()
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"))
    [record], _ = finish(engine, [job_id])
    assert_delivered(record)
    assert len(emu.accepted) == 1


def test_429_pauses_for_retry_after_and_every_job_is_paid_once(emu, emu_engine):
    emu.set_rate_limit(6)                  # the engine believes 60/min until told otherwise
    engine = emu_engine(rate_limit=60)
    engine._wallet_checked.add("3daistudio")
    ids = [engine.submit(TencentRapidRequest(prompt=f"chair {i}")) for i in range(4)]
    records, _ = finish(engine, ids)
    for record in records:
        assert_delivered(record)
    assert sorted(a.task_id for a in emu.accepted) == sorted(r.task_id for r in records)
    assert any(r.status == 429 for r in emu.log)


def test_wallet_rate_limit_raises_the_budget(emu, emu_engine):
    emu.set_rate_limit(30)
    engine = emu_engine(rate_limit=3)
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"))
    [record], _ = finish(engine, [job_id])
    assert_delivered(record)
    assert engine.slot_seconds() == pytest.approx(2.0)
    assert not any(r.status == 429 for r in emu.log)


def test_finished_with_empty_results_keeps_polling(emu, emu_engine):
    emu.faults.empty_results_polls(2)
    engine = emu_engine()
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"))
    [record], _ = finish(engine, [job_id])
    assert_delivered(record)


def test_failed_job_reports_reason_and_refund(emu, emu_engine):
    emu.faults.fail_next_job("the picture shows no object")
    engine = emu_engine()
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"))
    [record], events = finish(engine, [job_id])
    assert record.state == "FAILED"
    assert "the picture shows no object" in events[-1].message and "refunded" in events[-1].message


def test_410_ends_expired(emu, emu_engine):
    engine = emu_engine()
    job_id = engine.submit(TencentRapidRequest(prompt="a chair"))
    while engine.job(job_id).task_id is None:
        engine.clock.sleep(1)
    emu.expire(engine.job(job_id).task_id)
    [record], events = finish(engine, [job_id])
    assert record.state == "EXPIRED"
    assert events[-1].kind == "expired" and "410" in events[-1].message
