"""The CLI without a network: parsing, dry runs, refusals, errors, and the wait/download step
against a fake client."""

import argparse
import io
import json
import zipfile

import pytest
from sample_pictures import png_bytes

from bridge.cli import Context, build_parser, main
from bridge.cli import direct as direct_module
from bridge.cli import run as run_module
from bridge.clock import FakeClock
from bridge.status import Asset, TaskStatus

PNG = png_bytes()
# A complete (empty) GLB: the engine checks magic, version, length and the JSON chunk.
GLB = (b"glTF\x02\x00\x00\x00" + (12 + 8 + 32).to_bytes(4, "little") + (32).to_bytes(4, "little")
       + b"JSON" + b'{"asset":{"version":"2.0"}}'.ljust(32))
KEY = "sk-cli-secret-0123456789"


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's directory
    (tmp_path / "chair.png").write_bytes(PNG)
    (tmp_path / "liar.png").write_bytes(b"GIF89a not a png")
    (tmp_path / "model.glb").write_bytes(GLB)
    return tmp_path


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to build a client fails the test: dry runs and refusals send nothing."""
    def refuse(*a, **kw):
        raise AssertionError("a client was created")
    monkeypatch.setattr(direct_module, "client_for", refuse)
    monkeypatch.setattr(run_module, "client_for", refuse)


def cli(argv, environ=None):
    # Whatever a test forgets to fake must not leave this machine: point both
    # services at a closed loopback port.
    environ = {"3D_AI_STUDIO_API_URL": "http://127.0.0.1:9", "IMAGE3D_API_URL": "http://127.0.0.1:9",
               **(environ or {})}
    # A fake clock: the job engine's polls and retries then take no real time.
    ctx = Context(environ=environ, stdout=io.StringIO(),
                  stderr=io.StringIO(), clock=FakeClock())
    code = main(argv, ctx=ctx)
    return code, ctx.stdout.getvalue(), ctx.stderr.getvalue()


def dry_body(out):
    """The JSON block of a dry run's output."""
    start, end = out.index("{"), out.rindex("}") + 1
    return json.loads(out[start:end])


# -- help ----------------------------------------------------------------------------

SKILL_COMMANDS = ["balance", "status", "download", "tencent-rapid", "tencent-pro", "trellis", "tripo",
                  "tripo-p1", "image-gemini3pro", "image-gemini31flash", "image-gemini25flash",
                  "image-seedream", "convert", "render", "repair", "optimize", "bake-texture",
                  "remove-bg", "image-enhance", "volume", "miniature"]


def test_every_skill_client_command_exists_and_every_option_is_explained():
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(SKILL_COMMANDS) | {"image3d"} <= set(sub.choices)
    for name, command in sub.choices.items():
        for action in command._actions:
            assert action.help, f"{name} {action.option_strings} has no help text"


