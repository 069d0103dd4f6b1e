"""``python -m bridge batch`` against the emulator: one estimate, every item journaled, re-runs skip."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from bridge.cli import Context, main
from bridge.engine.journal import Journal
from bridge.pngcodec import encode_png


def env_for(emulator, home: Path) -> dict:
    return {"3D_AI_STUDIO_API_KEY": "test-key", "3D_AI_STUDIO_API_URL": emulator.url,
            "AISTUDIO_RATE_LIMIT": "1000", "AISTUDIO_HOME": str(home)}


@pytest.fixture
def run(emulator, fake_clock, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def invoke(argv, stdin=None):
        ctx = Context(environ=env_for(emulator, tmp_path / "home"), stdout=io.StringIO(),
                      stderr=io.StringIO(), clock=fake_clock)
        if stdin is not None:
            ctx.stdin = io.StringIO(stdin)
        code = main(argv, ctx=ctx)
        return code, ctx.stdout.getvalue(), ctx.stderr.getvalue()
    return invoke


def picture(path: Path, shade: int = 90) -> Path:
    # Big enough for every model's lower size limit (Tencent: 128 px a side).
    pixels = np.zeros((160, 160, 4), dtype=np.uint8)
    pixels[24:136, 40:120] = (150, shade, 40, 255)
    path.write_bytes(encode_png(pixels))
    return path


@pytest.fixture
def folder(tmp_path) -> Path:
    folder = tmp_path / "photos"
    folder.mkdir()
    picture(folder / "chair.png")
    picture(folder / "Lamp.PNG", 120)
    (folder / "robot.txt").write_text("a small friendly robot\n")
    (folder / "notes.md").write_text("not an item")
    return folder


def summary(out_dir: Path) -> tuple[list[dict], dict]:
    [csv_path] = out_dir.glob("batch-*.csv")
    [json_path] = out_dir.glob("batch-*.json")
    with open(csv_path, newline="") as fh:
        return list(csv.DictReader(fh)), json.loads(json_path.read_text())


def test_dry_run_lists_items_and_the_total_and_sends_nothing(run, emulator, folder):
    (folder / "broken.png").write_text("<html>not a picture</html>")
    code, out, err = run(["batch", str(folder), "--flow", "tencent-rapid", "--dry-run"])
    assert code == 0
    assert "3 of 4 item(s) can be sent" in out and "Estimated total: 105 credits" in out
    assert "broken: cannot be sent" in out and "Skipped broken" in err
    assert emulator.log == [] and not (Path.cwd() / "home").exists()


def test_a_folder_runs_once_and_a_rerun_sends_nothing(run, emulator, folder, tmp_path):
    out_dir = tmp_path / "out"
    argv = ["batch", str(folder), "--flow", "tencent-rapid", "--with=--enable-pbr", "--yes",
            "--output-dir", str(out_dir)]
    code, out, err = run(argv)
    assert code == 0, err
    assert "Sending 3 job(s) for an estimated 150 credits." in err
    assert len(emulator.accepted) == 3
    assert all(a.body.get("enable_pbr") is True for a in emulator.accepted)
    rows, doc = summary(out_dir)
    assert [(r["name"], r["kind"], r["state"]) for r in rows] == [
        ("chair", "picture", "DONE"), ("Lamp", "picture", "DONE"), ("robot", "prompt", "DONE")]
    assert doc["done"] == 3 and doc["items"] == 3
    for row in rows:
        files = row["files"].split(";")
        assert files and all(Path(f).is_file() for f in files)
        assert all(Path(f).parent == out_dir / row["name"] for f in files)
    assert rows[2]["item"] == "a small friendly robot" and rows[0]["credits"] == "50"
    journal = Journal(tmp_path / "home")
    assert {r.meta["name"] for r in journal.records()} == {"chair", "Lamp", "robot"}

    code, out, err = run(argv)                       # the same command again
    assert code == 0 and "0 to send (already journaled: 3 DONE)" in err
    assert len(emulator.accepted) == 3 and summary(out_dir)[1]["done"] == 3


def test_a_rerun_collects_what_a_timeout_left_and_resends_only_failures(
        run, emulator, folder, tmp_path):
    out_dir = tmp_path / "out"
    emulator.faults.fail_next_job("the picture shows no object")
    argv = ["batch", str(folder), "--flow", "tencent-rapid", "--yes", "--output-dir", str(out_dir)]
    # A job takes the emulator 120 s; the fake clock runs on while the real POSTs
    # are under way, so give the three submits most of that time, not 5 s.
    code, _, err = run([*argv, "--timeout", "100"])  # submitted, nothing finished yet
    assert code == 1 and "still running" in err
    rows, _ = summary(out_dir)
    assert sorted(r["state"] for r in rows) == ["RUNNING"] * 3
    assert len(emulator.accepted) == 3
    code, out, err = run(argv)
    states = {r["name"]: r["state"] for r in summary(out_dir)[0]}
    assert sorted(states.values()) == ["DONE", "DONE", "FAILED"], err
    assert len(emulator.accepted) == 3                # the running ones were resumed, not resent
    failed = next(r for r in summary(out_dir)[0] if r["state"] == "FAILED")
    assert "no object" in failed["error"] and code == 1
    code, out, err = run(argv)                        # failed jobs are refunded: send again
    assert code == 0 and "1 to send" in err and len(emulator.accepted) == 4
    assert all(r["state"] == "DONE" for r in summary(out_dir)[0])


def test_a_list_file_with_a_missing_picture_names_it_and_sends_the_rest(run, emulator, tmp_path):
    picture(tmp_path / "vase.png")
    listing = tmp_path / "items.txt"
    listing.write_text("# my batch\nvase.png\n\nmissing.jpg\na wooden chair\n")
    code, out, err = run(["batch", str(listing), "--flow", "tencent-rapid", "--yes",
                          "--output-dir", str(tmp_path / "out")])
    rows, _ = summary(tmp_path / "out")
    assert [(r["name"], r["state"]) for r in rows] == [
        ("vase", "DONE"), ("missing", "INVALID"), ("a_wooden_chair", "DONE")]
    assert "missing.jpg" in rows[1]["error"] and code == 1
    assert len(emulator.accepted) == 2


def test_without_yes_and_no_terminal_nothing_is_sent_or_journaled(run, emulator, folder):
    code, out, err = run(["batch", str(folder), "--flow", "trellis"])
    assert code == 2 and "add --yes" in err and "Nothing was sent" in err
    assert emulator.accepted == []
    assert Journal(Path.cwd() / "home").records() == []


@pytest.mark.parametrize("answer, sent", [("y\n", 3), ("n\n", 0)])
def test_the_total_is_asked_once(run, emulator, folder, answer, sent):
    (folder / "robot.txt").unlink()
    picture(folder / "cup.webp.png")
    code, out, err = run(["batch", str(folder), "--flow", "trellis"], stdin=answer)
    assert err.count("[y/N]") == 1 and "Send 3 job(s) for an estimated 30–150 credits?" in err
    assert len(emulator.accepted) == sent and code == (0 if sent else 1)


def test_a_flow_that_sends_nothing_and_a_bad_option_are_refused(run, emulator, folder):
    code, _, err = run(["batch", str(folder), "--flow", "jobs", "--yes"])
    assert code == 2 and "not a generation command" in err
    code, _, err = run(["batch", str(folder), "--flow", "trellis", "--with=--resolution 7", "--yes"])
    assert code == 2 and "resolution" in err and emulator.accepted == []
    code, _, err = run(["batch", str(folder / "nope"), "--flow", "trellis"])
    assert code == 2 and "does not exist" in err


def test_a_multi_line_txt_in_a_folder_is_one_job_a_line_as_a_list_file(run, emulator, tmp_path):
    folder = tmp_path / "prompts"
    folder.mkdir()
    (folder / "furniture.txt").write_text("a red chair\n\n# not a prompt\na blue lamp\n")
    (folder / "robot.txt").write_text("a small\nfriendly robot\n")
    picture(folder / "vase.png")
    code, out, err = run(["batch", str(folder), "--flow", "tencent-rapid", "--dry-run"])
    assert code == 0, err
    assert "5 of 5 item(s) can be sent" in out
    for name in ("furniture-1: Tencent Rapid: a red chair", "furniture-2: Tencent Rapid: a blue lamp",
                 "robot-1: Tencent Rapid: a small", "robot-2: Tencent Rapid: friendly robot",
                 "vase: "):
        assert f"  {name}" in out, out
    assert emulator.log == []
