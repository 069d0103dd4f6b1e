"""Downloads that can never succeed fail at once and leave no half file; thumbnails are a bonus."""

from __future__ import annotations

import errno
import io
import threading
import time

import pytest
from engine_fakes import PNG, make_glb, make_zip

from bridge.api.tencent import TencentRapidRequest
from bridge.errors import DownloadError, ValidationError
from bridge.status import TaskStatus


class TooLargeError(DownloadError):
    """What the transport raises for a result over its size cap (shared ``permanent`` convention)."""

    permanent = True


def rapid():
    return TencentRapidRequest(prompt="a small wooden chair")


def run(engine, job_id):
    events = []
    [record] = engine.wait([job_id], timeout=1e7, on_event=events.append)
    return record, events


def leftovers(folder):
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith((".part", ".extracting")))


def zip_bomb() -> bytes:
    return make_zip({"huge.bin": b"\0" * (8 * 1024 ** 2)})


@pytest.mark.parametrize("name, blob, words", [
    ("traversal", make_zip({"../../evil.sh": b"rm -rf ~"}), "unsafe path"),
    ("zip bomb", zip_bomb(), "zip bomb"),
    ("corrupt GLB", b"GLTF" + make_glb()[4:], "no glTF magic"),
])
def test_integrity_failures_fail_at_once_and_are_never_fetched_again(
        make_engine, service, tmp_path, name, blob, words):
    url = "https://cdn.test/result.zip" if "zip" in name or name == "traversal" else \
        "https://cdn.test/m.glb"
    service.results = [(url, "3D_MODEL")]
    service.blobs[url] = blob
    engine = make_engine()
    job_id = engine.submit(rapid(), output_dir=tmp_path / "out")
    record, events = run(engine, job_id)
    assert record.state == "FAILED", name
    assert words in record.error and "cannot succeed by downloading again" in record.error
    assert service.downloads.count(url) == 1
    assert events[-1].kind == "failed" and service.submit_calls == 1
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]   # nothing unsafe kept


def test_a_result_over_the_size_cap_fails_at_once_and_its_part_file_goes(
        make_engine, service, tmp_path):
    def too_large(dest):
        dest.with_name(dest.name + ".part").write_bytes(b"\0" * 4096)   # what arrived so far
        raise TooLargeError("The result file is larger than allowed (2 GiB).")
    service.download_script["https://cdn.test/m.glb"] = [too_large]
    engine = make_engine()
    job_id = engine.submit(rapid(), output_dir=tmp_path / "out")
    record, _ = run(engine, job_id)
    assert record.state == "FAILED" and "larger than allowed" in record.error
    assert service.downloads.count("https://cdn.test/m.glb") == 1
    assert leftovers(tmp_path / "out") == []


def test_a_full_disk_keeps_no_part_file_and_ends_with_advice(make_engine, service, tmp_path):
    def disk_full(dest):
        dest.with_name(dest.name + ".part").write_bytes(b"\0" * 4096)
        raise OSError(errno.ENOSPC, "No space left on device")
    service.download_script["https://cdn.test/m.glb"] = [disk_full] * 10
    engine = make_engine()
    job_id = engine.submit(rapid(), output_dir=tmp_path / "out")
    record, events = run(engine, job_id)
    assert record.state == "FAILED" and "No space left on device" in record.error
    assert str(tmp_path / "out") in record.error and "Gave up after 5 tries" in record.error
    retries = [e.message for e in events if "Trying again" in e.message]
    assert retries and "Free some space" in retries[0]
    assert leftovers(tmp_path / "out") == []


def test_a_full_disk_that_frees_up_is_downloaded_after_all(make_engine, service, tmp_path):
    def disk_full(dest):
        raise OSError(errno.ENOSPC, "No space left on device")
    service.download_script["https://cdn.test/m.glb"] = [disk_full, disk_full]
    engine = make_engine()
    job_id = engine.submit(rapid(), output_dir=tmp_path / "out")
    record, _ = run(engine, job_id)
    assert record.state == "DONE" and len(record.files) == 1


def test_cancelling_a_download_removes_its_part_file(make_engine, service, tmp_path):
    engine = make_engine()

    cancelled = threading.Event()

    def cut_off(dest):
        # The transfer is under way (its .part on disk) when the user cancels.
        dest.with_name(dest.name + ".part").write_bytes(b"\0" * 4096)
        cancelled.wait(30)
        raise DownloadError("Download cut off at 4096 of 9999 bytes.")
    service.download_script["https://cdn.test/m.glb"] = [cut_off] * 3
    job_id = engine.submit(rapid(), output_dir=tmp_path / "out")
    while not leftovers(tmp_path / "out"):
        engine.clock.sleep(1)
    assert engine.cancel(job_id)
    cancelled.set()
    deadline = time.monotonic() + 10
    while leftovers(tmp_path / "out") and time.monotonic() < deadline:
        time.sleep(0.01)
    assert leftovers(tmp_path / "out") == []