def test_help_exits_zero(capsys):
    assert main(["tencent-pro", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--face-count" in out and "40000-1500000" in out and "--dry-run" in out


# -- dry runs: wire names and cost, nothing sent, no key needed ------------------------

def test_trellis_enable_pbr_is_sent_as_textures(files, no_network):
    code, out, err = cli(["trellis", "--image", "chair.png", "--enable-pbr", "--dry-run"])
    assert code == 0, err
    body = dry_body(out)
    assert body == {"image": f"<file: chair.png, {len(PNG)} bytes>", "textures": True}
    assert "enable_pbr" not in out and "base64" not in out
    assert "10–50 credits" in out and "nothing was sent" in out


def test_count_is_sent_as_num_images(files, no_network):
    code, out, _ = cli(["image-seedream", "--prompt", "warrior", "--count", "3", "--dry-run"])
    assert code == 0
    assert dry_body(out) == {"prompt": "warrior", "num_images": 3}
    assert "30 credits" in out


def test_bake_urls_use_documented_names(files, no_network):
    code, out, _ = cli(["bake-texture", "--high-poly-url", "https://e.x/h.glb",
                        "--low-poly-url", "https://e.x/l.glb", "--dry-run"])
    assert code == 0
    assert dry_body(out) == {"original_url": "https://e.x/h.glb", "retopo_url": "https://e.x/l.glb"}


def test_tripo_version_goes_to_the_path(files, no_network):
    code, out, _ = cli(["tripo", "--prompt", "castle", "--version", "v3.1", "--dry-run"])
    assert code == 0
    assert "POST /v1/3d-models/tripo/text-to-3d/3.1/" in out
    assert dry_body(out) == {"prompt": "castle"}


def test_model_file_goes_multipart_and_image_edits_repeat(files, no_network):
    code, out, _ = cli(["convert", "--model-file", "model.glb", "--output-format", "stl", "--dry-run"])
    assert code == 0 and "multipart/form-data" in out
    assert dry_body(out) == {"output_format": "stl", "model_file": f"<file: model.glb, {len(GLB)} bytes>"}
    code, out, _ = cli(["image-gemini25flash", "--prompt", "grey", "--image", "chair.png",
                        "--image", "https://e.x/b.png", "--dry-run"])
    assert code == 0 and "/v1/images/gemini/2.5/flash/edit/" in out
    assert dry_body(out)["images"] == [f"<file: chair.png, {len(PNG)} bytes>", "https://e.x/b.png"]


def test_tool_options_are_kebab_case_flags(files, no_network):
    code, out, _ = cli(["repair", "--model-url", "https://e.x/m.glb", "--hollow", "--wall-thickness",
                        "2", "--target-height", "10", "--unit", "cm", "--output-format", "stl",
                        "--quality", "max", "--dry-run"])
    assert code == 0
    assert dry_body(out) == {"model_url": "https://e.x/m.glb", "output_format": "stl", "hollow": True,
                             "wall_thickness": 2.0, "target_height": 10.0, "unit": "cm",
                             "quality": "max"}
    assert "90 credits" in out


def test_image3d_dry_run_needs_no_token(files, no_network):
    code, out, _ = cli(["image3d", "--prompt", "robot", "--quality", "fast", "--dry-run"])
    assert code == 0 and "POST /api/generate (image3d" in out
    assert dry_body(out) == {"mode": "text", "prompt": "robot", "quality": "fast"}


# -- refusals: exit 2, one line, nothing sent --------------------------------------------

@pytest.mark.parametrize("argv, words", [
    (["tencent-pro", "--prompt", "a", "--face-count", "10"], "face_count must be between 40,000"),
    (["tencent-pro", "--prompt", "a", "--generate-type", "Cartoon"], "generate_type must be one of"),
    (["tencent-pro", "--model", "3.1", "--view", "front=chair.png", "--view", "top=chair.png",
      "--view", "bad"], "--view must be VIEW=PICTURE"),
    (["tencent-rapid", "--prompt", "x" * 1025], "limit is 1024"),
    (["trellis", "--image", "liar.png"], "liar.png"),
    (["trellis"], "image or image_url"),
    (["miniature", "--image", "chair.png", "--preset", "giant"], "preset must be one of"),
    (["miniature", "--image", "chair.png", "--preset", "miniature_animal", "--scale", "o"],
     "an animal has no standard size"),
    (["miniature", "--image", "chair.png", "--scale", "custom", "--scale-height-cm", "150"],
     "up to 100 cm"),
    (["optimize", "--model-url", "https://e.x/m.glb"], "local file only"),
    (["tripo", "--image", "chair.png"] * 1 + ["--image", "chair.png"] * 4, "2 to 4 images; got 5"),
    (["tencent-pro", "--prompt", "a", "--face-count", "lots"], "invalid int value"),
    (["tencent-pro", "--nonsense"], "unrecognized arguments"),
    (["convert", "--model-url", "https://e.x/m.glb"], "output_format is required"),
])
def test_bad_input_exits_2_with_one_line(files, no_network, argv, words):
    code, out, err = cli(argv, environ={"3D_AI_STUDIO_API_KEY": KEY})
    assert code == 2
    assert words in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert out == ""


def test_missing_key_is_a_clear_config_error(files):
    code, out, err = cli(["tencent-rapid", "--prompt", "chair"], environ={})
    assert code == 3
    assert "No 3D AI Studio API key is set" in err and "3D_AI_STUDIO_API_KEY" in err
    assert err.count("\n") == 1 and out == ""
    code, _, err = cli(["image3d", "--prompt", "robot"], environ={"3D_AI_STUDIO_API_KEY": KEY})
    assert code == 3 and "IMAGE3D_TOKEN" in err


def test_unexpected_exception_is_one_line(files, monkeypatch):
    def explode(args, ctx):
        raise RuntimeError("boom\nsecond line")
    monkeypatch.setattr("bridge.cli.task_cmds.balance", explode)
    code, _, err = cli(["balance"], environ={"3D_AI_STUDIO_API_KEY": KEY})
    assert code == 1
    assert err == "error: unexpected RuntimeError: boom second line.\n"


# -- submit, --wait and download against a fake client -------------------------------------

class FakeClient:
    provider = "3daistudio"

    def __init__(self, results, contents, fail=None):
        self.results, self.contents, self.fail = results, contents, fail
        self.submitted, self.polls = [], 0

    def submit(self, request):
        request.validate()
        self.submitted.append(request)
        from bridge.client import Submission
        return Submission("task-42")

    def wait(self, task_id, poll_interval, timeout, on_status=None, cancel=None):
        for progress in (0, 50, 50, 100):
            self.polls += 1
            state = "FINISHED" if progress == 100 else "IN_PROGRESS"
            status = TaskStatus(task_id, state, progress,
                                results=self.results if progress == 100 else [])
            on_status(status)
        if self.fail:
            raise self.fail
        return status

    def status(self, task_id):
        self.polls += 1
        if self.fail:
            return TaskStatus(task_id, "FAILED", 40, failure_reason=self.fail)
        return TaskStatus(task_id, "FINISHED", 100, results=self.results)

    def download(self, url, dest, **kw):
        dest.write_bytes(self.contents[url])
        return dest


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("model.obj", "v 0 0 0\n")
    return buffer.getvalue()


@pytest.fixture
def fake(monkeypatch):
    client = FakeClient(
        results=[Asset("https://cdn.e.x/a/model.glb?sig=1", "3D_MODEL"),
                 Asset("https://cdn.e.x/a/blob", "3D_MODEL"),
                 Asset("https://cdn.e.x/a/../../etc/pre.v!ew", "IMAGE")],
        contents={"https://cdn.e.x/a/model.glb?sig=1": GLB,
                  "https://cdn.e.x/a/blob": zip_bytes(),
                  "https://cdn.e.x/a/../../etc/pre.v!ew": PNG})
    monkeypatch.setattr(direct_module, "client_for", lambda *a, **kw: client)
    monkeypatch.setattr(run_module, "client_for", lambda *a, **kw: client)
    return client


def test_submit_without_wait_prints_the_task_id(files, fake):
    code, out, err = cli(["tencent-rapid", "--prompt", "chair"], environ={"3D_AI_STUDIO_API_KEY": KEY})
    assert code == 0 and out == "task-42\n"
    assert "35 credits" in err and KEY not in err


def test_wait_downloads_with_safe_names(files, fake):
    out_dir = files / "results"
    code, out, err = cli(["tencent-rapid", "--prompt", "chair", "--wait", "--output-dir", str(out_dir)],
                         environ={"3D_AI_STUDIO_API_KEY": KEY})
    assert code == 0, err
    names = sorted(p.name for p in out_dir.iterdir() if p.is_file())
    job_id = names[0].split("_", 1)[0]
    # The job engine names files <job_id>_<asset type>_<n>: the URL's extension when plain,
    # otherwise the bytes (zip, png) decide — never a crafted path. Zips are unpacked beside.
    assert names == [f"{job_id}_3d_model_1.glb", f"{job_id}_3d_model_2.zip", f"{job_id}_image_1.png"]
    assert (out_dir / f"{job_id}_3d_model_2" / "model.obj").is_file()
    assert out.splitlines() == [str(out_dir / n) for n in (
        f"{job_id}_3d_model_1.glb", f"{job_id}_3d_model_2.zip",
        f"{job_id}_3d_model_2/model.obj", f"{job_id}_image_1.png")]
    assert "task task-42" in err and "FINISHED 100%" in err and KEY not in err


def test_wait_refuses_a_glb_that_is_not_one(files, fake):
    fake.contents["https://cdn.e.x/a/model.glb?sig=1"] = b"<html>expired</html>"
    code, _, err = cli(["tencent-rapid", "--prompt", "chair", "--wait"],
                       environ={"3D_AI_STUDIO_API_KEY": KEY})
    assert code == 1 and "not a GLB file" in err


def test_wait_failure_is_one_line(files, fake):
    fake.fail = "mesh generation crashed"
    code, _, err = cli(["tencent-rapid", "--prompt", "chair", "--wait"],
                       environ={"3D_AI_STUDIO_API_KEY": KEY})
    assert code == 1
    assert err.splitlines()[-1].startswith("error: The service reports the job failed: "
                                           "mesh generation crashed.")


def test_download_command_uses_the_same_names(files, fake):
    code, out, _ = cli(["download", "--task-id", "task-42", "--output-dir", "dl"],
                       environ={"3D_AI_STUDIO_API_KEY": KEY})
    assert code == 0
    assert (files / "dl" / "task-42_3d_model_1.glb").read_bytes() == GLB
