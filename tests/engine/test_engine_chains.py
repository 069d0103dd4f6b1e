"""Chained jobs through the engine API against the emulator: retexture, retopology and bake
of local model files, each step paid once, the result showing the tool's effect."""

from __future__ import annotations

import numpy as np
import pytest
from model_samples import (
    ball_and_block,
    colour_at_faces,
    grey_ball,
    is_blue,
    is_red,
    read_file,
    two_colour_ball,
    write_model,
)
from service_paths import BAKE, CONVERT, TEXTURE_EDIT, TOPOLOGY  # noqa: F401

from bridge.api.chains import ChainStep, total_credits
from bridge.api.mesh_chains import ModelSource, bake_steps, retexture_steps, retopology_steps
from bridge.api.tencent import TencentTextureEditRequest
from bridge.api.tools import ConvertRequest
from bridge.engine import JobEngine
from bridge.engine.files import check_glb
from bridge.errors import ValidationError

CREDITS = 1_000_000


@pytest.fixture
def engine(settings, fake_clock):
    engines = []

    def make(start=True):
        eng = JobEngine(settings, home=settings.home, clock=fake_clock)
        engines.append(eng)
        return eng.start() if start else eng
    yield make
    for eng in engines:
        eng.shutdown()


@pytest.fixture
def chair(tmp_path):
    return write_model(tmp_path / "chair.glb", ball_and_block())


def run(eng, steps, out):
    job_ids = eng.submit_chain(steps, output_dir=out)
    eng.wait(job_ids, timeout=10_000)
    return [eng.job(j) for j in job_ids]


def paid(emulator) -> int:
    return sum(a.price for a in emulator.accepted)


def test_retexture_of_a_local_file_converts_it_once_and_recolours_the_copy(
        emulator, engine, chair, tmp_path):
    steps = retexture_steps(ModelSource(file=chair), prompt="weathered red paint")
    copy, edit = run(engine(), steps, tmp_path / "out")
    assert [a.endpoint for a in emulator.accepted] == [CONVERT, TEXTURE_EDIT]
    assert emulator.accepted[0].files == ["model_file"]            # the file, uploaded once
    # The copy is only an address: DONE, nothing downloaded, its URL fed the texture edit.
    assert copy.state == "DONE" and copy.files == [] and not copy.download
    assert emulator.accepted[1].body["file_url"] == copy.model_url("fbx")
    assert copy.model_url().endswith(".fbx") and copy.expires_at > copy.finished_at
    assert edit.state == "DONE", edit.error
    [result] = edit.files
    check_glb(tmp_path / "out" / result.rsplit("/", 1)[-1])
    painted = read_file(result)
    assert len(painted.triangles) == len(read_file(chair).triangles)
    assert is_red(colour_at_faces(painted)).mean() > 0.6
    # What was shown before spending is what was charged.
    assert total_credits(steps).low == total_credits(steps).high == paid(emulator) == 90
    assert CREDITS - emulator.balance == 90
    assert copy.chain == edit.chain and edit.meta["chain_step"] == 2 and \
        edit.meta["step_label"] == "retexture"


def test_retopology_of_a_local_file_has_far_fewer_faces(emulator, engine, chair, tmp_path):
    steps = retopology_steps(ModelSource(file=chair), face_level="low")
    copy, topo = run(engine(), steps, tmp_path / "out")
    assert [a.endpoint for a in emulator.accepted] == [CONVERT, TOPOLOGY]
    assert emulator.accepted[1].body == {"file_url": copy.model_url("glb"), "file_type": "GLB",
                                         "face_level": "low"}
    assert topo.state == "DONE", topo.error
    source, coarse = read_file(chair), read_file(topo.files[0])
    assert 0 < len(coarse.triangles) <= 0.1 * len(source.triangles)
    np.testing.assert_allclose(coarse.bounds(), source.bounds(), atol=0.03)
    assert paid(emulator) == total_credits(steps).low == 110