def test_finished_with_empty_results_forever_is_bounded_and_told(make_engine, service):
    empty = TaskStatus("task-1", "FINISHED", 100, None, [])
    service.status_script["task-1"] = [empty] * 1000
    service.duration = 1.0
    engine = make_engine()
    job_id = engine.submit(rapid())
    record, events = run(engine, job_id)
    assert record.state == "FAILED"
    assert "listed no result files in 12 checks" in record.error and "task-1" in record.error
    told = [e for e in events if "has not listed the result files yet" in e.message]
    assert told and told[0].state == "RUNNING"
    assert 12 <= service.status_calls.count("task-1") <= 14
    assert service.submit_calls == 1


def test_an_output_folder_that_is_a_file_fails_at_submit_before_anything_is_paid(
        make_engine, service, tmp_path):
    engine = make_engine()
    a_file = tmp_path / "results.txt"
    a_file.write_text("not a folder")
    for output_dir, words in ((a_file, "is a file"), (a_file / "sub", "is a file")):
        with pytest.raises(ValidationError, match=words):
            engine.submit(rapid(), output_dir=output_dir)
    assert engine.jobs() == [] and service.submit_calls == 0


def test_cli_output_dir_that_is_a_file_costs_nothing(emulator, settings, tmp_path):
    from bridge.cli import main
    from bridge.cli.commands import Context
    a_file = tmp_path / "out.glb"
    a_file.write_bytes(b"x")
    err = io.StringIO()
    env = {"3D_AI_STUDIO_API_KEY": "test-key", "3D_AI_STUDIO_API_URL": emulator.url,
           "AISTUDIO_HOME": str(tmp_path / "home")}
    code = main(["tencent-rapid", "--prompt", "a chair", "--wait", "--output-dir", str(a_file)],
                ctx=Context(environ=env, stdout=io.StringIO(), stderr=err))
    assert code == 2 and "is a file" in err.getvalue() and "Nothing was sent" in err.getvalue()
    assert emulator.accepted == [] and emulator.log == []


# -- thumbnails -------------------------------------------------------------------------

def test_a_result_thumbnail_is_downloaded_checked_and_listed(make_engine, service, tmp_path):
    service.results = [("https://cdn.test/m.glb", "3D_MODEL", "https://cdn.test/thumb?size=256")]
    service.blobs["https://cdn.test/thumb?size=256"] = PNG
    engine = make_engine()
    job_id = engine.submit(rapid(), output_dir=tmp_path / "out")
    record, events = run(engine, job_id)
    assert record.state == "DONE"
    names = sorted(p.rsplit("/", 1)[-1] for p in record.files)
    assert names == [f"{job_id}_3d_model_1.glb", f"{job_id}_thumbnail_1.png"]
    assert (tmp_path / "out" / f"{job_id}_thumbnail_1.png").read_bytes() == PNG
    assert events[-1].kind == "finished" and events[-1].files == record.files


@pytest.mark.parametrize("problem", ["html", "error"])
def test_a_broken_thumbnail_never_fails_the_job(make_engine, service, tmp_path, problem):
    service.results = [("https://cdn.test/m.glb", "3D_MODEL", "https://cdn.test/t.png")]
    service.blobs["https://cdn.test/t.png"] = b"<html>expired</html>"
    if problem == "error":
        service.download_script["https://cdn.test/t.png"] = [DownloadError("HTTP 403.")] * 5
    engine = make_engine()
    job_id = engine.submit(rapid(), output_dir=tmp_path / "out")
    record, events = run(engine, job_id)
    assert record.state == "DONE" and [p.rsplit("/", 1)[-1] for p in record.files] == [
        f"{job_id}_3d_model_1.glb"]
    assert any("thumbnail could not be downloaded" in e.message for e in events)
    assert service.downloads.count("https://cdn.test/t.png") == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{job_id}_3d_model_1.glb"]


def test_a_failure_reason_that_echoes_the_key_is_scrubbed_everywhere(make_engine, service,
                                                                    eng_settings):
    from engine_fakes import SECRET

    from bridge.errors import NotSentError
    service.submit_script = [NotSentError(f"refused for key {SECRET}")]
    service.failed["task-1"] = f"invalid request from Bearer {SECRET} ({SECRET})"
    engine = make_engine()
    job_id = engine.submit(rapid())
    record, events = run(engine, job_id)
    assert record.state == "FAILED" and "***" in record.error
    assert all(SECRET not in e.message for e in events)
    assert SECRET not in record.error
    for path in eng_settings.home.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
