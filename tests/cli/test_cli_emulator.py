"""The CLI against the local emulator: in-process on the fake clock, and as a real subprocess."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.cli import Context, main
from bridge.emulator import Emulator

ROOT = Path(__file__).resolve().parents[2]


def env_for(emulator, key="test-key", **extra):
    env = {"3D_AI_STUDIO_API_URL": emulator.url, "IMAGE3D_API_URL": emulator.url,
           "IMAGE3D_TOKEN": "i3d-token", "AISTUDIO_RATE_LIMIT": "1000", "AISTUDIO_POLL_INTERVAL": "10"}
    if key:
        env["3D_AI_STUDIO_API_KEY"] = key
    env.update(extra)
    return env


@pytest.fixture
def run(emulator, fake_clock, tmp_path, monkeypatch):
    """Run the CLI in-process on the emulator's fake clock: a 6-minute job takes no real time."""
    monkeypatch.chdir(tmp_path)

    def invoke(argv, environ=None):
        ctx = Context(environ=environ if environ is not None else env_for(emulator),
                      stdout=io.StringIO(), stderr=io.StringIO(), clock=fake_clock)
        code = main(argv, ctx=ctx)
        return code, ctx.stdout.getvalue(), ctx.stderr.getvalue()
    return invoke


@pytest.fixture
def picture(tmp_path):
    from sample_pictures import png_bytes
    path = tmp_path / "subject.png"
    path.write_bytes(png_bytes(128, 128))   # Tencent's smallest side
    return str(path)


def test_dry_run_sends_nothing(run, emulator, picture):
    code, out, _ = run(["trellis", "--image", picture, "--enable-pbr", "--dry-run"])
    assert code == 0 and '"textures": true' in out and "credits" in out
    assert emulator.log == [] and emulator.accepted == []


def test_bad_input_exits_2_and_sends_nothing(run, emulator):
    code, out, err = run(["tencent-pro", "--prompt", "sword", "--face-count", "100"])
    assert code == 2 and out == ""
    assert err.startswith("error: face_count must be between 40,000 and 1,500,000")
    assert err.count("\n") == 1
    assert emulator.log == []


def test_missing_key_exits_3_and_sends_nothing(run, emulator):
    code, _, err = run(["balance"], environ=env_for(emulator, key=""))
    assert code == 3 and "No 3D AI Studio API key" in err
    assert emulator.log == []


def test_wrong_key_is_one_line_without_the_key(run, emulator):
    code, _, err = run(["balance"], environ=env_for(emulator, key="sk-wrong-secret-value"))
    assert code == 1
    assert "API key was not accepted" in err and "sk-wrong-secret-value" not in err
    assert err.count("\n") == 1


def test_balance(run):
    code, out, _ = run(["balance"])
    assert code == 0 and out.startswith("Balance: ")


def test_wait_downloads_a_glb(run, emulator, picture, tmp_path):
    out_dir = tmp_path / "results"
    code, out, err = run(["tencent-pro", "--image", picture, "--wait", "--output-dir", str(out_dir)])
    assert code == 0, err
    files = [Path(line) for line in out.splitlines()]
    glbs = [p for p in files if p.suffix == ".glb"]
    assert glbs and all(p.parent == out_dir for p in files)
    # Named by the job engine: <job_id>_<asset type>_<n>.
    assert glbs[0].name.endswith("_3d_model_1.glb")
    assert glbs[0].read_bytes()[:4] == b"glTF"
    assert "FINISHED 100%" in err
    assert len(emulator.accepted) == 1  # submitted exactly once


def test_submit_then_status_then_download(run, emulator, tmp_path):
    code, out, _ = run(["tripo", "--prompt", "a small castle", "--version", "v3.1"])
    assert code == 0
    task_id = out.strip()
    assert emulator.accepted[0]["endpoint"].endswith("/text-to-3d/3.1/")
    code, out, _ = run(["status", "--task-id", task_id])
    assert code == 0 and task_id in out
    # No service time has passed on the fake clock: the job is not finished.
    code, out, err = run(["download", "--task-id", task_id, "--output-dir", "dl"])
    assert code == 1 and "not finished" in err and not (tmp_path / "dl").exists()
    code, out, err = run(["status", "--task-id", task_id, "--poll"])
    assert code == 0 and "FINISHED" in out
    code, out, _ = run(["download", "--task-id", task_id, "--output-dir", "dl"])
    assert code == 0
    assert any(Path(line).suffix == ".glb" for line in out.splitlines())


def test_image3d_wait(run, emulator, tmp_path):
    code, out, err = run(["image3d", "--prompt", "a robot", "--quality", "fast", "--wait",
                          "--output-dir", str(tmp_path / "i3d")])
    assert code == 0, err
    assert Path(out.splitlines()[0]).read_bytes()[:4] == b"glTF"


def test_model_file_upload(run, emulator, tmp_path):
    from bridge.emulator.glb import write_glb
    from bridge.emulator.mesh import Material, box, part_from_triangles
    model = tmp_path / "cube.glb"
    model.write_bytes(write_glb([part_from_triangles(box((0, 0, 0), (2, 2, 2)), Material())]))
    code, out, err = run(["convert", "--model-file", str(model), "--output-format", "stl", "--wait",
                          "--output-dir", str(tmp_path / "conv")])
    assert code == 0, err
    assert emulator.accepted[0]["endpoint"] == "/v1/tools/convert/"
    assert out.strip()


# -- as a real process -------------------------------------------------------------------

@pytest.fixture
def live_emulator():
    """Real time, run 600x faster, for the subprocess that cannot share a fake clock."""
    with Emulator(api_key="test-key", image3d_token="i3d-token", time_scale=600.0,
                  rate_limit=None, credits=100_000) as emu:
        yield emu


def subprocess_env(emulator):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("3D_AI_STUDIO", "IMAGE3D"))}
    env.update(env_for(emulator, AISTUDIO_POLL_INTERVAL="0.05"))
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_subprocess_wait_downloads_and_bad_input_fails_cleanly(live_emulator, tmp_path):
    env = subprocess_env(live_emulator)
    done = subprocess.run([sys.executable, "-m", "bridge", "tencent-rapid", "--prompt", "a wooden chair",
                           "--wait", "--output-dir", str(tmp_path / "out")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    saved = [Path(line) for line in done.stdout.splitlines()]
    assert any(p.suffix == ".glb" and p.read_bytes()[:4] == b"glTF" for p in saved)
    assert "test-key" not in done.stderr + done.stdout

    before = len(live_emulator.log)
    bad = subprocess.run([sys.executable, "-m", "bridge", "tripo", "--prompt", "x",
                          "--face-limit", "10"], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    assert "face_limit must be between 500 and 500,000" in bad.stderr
    assert len(live_emulator.log) == before
