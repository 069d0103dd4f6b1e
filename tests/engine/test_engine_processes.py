"""Real processes on one journal: a CLI killed mid-job, and two `resume --wait` at once.

The emulator runs in this process on the real clock, fast (time scale), and
the CLI processes talk to it over loopback. Each test ends with every result
on disk exactly once and exactly one accepted (paid) submit per job.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bridge.api.tencent import TencentRapidRequest
from bridge.config import Settings
from bridge.emulator import Emulator
from bridge.engine import JobEngine
from bridge.engine.files import check_glb
from bridge.engine.journal import Journal

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def live_emu():
    with Emulator(api_key="test-key", image3d_token="i3d-token", time_scale=60.0,
                  credits=100_000) as emu:
        yield emu


def cli_env(emu, home: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("3D_AI_STUDIO", "IMAGE3D", "AISTUDIO"))}
    env.update({"3D_AI_STUDIO_API_KEY": "test-key", "3D_AI_STUDIO_API_URL": emu.url,
                "IMAGE3D_TOKEN": "i3d-token", "IMAGE3D_API_URL": emu.url,
                "AISTUDIO_HOME": str(home), "AISTUDIO_RATE_LIMIT": "1000",
                "AISTUDIO_POLL_INTERVAL": "0.2", "PYTHONPATH": str(ROOT)})
    return env


def bridge_cli(args, env, cwd):
    return subprocess.Popen([sys.executable, "-m", "bridge", *args], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def files_on_disk(out_dir: Path) -> list[str]:
    return sorted(p.name for p in out_dir.rglob("*") if p.is_file())


def test_cli_killed_mid_job_is_finished_by_resume(live_emu, tmp_path):
    home, out_dir = tmp_path / "home", tmp_path / "out"
    env = cli_env(live_emu, home)
    first = bridge_cli(["tencent-rapid", "--prompt", "a chair", "--wait", "--output-dir",
                        str(out_dir)], env, tmp_path)
    deadline = time.monotonic() + 20
    record = None
    while time.monotonic() < deadline:
        records = Journal(home).records() if (home / "journal.sqlite3").exists() else []
        if records and records[0].task_id:
            record = records[0]
            break
        time.sleep(0.01)
    assert record is not None, first.stderr.read() if first.poll() is not None else "no task id"
    os.kill(first.pid, signal.SIGKILL)   # mid-job: task id journaled, nothing downloaded yet
    first.wait(10)
    assert Journal(home).record(record.job_id).state == "RUNNING"

    resume = bridge_cli(["resume", "--wait", "--timeout", "60"], env, tmp_path)
    out, err = resume.communicate(timeout=60)
    assert resume.returncode == 0, err
    assert f"{record.job_id} {record.task_id} DONE" in out
    assert files_on_disk(out_dir) == [f"{record.job_id}_3d_model_1.glb"]
    check_glb(out_dir / f"{record.job_id}_3d_model_1.glb")
    assert len(live_emu.accepted) == 1
    assert Journal(home).record(record.job_id).state == "DONE"
    listing = bridge_cli(["jobs", "--files"], env, tmp_path)
    out, err = listing.communicate(timeout=30)
    row = next(line for line in out.splitlines() if line.startswith(record.job_id))
    assert record.task_id in row and "DONE" in row and " 35 " in row and "1 in" in row
    assert str(out_dir / f"{record.job_id}_3d_model_1.glb") in out
    assert "test-key" not in out + err


def test_two_concurrent_resumes_share_the_work_without_doubles(live_emu, tmp_path):
    home = tmp_path / "home"
    settings = Settings(api_key="test-key", api_url=live_emu.url, home=home)
    queued = JobEngine(settings, home=home)          # journals only: never started
    jobs = {queued.submit(TencentRapidRequest(prompt=f"chair {i}"), output_dir=tmp_path / f"o{i}"):
            tmp_path / f"o{i}" for i in range(4)}
    queued.shutdown()                                # hands the leases back
    env = cli_env(live_emu, home)
    procs = [bridge_cli(["resume", "--wait", "--timeout", "60"], env, tmp_path) for _ in range(2)]
    results = [p.communicate(timeout=90) for p in procs]
    for proc, (_, err) in zip(procs, results):
        assert proc.returncode == 0, err
    for job_id, out_dir in jobs.items():
        assert files_on_disk(out_dir) == [f"{job_id}_3d_model_1.glb"]
        assert Journal(home).record(job_id).state == "DONE"
    # One paid submit per job, and each result fetched once, by one of the two.
    assert len(live_emu.accepted) == 4
    assert len({a.task_id for a in live_emu.accepted}) == 4
    assert sum(1 for r in live_emu.log if r.path.startswith("/files/")) == 4
    submits = [r for r in live_emu.log if r.method == "POST"]
    assert len(submits) == 4


def test_a_batch_killed_mid_way_is_finished_by_running_it_again(live_emu, tmp_path):
    home, out_dir = tmp_path / "home", tmp_path / "out"
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a chair\na table\na lamp\na vase\n")
    env = cli_env(live_emu, home)
    argv = ["batch", str(prompts), "--flow", "tencent-rapid", "--yes", "--output-dir", str(out_dir)]
    first = bridge_cli(argv, env, tmp_path)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        records = Journal(home).records() if (home / "journal.sqlite3").exists() else []
        if len(records) == 4 and any(r.task_id for r in records):
            break
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)      # every item journaled, some sent, nothing downloaded
    first.wait(10)
    again = bridge_cli(argv, env, tmp_path)
    out, err = again.communicate(timeout=90)
    assert "0 to send" in err, err           # the journal knew all four: none is sent anew
    states = [line.split()[0] for line in out.splitlines() if not line.startswith(("Summary", " "))]
    # A kill in the middle of a POST leaves that item UNKNOWN (never resent); the rest finish.
    assert states.count("DONE") >= 3 and states.count("DONE") + states.count("UNKNOWN") == 4, out
    assert again.returncode == (0 if states.count("DONE") == 4 else 1), err
    prompts_paid = [a.body["prompt"] for a in live_emu.accepted]
    assert len(prompts_paid) == len(set(prompts_paid)) >= 3          # nothing paid twice
    assert sum(1 for r in live_emu.log if r.method == "POST") == len(prompts_paid)
    assert len(list(out_dir.glob("*/*_3d_model_1.glb"))) == states.count("DONE")
