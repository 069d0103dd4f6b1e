"""Adopting a task submitted elsewhere (the website, another machine): followed like any job."""

from __future__ import annotations

import pytest
from model_samples import ball_and_block, colour_at_faces, is_red, read_file, write_model

from bridge.api.tencent import TencentRapidRequest, TencentTextureEditRequest
from bridge.api.tools import ConvertRequest
from bridge.client import client_for
from bridge.engine import JobEngine
from bridge.engine.files import check_glb
from bridge.errors import ValidationError

STATUS = "/v1/generation-request/{}/status/"


@pytest.fixture
def engine(settings, fake_clock):
    eng = JobEngine(settings, home=settings.home, clock=fake_clock).start()
    yield eng
    eng.shutdown()


@pytest.fixture
def elsewhere(settings, fake_clock):
    """Submits like the website would: straight to the service, not through our journal."""
    client = client_for("3daistudio", settings, clock=fake_clock)
    return lambda request: client.submit(request).task_id


def test_adopting_a_finished_task_downloads_its_files_and_charges_nothing(
        emulator, engine, elsewhere, tmp_path):
    task = elsewhere(TencentRapidRequest(prompt="a chair"))
    emulator.advance(3600)                     # long finished when it is adopted
    balance = emulator.balance
    job_id = engine.adopt(task, output_dir=tmp_path / "out", label="from the website")
    [record] = engine.wait([job_id], timeout=10_000)
    assert record.state == "DONE", record.error
    assert record.task_id == task and record.origin == "adopted" and record.kind == "imported"
    assert record.label == "from the website" and record.credits_low is None
    [model] = record.files
    assert model == str(tmp_path / "out" / f"{job_id}_3d_model_1.glb")
    check_glb(tmp_path / "out" / f"{job_id}_3d_model_1.glb")
    assert len(emulator.accepted) == 1 and emulator.balance == balance
    # Finished before we first looked: when its addresses expire is not known.
    assert record.expires_at is None and not record.urls_fresh(engine.clock.wall())
    assert record.asset_of(model)["url"] == record.assets[0]["url"]


def test_adopting_a_running_task_follows_it_to_the_end(emulator, settings, fake_clock, elsewhere,
                                                      tmp_path):
    # Started after the adoption: an idle engine's naps would move the fake clock on.
    engine = JobEngine(settings, home=settings.home, clock=fake_clock)
    task = elsewhere(TencentRapidRequest(prompt="a lamp"))
    job_id = engine.adopt(task, output_dir=tmp_path / "out")
    events = []
    try:
        [record] = engine.start().wait([job_id], timeout=10_000, on_event=events.append)
    finally:
        engine.shutdown()
    assert record.state == "DONE" and len(record.files) == 1
    assert any(f"Found task {task} on the service" in e.message for e in events)
    # Seen running, then finished: its addresses' expiry is known (24 h, never late).
    assert record.expires_at is not None
    assert record.finished_at < record.expires_at <= record.finished_at + 24 * 3600


def test_adopting_an_expired_task_says_so(emulator, engine, elsewhere, tmp_path):
    task = elsewhere(TencentRapidRequest(prompt="a vase"))
    emulator.advance(3600)
    emulator.expire(task)
    [record] = engine.wait([engine.adopt(task, output_dir=tmp_path / "out")], timeout=10_000)
    assert record.state == "EXPIRED"
    assert "expired on the service (HTTP 410)" in record.error and "24 hours" in record.error
    assert record.files == []


def test_adopting_a_task_the_key_does_not_know_fails_at_once(emulator, engine, tmp_path):
    task = "0b7d5a8e-1111-4222-8333-944455556666"
    [record] = engine.wait([engine.adopt(task, output_dir=tmp_path / "out")], timeout=10_000)
    assert record.state == "FAILED"
    assert record.error.startswith(f"The service has no task {task} for this API key (HTTP 404)")
    asked = [r for r in emulator.log if r.path == STATUS.format(task)]
    assert len(asked) == 1                      # told at once, not after retries


def test_a_task_already_followed_is_not_adopted_twice(emulator, engine, elsewhere, tmp_path):
    task = elsewhere(TencentRapidRequest(prompt="a cup"))
    first = engine.adopt(task, output_dir=tmp_path / "out")
    assert engine.adopt(task, output_dir=tmp_path / "elsewhere") == first
    engine.wait([first], timeout=10_000)
    assert [p.name for p in (tmp_path / "out").iterdir()] == [f"{first}_3d_model_1.glb"]


@pytest.mark.parametrize("bad", ["", "   ", "abc", "a b c d e", "../../etc/passwd", "x" * 200,
                                 "3f2c9a4e\x1b[31m"])
def test_something_that_is_not_a_task_id_is_refused_before_anything(emulator, engine, bad):
    with pytest.raises(ValidationError, match="is not a task id"):
        engine.adopt(bad)
    assert emulator.log == [] and engine.jobs() == []


def test_an_adopted_result_feeds_a_chained_job(emulator, engine, elsewhere, tmp_path):
    """A copy made on another machine is retextured here without a second convert."""
    source = write_model(tmp_path / "chair.glb", ball_and_block())
    task = elsewhere(ConvertRequest(model_file=source, output_format="fbx"))
    copy = engine.adopt(task, download=False)
    edit = engine.submit(TencentTextureEditRequest(prompt="red"), inputs={"file_url": copy},
                         output_dir=tmp_path / "out")
    records = {r.job_id: r for r in engine.wait([copy, edit], timeout=10_000)}
    assert records[copy].state == "DONE" and records[copy].files == []
    assert records[edit].state == "DONE", records[edit].error
    assert [a.endpoint for a in emulator.accepted] == ["/v1/tools/convert/",
                                                       "/v1/3d-models/tencent/texture-edit/"]
    assert is_red(colour_at_faces(read_file(records[edit].files[0]))).mean() > 0.6
