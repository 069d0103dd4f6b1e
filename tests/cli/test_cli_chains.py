"""retexture, retopology and bake-texture from local files through the CLI, and import-task."""

from __future__ import annotations

import io
import re
from pathlib import Path

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

from bridge.api.tencent import TencentRapidRequest
from bridge.cli import Context, main
from bridge.client import client_for
from bridge.engine.journal import Journal

CREDITS = 1_000_000


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def run(emulator, fake_clock, tmp_path, home, monkeypatch):
    """The CLI in-process on the emulator's fake clock; (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    env = {"3D_AI_STUDIO_API_URL": emulator.url, "3D_AI_STUDIO_API_KEY": "test-key",
           "AISTUDIO_RATE_LIMIT": "1000", "AISTUDIO_POLL_INTERVAL": "10",
           "AISTUDIO_HOME": str(home)}

    def invoke(argv, environ=None):
        ctx = Context(environ=env if environ is None else environ, stdout=io.StringIO(),
                      stderr=io.StringIO(), clock=fake_clock)
        code = main([str(a) for a in argv], ctx=ctx)
        return code, ctx.stdout.getvalue(), ctx.stderr.getvalue()
    return invoke


@pytest.fixture
def chair(tmp_path):
    return write_model(tmp_path / "chair.glb", ball_and_block())


def shown_total(err: str) -> int:
    """The credits the one confirmation line announced before anything was spent."""
    [line] = [line for line in err.splitlines() if "— estimated" in line]
    return int(re.search(r"estimated (\d+) credits", line).group(1))


def spent(emulator) -> int:
    assert CREDITS - emulator.balance == sum(a.price for a in emulator.accepted)
    return CREDITS - emulator.balance


def test_retexture_a_local_file_shows_the_total_then_downloads_the_recoloured_model(
        run, emulator, chair, tmp_path):
    code, out, err = run(["retexture", "--model-file", chair, "--prompt", "weathered red paint",
                          "--wait", "--output-dir", tmp_path / "out"])
    assert code == 0, err
    [path] = out.splitlines()
    painted = read_file(path)
    assert Path(path).parent == tmp_path / "out" and path.endswith("_3d_model_1.glb")
    assert is_red(colour_at_faces(painted)).mean() > 0.6
    assert len(painted.triangles) == len(read_file(chair).triangles)
    assert [a.endpoint for a in emulator.accepted] == [CONVERT, TEXTURE_EDIT]
    assert "copy on the service 10 → retexture 80 — estimated 90 credits" in err
    assert shown_total(err) == spent(emulator) == 90
    assert list((tmp_path / "out").iterdir()) == [Path(path)]   # the copy was not downloaded


def test_retopology_of_a_local_file_gives_far_fewer_faces(run, emulator, chair, tmp_path):
    code, out, err = run(["retopology", "--model-file", chair, "--face-level", "low",
                          "--polygon-type", "triangle", "--wait", "--output-dir", tmp_path / "o"])
    assert code == 0, err
    coarse = read_file(out.strip())
    assert 0 < len(coarse.triangles) <= 0.1 * len(read_file(chair).triangles)
    assert [a.endpoint for a in emulator.accepted] == [CONVERT, TOPOLOGY]
    assert emulator.accepted[1].body["file_type"] == "GLB"
    assert shown_total(err) == spent(emulator) == 110


def test_bake_texture_from_two_local_files_carries_the_high_polys_colours(
        run, emulator, tmp_path):
    high = write_model(tmp_path / "high.glb", two_colour_ball())
    low = write_model(tmp_path / "low.glb", grey_ball())
    code, out, err = run(["bake-texture", "--high-poly-file", high, "--low-poly-file", low,
                          "--texture-resolution", "256", "--wait", "--output-dir", tmp_path / "o"])
    assert code == 0, err
    baked = read_file(out.strip())
    colours = colour_at_faces(baked)
    height = baked.triangles[:, :, 1].mean(axis=1)
    assert is_red(colours[height > 0.6]).mean() > 0.9 and is_blue(colours[height < 0.4]).mean() > 0.9
    assert [a.endpoint for a in emulator.accepted] == [CONVERT, CONVERT, BAKE]
    assert shown_total(err) == spent(emulator) == 25


def test_a_known_address_is_sent_alone_with_no_second_convert(run, emulator, chair, tmp_path,
                                                              home):
    code, _, err = run(["retexture", "--model-file", chair, "--prompt", "red", "--wait",
                        "--output-dir", tmp_path / "a"])
    assert code == 0, err
    [copy] = [r for r in Journal(home).records() if not r.download]
    fbx_url = copy.model_url("fbx")
    for flag in ("--file-url", "--model-url"):        # the tool's own flag, and any address
        code, out, err = run(["retexture", flag, fbx_url, "--prompt", "glossy blue", "--wait",
                              "--output-dir", tmp_path / flag.strip("-")])
        assert code == 0, err
        assert is_blue(colour_at_faces(read_file(out.strip()))).mean() > 0.6
    assert [a.endpoint for a in emulator.accepted] == [CONVERT, TEXTURE_EDIT, TEXTURE_EDIT,
                                                       TEXTURE_EDIT]
    assert {a.body["file_url"] for a in emulator.accepted[1:]} == {fbx_url}
    # A GLB address is converted (no upload), not sent to a tool that reads FBX only.
    glb = copy.model_url().replace(".fbx", ".glb")
    code, out, _ = run(["retexture", "--model-url", glb, "--prompt", "x", "--dry-run"])
    assert code == 0 and f'"model_url": "{glb}"' in out and "Estimated total: 90 credits" in out


def test_dry_run_shows_each_step_and_the_total_and_sends_nothing(run, emulator, chair, tmp_path):
    high = write_model(tmp_path / "high.glb", two_colour_ball(8, 16))
    code, out, err = run(["bake-texture", "--high-poly-file", high, "--low-poly-url",
                          "https://cdn.example/low.obj", "--dry-run"], environ={})
    assert code == 0, err                                  # no key needed
    assert "Step 1/2 copy of the high-poly on the service: Convert, POST /v1/tools/convert/" in out
    assert '"original_url": "<address of step 1\'s result>"' in out
    assert '"retopo_url": "https://cdn.example/low.obj"' in out
    assert "Estimated total: 15 credits (copy of the high-poly on the service 10 → bake 5)" in out
    assert "awaiting-input" not in out and emulator.log == []


def test_the_tools_url_flags_keep_sending_the_tool_alone(run, emulator):
    code, out, _ = run(["bake-texture", "--original-url", "https://e.x/h.fbx",
                        "--retopo-url", "https://e.x/l.glb", "--dry-run"])
    assert code == 0 and "Step" not in out
    assert '"original_url": "https://e.x/h.fbx"' in out and "Estimated cost: 5 credits" in out
    code, out, _ = run(["retopology", "--file-url", "https://e.x/m.obj", "--file-type", "OBJ",
                        "--dry-run"])
    assert code == 0 and '"file_type": "OBJ"' in out and "100 credits" in out


def test_a_failed_copy_fails_the_chain_and_says_nothing_was_charged_for_the_tool(
        run, emulator, chair, tmp_path):
    emulator.faults.fail_next_job("the mesh could not be read")
    code, out, err = run(["retexture", "--model-file", chair, "--prompt", "red", "--wait",
                          "--output-dir", tmp_path / "o"])
    assert code == 1 and out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: Step 1 of 2 (copy on the service) failed: The service reports "
                           "the job failed: the mesh could not be read")
    assert last.endswith("nothing was charged for step 2.")
    assert [a.endpoint for a in emulator.accepted] == [CONVERT] and emulator.balance == CREDITS


def test_without_wait_the_first_step_is_sent_and_resume_finishes_the_chain(
        run, emulator, chair, tmp_path):
    code, out, err = run(["retexture", "--model-file", chair, "--prompt", "red",
                          "--output-dir", tmp_path / "o"])
    assert code == 0, err
    first, second = out.splitlines()
    assert re.match(r"^\w{12} [0-9a-f-]{36} step 1/2 copy on the service: RUNNING$", first)
    assert re.match(r"^\w{12} - step 2/2 retexture: waiting for step 1$", second)
    assert "python -m bridge resume --wait" in err
    code, out, err = run(["resume", "--wait"])
    assert code == 0, err
    [result] = [line.strip() for line in out.splitlines() if line.startswith("    ")]
    assert is_red(colour_at_faces(read_file(result))).mean() > 0.6
    assert [a.endpoint for a in emulator.accepted] == [CONVERT, TEXTURE_EDIT]


@pytest.mark.parametrize("argv, message", [
    (["retexture", "--model-file", "missing.glb", "--prompt", "red"], "missing.glb"),
    (["retexture", "--prompt", "red"], "Give the model to retexture with one of --model-file"),
    (["retexture", "--model-file", "CHAIR", "--file-url", "https://e.x/a.fbx", "--prompt", "r"],
     "got --model-file and --file-url"),
    (["retexture", "--model-file", "CHAIR"], "Step 2 of 2 (retexture)"),
    (["retopology", "--model-file", "CHAIR", "--face-level", "tiny"], "face_level must be one of"),
    (["retopology", "--model-file", "CHAIR", "--file-type", "OBJ"], "--file-type goes with"),
    (["bake-texture", "--high-poly-file", "CHAIR"], "Give the low-poly with --low-poly-file"),
])
def test_bad_input_exits_2_and_sends_nothing(run, emulator, chair, argv, message):
    code, out, err = run([chair if a == "CHAIR" else a for a in argv])
    assert code == 2 and out == "", err
    assert message in err and "Nothing was sent." in err
    assert emulator.log == []


def test_import_task_downloads_a_task_submitted_elsewhere(run, emulator, settings, fake_clock,
                                                          tmp_path):
    task = client_for("3daistudio", settings, clock=fake_clock).submit(
        TencentRapidRequest(prompt="a chair")).task_id
    code, out, err = run(["import-task", task, "--wait", "--output-dir", tmp_path / "o"])
    assert code == 0, err
    [path] = out.splitlines()
    assert Path(path).parent == tmp_path / "o" and path.endswith("_3d_model_1.glb")
    assert len(emulator.accepted) == 1                     # adopting charges nothing


def test_import_task_without_wait_reports_and_resume_downloads(run, emulator, settings,
                                                               fake_clock, tmp_path):
    task = client_for("3daistudio", settings, clock=fake_clock).submit(
        TencentRapidRequest(prompt="a lamp")).task_id
    code, out, err = run(["import-task", task, "--output-dir", tmp_path / "o"])
    assert code == 0, err
    assert re.fullmatch(r"\w{12}\n", out) and f"Following task {task}" in err
    code, out, err = run(["resume", "--wait"])
    assert code == 0 and "_3d_model_1.glb" in out, err


def test_import_task_of_an_expired_or_unknown_task_says_so(run, emulator, settings, fake_clock,
                                                          tmp_path):
    task = client_for("3daistudio", settings, clock=fake_clock).submit(
        TencentRapidRequest(prompt="a cup")).task_id
    emulator.advance(3600)
    emulator.expire(task)
    code, out, err = run(["import-task", task, "--wait", "--output-dir", tmp_path / "o"])
    assert code == 1 and out == "" and "expired on the service (HTTP 410)" in err
    code, _, err = run(["import-task", "0b7d5a8e-1111-4222-8333-944455556666", "--wait"])
    assert code == 1 and "has no task 0b7d5a8e-1111-4222-8333-944455556666 for this API key" in err
    code, _, err = run(["import-task", "not a task", "--wait"])
    assert code == 2 and "is not a task id" in err