def test_bake_of_two_local_files_puts_the_high_polys_colours_on_the_low_poly(
        emulator, engine, tmp_path):
    high = write_model(tmp_path / "high.glb", two_colour_ball())
    low = write_model(tmp_path / "low.glb", grey_ball())
    steps = bake_steps(ModelSource(file=high), ModelSource(file=low), texture_resolution=256)
    high_copy, low_copy, bake = run(engine(), steps, tmp_path / "out")
    assert [a.endpoint for a in emulator.accepted] == [CONVERT, CONVERT, BAKE]
    assert emulator.accepted[2].body == {"original_url": high_copy.model_url(),
                                         "retopo_url": low_copy.model_url(),
                                         "texture_resolution": 256}
    assert bake.state == "DONE", bake.error
    assert high_copy.files == low_copy.files == []
    baked = read_file(bake.files[0])
    assert len(baked.triangles) == len(read_file(low).triangles)
    colours = colour_at_faces(baked)
    height = baked.triangles[:, :, 1].mean(axis=1)
    assert is_red(colours[height > 0.6]).mean() > 0.9
    assert is_blue(colours[height < 0.4]).mean() > 0.9
    assert paid(emulator) == total_credits(steps).low == 25 == CREDITS - emulator.balance


def test_a_fresh_address_is_reused_without_a_second_convert(emulator, engine, chair, tmp_path):
    eng = engine()
    copy, _ = run(eng, retexture_steps(ModelSource(file=chair), prompt="red"), tmp_path / "a")
    assert copy.urls_fresh(eng.clock.wall())
    # By job: a finished step's address feeds a new job at once.
    again = eng.submit(TencentTextureEditRequest(prompt="glossy blue"),
                       inputs={"file_url": copy.job_id}, output_dir=tmp_path / "b")
    # By address: a mesh that has one in the tool's format needs no convert.
    steps = retexture_steps(ModelSource(url=copy.model_url()), prompt="green moss")
    assert len(steps) == 1 and total_credits(steps).low == 80
    by_url = eng.submit_chain(steps, output_dir=tmp_path / "c")
    records = eng.wait([again, *by_url], timeout=10_000)
    assert all(r.state == "DONE" for r in records), [r.error for r in records]
    endpoints = [a.endpoint for a in emulator.accepted]
    assert endpoints.count(CONVERT) == 1 and endpoints.count(TEXTURE_EDIT) == 3
    assert {a.body["file_url"] for a in emulator.accepted[1:]} == {copy.model_url()}
    assert is_blue(colour_at_faces(read_file(eng.job(again).files[0]))).mean() > 0.6


def test_an_address_of_another_format_is_converted_without_an_upload(emulator, engine, tmp_path):
    eng = engine()
    glb_url = _hosted_glb(eng, tmp_path)
    before = len(emulator.accepted)
    steps = retexture_steps(ModelSource(url=glb_url), prompt="red")
    assert [s.label for s in steps] == ["FBX copy", "retexture"]
    copy, edit = run(eng, steps, tmp_path / "out")
    assert emulator.accepted[before].body == {"model_url": glb_url, "output_format": "fbx"}
    assert emulator.accepted[before].files == [] and edit.state == "DONE"


def _hosted_glb(eng, tmp_path) -> str:
    source = write_model(tmp_path / "src.glb", ball_and_block())
    job = eng.submit(ConvertRequest(model_file=source, output_format="glb"), download=False)
    [record] = eng.wait([job], timeout=10_000)
    return record.model_url()


def test_an_expired_input_is_refused_before_anything_is_sent(emulator, engine, chair, tmp_path):
    eng = engine()
    copy, _ = run(eng, retexture_steps(ModelSource(file=chair), prompt="red"), tmp_path / "a")
    eng.journal.update(copy.job_id, eng.clock.wall(), expires_at=eng.clock.wall() + 60)
    sent = len(emulator.accepted)
    with pytest.raises(ValidationError, match="has expired"):
        eng.submit(TencentTextureEditRequest(prompt="blue"), inputs={"file_url": copy.job_id})
    with pytest.raises(ValidationError, match="not in the journal"):
        eng.submit(TencentTextureEditRequest(prompt="blue"), inputs={"file_url": "nosuchjob"})
    assert len(emulator.accepted) == sent


