"""Issue 20 through the CLI: no paid job waits silently, nothing unsendable is sent.

Against the emulator on the fake clock (no real waiting): a key revoked while
``--wait`` follows a paid task stops at once with its own exit code naming
``resume``; numbers that are not finite, keys that cannot be sent and prompts
that are not UTF-8 are refused before anything leaves (exit 2 or 3).
"""

import io

import pytest

from bridge.cli import EXIT_CONFIG, EXIT_INVALID, EXIT_KEY_WAIT, Context, main
from bridge.emulator import Emulator

KEY = "sk-live-7Gq2ZK9xTz4bN0aVw8LmRc3Ud5Ye1Hf6"


@pytest.fixture
def emu(fake_clock):
    with Emulator(api_key=KEY, time_scale=1.0, rate_limit=None, credits=1_000_000,
                  clock=fake_clock) as emulator:
        yield emulator


@pytest.fixture
def cli(emu, fake_clock, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"3D_AI_STUDIO_API_URL": emu.url, "3D_AI_STUDIO_API_KEY": KEY,
           "AISTUDIO_RATE_LIMIT": "1000", "AISTUDIO_HOME": str(tmp_path / "home")}

    def invoke(*argv, **extra_env):
        ctx = Context(environ={**env, **extra_env}, stdout=io.StringIO(), stderr=io.StringIO(),
                      clock=fake_clock)
        code = main(list(argv), ctx=ctx)
        return code, ctx.stdout.getvalue(), ctx.stderr.getvalue()
    return invoke


def posts(emu):
    return [r for r in emu.log if r.method == "POST"]


def test_wait_stops_at_once_when_the_key_is_revoked_and_resume_finishes_it(cli, emu, tmp_path):
    emu.faults.revoke_key_after_accept(1)
    code, out, err = cli("tencent-rapid", "--prompt", "a chair", "--wait",
                         "--output-dir", str(tmp_path / "out"))
    assert code == EXIT_KEY_WAIT, err
    assert "resume" in err and "valid API key" in err and KEY not in err + out
    task_polls = [r for r in emu.log if r.method == "GET" and "/status/" in r.path]
    assert len(task_polls) == 1 and len(emu.accepted) == 1
    code, out, _ = cli("jobs")
    assert "RUNNING" in out and "Waiting for a valid API key" in out
    # Resumed with a key the service takes: delivered, never paid twice.
    emu.api_key = "sk-live-new-key-0123456789"
    code, out, err = cli("resume", "--wait", **{"3D_AI_STUDIO_API_KEY": emu.api_key})
    assert code == 0, err
    assert " DONE" in out and len(emu.accepted) == 1


def test_resume_without_a_valid_key_says_so_with_its_own_code(cli, emu, tmp_path):
    emu.faults.revoke_key_after_accept(1)
    cli("tencent-rapid", "--prompt", "a chair", "--wait", "--output-dir", str(tmp_path / "o"))
    code, out, err = cli("resume", "--wait")
    assert code == EXIT_KEY_WAIT and "resume" in err
    assert len(emu.accepted) == 1


@pytest.mark.parametrize("argv", [
    ("repair", "--model-url", "https://cdn.example/m.glb", "--target-height", "inf"),
    ("volume", "--model-url", "https://cdn.example/m.glb", "--target-heights", "5,inf"),
    ("convert", "--model-url", "https://cdn.example/m.glb", "--output-format", "stl",
     "--max-size", "nan"),
], ids=["repair inf", "volume heights inf", "convert nan"])
def test_non_finite_numbers_are_refused_before_paying(cli, emu, argv):
    code, _, err = cli(*argv)
    assert code == EXIT_INVALID, err
    assert "finite" in err and not posts(emu)


@pytest.mark.parametrize("key", ["sk-live-\u200b7Gq2ZK9xTz4bN0a", "sk-live-7Gq2\nZK9xTz4bN0a",
                                 "sk-live-7Gq2ZK9\u0416xTz4bN0a"],
                         ids=["zero-width space", "line break", "non-latin-1"])
