"""A CLI submit given up before its request left is never sent later without the user's word.

Ctrl-C, ``--timeout``, the service out of reach or a kill: the job is not
sent by the next command, a resume or another engine on the journal (Blender
on a shared journal runs the same scan); ``jobs`` lists it "not sent", and
``resume JOB`` sends it. Also: the submit's own deadline without ``--wait``,
``cancel JOB``, where results go by default, and the label column of ``jobs``.
"""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bridge.cli import Context, main
from bridge.engine.journal import Journal


def closed_port_url() -> str:
    """An address on loopback where nothing listens: every connection is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class CtrlC(io.StringIO):
    """stderr that presses Ctrl-C when the CLI says it will try again (the POST never left)."""

    def write(self, text):
        super().write(text)
        if "Trying again" in text:
            raise KeyboardInterrupt
        return len(text)


@pytest.fixture
def home(tmp_path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def run(emulator, fake_clock, home, tmp_path, monkeypatch):
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)

    def invoke(argv, url=None, stderr=None):
        env = {"3D_AI_STUDIO_API_KEY": "test-key", "3D_AI_STUDIO_API_URL": url or emulator.url,
               "AISTUDIO_RATE_LIMIT": "1000", "AISTUDIO_HOME": str(home)}
        ctx = Context(environ=env, stdout=io.StringIO(), stderr=stderr or io.StringIO(),
                      clock=fake_clock)
        code = main(argv, ctx=ctx)
        return code, ctx.stdout.getvalue(), ctx.stderr.getvalue()
    return invoke


def only_job(home: Path):
    [record] = Journal(home).records()
    return record


def test_ctrl_c_before_the_request_left_is_never_sent_by_the_next_command(run, emulator, home):
    code, _, err = run(["tencent-rapid", "--prompt", "a red armchair"], url=closed_port_url(),
                       stderr=CtrlC())
    assert code == 130 and "Not sent" in err and "resume" in err
    aborted = only_job(home)
    assert aborted.state == "CANCELLED" and not aborted.task_id
    # The next, unrelated command (the service reachable now) sends its own job only.
    code, out, _ = run(["tencent-rapid", "--prompt", "a blue lamp"])
    assert code == 0 and len(emulator.accepted) == 1
    code, out, _ = run(["resume", "--wait"])
    assert len(emulator.accepted) == 1
    code, out, _ = run(["jobs"])
    assert f"not sent — `python -m bridge resume {aborted.job_id}` to send" in out
    # The user's word sends it, once.
    code, out, err = run(["resume", aborted.job_id, "--wait"])
    assert code == 0, err
    assert len(emulator.accepted) == 2
    assert Journal(home).record(aborted.job_id).state == "DONE"


def dead_owner() -> str:
    """The lease owner id of a process that is gone, as a killed command leaves it."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait(30)
    return f"{socket.gethostname()}:{gone.pid}:deadbeef"


def test_a_killed_submit_is_not_sent_by_the_next_resume(run, emulator, home):
    """Killed (kill -9) while its job waited to be sent: the row keeps the dead process's lease."""
    from bridge.api.tencent import TencentRapidRequest
    from bridge.config import load_settings
    from bridge.engine import JobEngine, holds, leases
    settings = load_settings({"3D_AI_STUDIO_API_KEY": "test-key", "AISTUDIO_HOME": str(home)})
    engine = JobEngine(settings)   # journals as the CLI does, then "dies" before sending
    job_id = engine.submit(TencentRapidRequest(prompt="a green vase"), meta=holds.ask_meta())
    Journal(home).update(job_id, time.time(), lease_owner=dead_owner(),
                         lease_until=leases.now() + 60)
    code, out, _ = run(["resume", "--wait"])   # any engine's scan: Blender's is the same
    assert emulator.accepted == []
    record = Journal(home).record(job_id)
    assert record.state == "CANCELLED" and "Not sent" in record.error
    assert f"resume {job_id}" in out


def test_a_submit_without_wait_gives_up_at_its_deadline_with_a_clear_message(
        run, emulator, home, fake_clock):
    started = fake_clock.now()
    code, out, err = run(["tencent-rapid", "--prompt", "a red armchair"], url=closed_port_url())
    assert code == 1 and out == ""
    assert fake_clock.now() - started < 400          # not an hour of retries
    line = err.strip().splitlines()[-1]
    assert line.startswith("error: Not sent within 120 s: could not reach http://127.0.0.1:")
    assert "connection was refused" in line
    assert "nothing was charged" in line and "python -m bridge resume" in line
    assert only_job(home).state == "CANCELLED"
    code, _, _ = run(["resume", "--wait"])          # nobody sends it without the user's word
    assert emulator.accepted == []


def test_cancel_a_job_not_sent_then_send_it_after_all(run, emulator, home):
    from bridge.api.tencent import TencentRapidRequest
    from bridge.config import load_settings
    from bridge.engine import JobEngine
    settings = load_settings({"3D_AI_STUDIO_API_KEY": "test-key", "AISTUDIO_HOME": str(home)})
    engine = JobEngine(settings)                    # journals without sending (never started)
    job_id = engine.submit(TencentRapidRequest(prompt="a stool"))
    engine.shutdown()
    code, out, err = run(["cancel", job_id])
    assert code == 0 and f"{job_id} CANCELLED" in out and "nothing was charged" in out
    assert Journal(home).record(job_id).state == "CANCELLED"
    code, out, err = run(["cancel", "nosuchjob"])
    assert code == 2 and "no such job" in err
    code, out, err = run(["resume", job_id, "--wait"])
    assert code == 0, err
    assert len(emulator.accepted) == 1


def test_results_go_to_the_documented_home_not_the_current_folder(run, home):
    code, out, err = run(["tencent-rapid", "--prompt", "a red armchair", "--wait"])
    assert code == 0, err
    saved = [Path(line) for line in out.split()]
    assert saved and all(home / "results" in path.parents for path in saved)
    assert list(Path.cwd().iterdir()) == []


def test_jobs_lists_each_label(run):
    run(["tencent-rapid", "--prompt", "a red armchair"])
    code, out, _ = run(["jobs"])
    header, row = out.splitlines()[:2]
    assert "LABEL" in header and "a red armchair" in row