def test_a_failed_step_fails_the_next_one_unpaid_and_says_which(emulator, engine, chair, tmp_path):
    emulator.faults.fail_next_job("the mesh could not be read")
    copy, edit = run(engine(), retexture_steps(ModelSource(file=chair), prompt="red"),
                     tmp_path / "out")
    assert copy.state == "FAILED" and edit.state == "FAILED"
    assert edit.error.startswith("Step 1 of 2 (copy on the service) failed: The service reports "
                                 "the job failed: the mesh could not be read")
    assert edit.error.endswith("; nothing was charged for step 2.")
    assert [a.endpoint for a in emulator.accepted] == [CONVERT]    # step 2 never sent
    assert emulator.balance == CREDITS                              # the failed convert refunded
    assert edit.task_id is None and edit.files == []


def test_cancelling_a_chain_cancels_the_steps_not_sent(emulator, engine, chair, tmp_path):
    eng = engine(start=False)
    ids = eng.submit_chain(retexture_steps(ModelSource(file=chair), prompt="red"),
                           output_dir=tmp_path / "out")
    assert [r.state for r in eng.chain(eng.job(ids[0]).chain)] == ["QUEUED", "WAITING"]
    assert eng.cancel_chain(eng.job(ids[0]).chain) == ids
    eng.start()
    records = eng.wait(ids, timeout=60)
    assert {r.state for r in records} == {"CANCELLED"}
    assert all("nothing was charged" in r.error for r in records)
    assert emulator.log == []


def test_cancelling_a_step_cancels_the_steps_waiting_for_it(emulator, engine, chair, tmp_path):
    eng = engine(start=False)
    copy, edit = eng.submit_chain(retexture_steps(ModelSource(file=chair), prompt="red"))
    assert eng.cancel(copy)
    assert eng.job(edit).state == "CANCELLED"
    assert eng.job(edit).error == ("Step 1 of 2 (copy on the service) was cancelled: Cancelled "
                                   "before it was sent: nothing was charged; nothing was "
                                   "charged for step 2.")
    events = [e for e in eng.drain() if e.job_id == edit]
    assert [e.kind for e in events] == ["cancelled"]


def test_a_failed_copy_cancels_the_other_copy_nobody_needs_any_more(emulator, engine, tmp_path):
    high = write_model(tmp_path / "high.glb", two_colour_ball(12, 24))
    low = write_model(tmp_path / "low.glb", grey_ball())
    eng = engine(start=False)
    ids = eng.submit_chain(bake_steps(ModelSource(file=high), ModelSource(file=low)))
    eng.journal.update(ids[0], eng.clock.wall(), state="FAILED", error="The upload was refused.")
    eng.start()
    records = {r.job_id: r for r in eng.wait(ids, timeout=60)}
    assert records[ids[2]].state == "FAILED"
    assert records[ids[2]].error == ("Step 1 of 3 (copy of the high-poly on the service) failed: "
                                     "The upload was refused; nothing was charged for step 3.")
    assert records[ids[1]].state == "CANCELLED"
    assert records[ids[1]].error.startswith("Not sent: Step 1 of 3")
    assert emulator.accepted == []


def test_a_placeholder_is_never_sent(emulator, engine, chair, tmp_path):
    eng = engine(start=False)
    copy, edit = eng.submit_chain(retexture_steps(ModelSource(file=chair), prompt="red"))
    assert "awaiting-input.invalid" in eng.job(edit).request["fields"]["file_url"]
    eng.journal.update(edit, eng.clock.wall(), state="QUEUED", inputs={})   # as if filled: a bug
    eng.cancel(copy)
    eng.start()
    [record] = eng.wait([edit], timeout=60)
    assert record.state == "FAILED" and "Nothing was sent" in record.error
    assert emulator.log == []


def test_a_step_takes_addresses_from_earlier_steps_only(emulator, engine, chair):
    eng = engine()
    steps = retexture_steps(ModelSource(file=chair), prompt="red")
    steps[1].inputs = {"file_url": 1}
    with pytest.raises(ValidationError, match="must be an earlier step"):
        eng.submit_chain(steps)
    assert eng.jobs() == [] and emulator.log == []


def test_a_bad_step_is_refused_before_any_step_is_journaled(emulator, engine, chair, tmp_path):
    eng = engine()
    steps = [ChainStep(ConvertRequest(model_file=chair, output_format="fbx"), download=False),
             ChainStep(TencentTextureEditRequest(), inputs={"file_url": 0})]   # no prompt
    with pytest.raises(ValidationError, match=r"^Step 2 of 2 \(Tencent texture edit\)"):
        eng.submit_chain(steps)
    assert eng.jobs() == [] and emulator.log == []