def test_a_key_that_cannot_be_sent_is_refused_where_it_is_set(cli, emu, key):
    code, out, err = cli("tencent-rapid", "--prompt", "a chair", **{"3D_AI_STUDIO_API_KEY": key})
    assert code == EXIT_CONFIG, err
    assert "position" in err and not emu.log
    code, out, _ = cli("jobs")
    assert "UNKNOWN" not in out


def test_a_prompt_that_is_not_utf8_is_invalid_input(cli, emu):
    code, _, err = cli("tencent-rapid", "--prompt", "a chair \udcff")
    assert code == EXIT_INVALID and "UTF-8" in err and not posts(emu)


# -- item 6: one damaged row is skipped and named, the others listed and resumed ----------

def _damage(home, job_id, **columns):
    import sqlite3
    with sqlite3.connect(home / "journal.sqlite3") as conn:
        sets = ", ".join(f"{k} = ?" for k in columns)
        conn.execute(f"UPDATE jobs SET {sets} WHERE job_id = ?", (*columns.values(), job_id))
        return conn.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone()


def _row(home, job_id):
    import sqlite3
    with sqlite3.connect(home / "journal.sqlite3") as conn:
        return conn.execute("SELECT * FROM jobs WHERE job_id = ?", (job_id,)).fetchone()


@pytest.mark.parametrize("damage", [{"progress": "abc"}, {"request": "{broken"},
                                    {"assets": '{"not": "a list"}'}, {"created_at": None}],
                         ids=["progress", "request json", "assets shape", "created_at"])
def test_one_damaged_row_is_named_and_the_others_listed_and_resumed(cli, emu, tmp_path, damage):
    from bridge.engine.journal import Journal
    home = tmp_path / "home"
    for prompt in ("a chair", "a table"):
        code, _, err = cli("tencent-rapid", "--prompt", prompt)
        assert code == 0, err
    good, bad = [r.job_id for r in Journal(home).records()]
    if "created_at" in damage:   # NOT NULL in the schema: an older tool's row, say
        damage = {"created_at": "yesterday"}
    before = _damage(home, bad, **damage)
    code, out, err = cli("jobs")
    assert code == 0, err
    assert good in out and bad not in out and bad in err and "damaged" in err
    code, out, err = cli("resume", "--wait")
    assert bad in err and f"{good} " in out and " DONE" in out, (out, err)
    assert _row(home, bad)[:-2] == before[:-2] or _row(home, bad) == before
    assert len(emu.accepted) == 2


# -- item 11: a long output folder, a file that failed its check ------------------------------

def test_an_output_folder_too_long_for_its_results_is_refused_before_paying(cli, emu, tmp_path):
    deep = tmp_path.joinpath(*["d" * 200] * 20)          # over 4,000 characters
    assert len(str(deep)) > 4000
    code, _, err = cli("tencent-rapid", "--prompt", "a chair", "--output-dir", str(deep))
    assert code == EXIT_INVALID, err
    assert "output folder" in err and not posts(emu)


def test_download_by_task_id_keeps_no_file_that_failed_its_check(cli, emu, tmp_path):
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Host(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = b"glTF" + b"\x02\x00\x00\x00" + b"\xff" * 60   # a GLB that is no GLB
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    host = ThreadingHTTPServer(("127.0.0.1", 0), Host)
    threading.Thread(target=host.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{host.server_address[1]}/m.glb"
        answer = {"status": "FINISHED", "progress": 100,
                  "results": [{"asset": url, "asset_type": "3D_MODEL"}]}
        emu.faults.raw_errors(1, 200, json.dumps(answer), "application/json")
        out = tmp_path / "fetched"
        code, _, err = cli("download", "--task-id", "abcd-1234", "--output-dir", str(out))
    finally:
        host.shutdown()
        host.server_close()
    assert code != 0 and err
    assert not [p for p in out.rglob("*") if p.is_file()]
