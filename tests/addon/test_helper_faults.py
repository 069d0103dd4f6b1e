"""The helper Blender when things go wrong, and its life and death.

A helper that cannot start, one that crashes and one that hangs: the job
says so once, is done on the main thread instead, and every downloaded file
stays. Unregistering, re-enabling and Blender quitting (or being killed)
leave no helper process behind. The helper never sees an API key.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import bpy
import pytest
from addon_helpers import job_record as _record
from addon_helpers import pump_until

from bench.addon_bench import write_textured_glb

pytestmark = pytest.mark.blender

FAKE_HELPER = textwrap.dedent('''
    import json, os, sys, time
    mode, dump = sys.argv[1], sys.argv[2]
    with open(dump, "w") as fh:
        json.dump(dict(os.environ), fh)
    print("AISTUDIO-HELPER " + json.dumps({"kind": "ready", "pid": os.getpid()}), flush=True)
    for line in sys.stdin:
        if mode == "crash":
            os._exit(3)
        time.sleep(3600)   # hang
''')


@pytest.fixture
def fake_helper(tmp_path):
    """Point the add-on's helper at a stand-in that crashes or hangs; returns its env dump."""
    from ai_studio_bridge.addon.helper import runtime
    script = tmp_path / "fake_helper.py"
    script.write_text(FAKE_HELPER)
    dump = tmp_path / "helper_env.json"

    def use(mode, **options):
        runtime.shutdown()
        runtime.OPTIONS.update(argv=[sys.executable, str(script), mode, str(dump)], **options)
        return dump
    try:
        yield use
    finally:
        runtime.OPTIONS.clear()
        runtime.shutdown()


def _job(records, folder, job_id="g1"):
    from ai_studio_bridge.addon.jobs import session
    path = folder / f"{job_id}_3d_model_1.glb"
    write_textured_glb(path, triangles=500, texture_px=16)
    records.records[job_id] = _record(job_id, [path], {"name": f"Model {job_id}"})
    session.track(job_id, f"Model {job_id}", "TENCENT_RAPID", "3d", "")
    session.STATE.pending_imports.append(job_id)
    return path, session.STATE.jobs[job_id]


def _warnings():
    from ai_studio_bridge.addon.jobs import session
    return [text for level, text, _t in session.STATE.messages if level == "WARNING"]


def _objects():
    coll = bpy.data.collections.get("AI Studio")
    return sorted(o.name for o in coll.objects) if coll else []


def test_a_helper_that_cannot_start_is_said_once_and_jobs_import_on_the_main_thread(
        records, tmp_path, fake_helper):
    from ai_studio_bridge.addon.helper import runtime
    runtime.shutdown()
    runtime.OPTIONS["argv"] = [str(tmp_path / "no-such-blender")]
    try:
        first, view1 = _job(records, tmp_path, "g1")
        pump_until(lambda: view1.imported)
        second, view2 = _job(records, tmp_path, "g2")
        pump_until(lambda: view2.imported)
    finally:
        runtime.OPTIONS.clear()
    assert _objects() == ["Model g1", "Model g2"]
    (warning,) = _warnings()                      # once, not per job
    assert "could not be started" in warning and "main thread" in warning
    assert first.is_file() and second.is_file()


def test_a_crashing_helper_falls_back_and_keeps_the_files(records, tmp_path, fake_helper):
    fake_helper("crash")
    path, view = _job(records, tmp_path)
    pump_until(lambda: view.imported)
    assert _objects() == ["Model g1"]
    (warning,) = _warnings()
    assert "stopped (exit code 3)" in warning and "Model g1" in warning
    assert path.is_file()


def test_a_hanging_helper_is_stopped_at_its_deadline_and_the_job_falls_back(
        records, tmp_path, fake_helper):
    from ai_studio_bridge.addon.helper import runtime
    fake_helper("hang", deadline_s=1.0)
    path, view = _job(records, tmp_path)
    from ai_studio_bridge.addon.jobs import pump
    pump.pump_once()
    pid = pump_until(lambda: runtime.current().pid)
    pump_until(lambda: view.imported, timeout=30)
    assert _objects() == ["Model g1"]
    (warning,) = _warnings()
    assert "did not finish within 1 s" in warning
    assert _gone(pid) and path.is_file()


def test_a_failed_import_is_not_retried_on_the_main_thread(records, tmp_path):
    """A broken file fails in the helper with the importer's words; no fallback, files kept."""
    from ai_studio_bridge.addon.jobs import importing
    bad = tmp_path / "b1_3d_model_1.glb"
    bad.write_bytes(b"glTF" + b"\0" * 64)
    records.records["b1"] = _record("b1", [bad])
    with pytest.raises(importing.ImportFailed, match="could not import b1_3d_model_1.glb"):
        importing.import_job("b1")
    assert _warnings() == [] and bad.is_file()


def test_the_helper_gets_no_credentials(records, tmp_path, fake_helper, monkeypatch):
    monkeypatch.setenv("AISTUDIO_API_KEY", "sk-secret-1")
    monkeypatch.setenv("3D_AI_STUDIO_API_KEY", "sk-secret-2")
    monkeypatch.setenv("IMAGE3D_TOKEN", "sk-secret-3")
    dump = fake_helper("crash")
    _path, view = _job(records, tmp_path)
    pump_until(lambda: view.imported)
    env = json.loads(dump.read_text())
    assert not [k for k in env if k.startswith(("AISTUDIO_", "3D_AI_STUDIO_", "IMAGE3D_"))]
    assert "sk-secret" not in json.dumps(env)


def _gone(pid: int, timeout: float = 10.0, zombie_ok: bool = False) -> bool:
    """No process *pid* any more; a zombie counts only with *zombie_ok* (its parent is gone
    and reaping it is up to init, which in a container may never do it)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Path(f"/proc/{pid}/status")
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if status.is_file() and "State:\tZ" in status.read_text():
            if zombie_ok:
                return True
            return False   # a zombie of ours: nobody reaped it
        time.sleep(0.05)
    return False


def test_unregister_and_re_enable_leave_no_helper_behind(tmp_path):
    import ai_studio_bridge as package
    from ai_studio_bridge.addon.helper import runtime
    from ai_studio_bridge.addon.jobs import session
    bpy.ops.wm.read_factory_settings(use_empty=True)
    session.ENGINE_OPTIONS.update(home=tmp_path / "home")
    pids = []
    try:
        for _ in range(2):
            package.register()
            assert runtime.current() is None            # nothing starts at enable time
            task = runtime.get().enqueue("ping", {}, str(tmp_path))
            assert task.wait(60) and task.state == "DONE", task.error
            pids.append(runtime.current().pid)
            package.unregister()
            assert runtime.current() is None
            assert _gone(pids[-1])
    finally:
        session.ENGINE_OPTIONS.clear()
    assert pids[0] != pids[1]


QUITTING_BLENDER = textwrap.dedent('''
    import sys, time
    sys.path[:0] = [sys.argv[1], sys.argv[1] + "/tests"]
    import extension_package
    package = extension_package.load()
    import bpy
    from ai_studio_bridge.addon.jobs import session
    from ai_studio_bridge.addon.helper import runtime
    session.ENGINE_OPTIONS.update(home=sys.argv[2])
    package.register()
    task = runtime.get().enqueue("ping", {}, sys.argv[2])
    task.wait(120)
    print("HELPER", runtime.current().pid, flush=True)
    if sys.argv[3] == "hang":
        time.sleep(3600)
    # "quit": Blender exits without unregistering the add-on
''')


@pytest.mark.parametrize("how", ["quit", "killed"])
def test_blender_quitting_or_killed_takes_the_helper_with_it(tmp_path, how):
    script = tmp_path / "blender.py"
    script.write_text(QUITTING_BLENDER)
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen([sys.executable, str(script), str(root), str(tmp_path),
                             "quit" if how == "quit" else "hang"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = ""
        while not line.startswith("HELPER"):
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "the Blender stand-in ended without a helper"
        helper_pid = int(line.split()[1])
        if how == "killed":
            proc.send_signal(signal.SIGKILL)   # no atexit, no unregister
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _gone(helper_pid, zombie_ok=True), f"helper {helper_pid} outlived its Blender"
