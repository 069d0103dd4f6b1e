"""End to end: build the zip, validate it, install it into a clean Blender
profile, and run one whole job against the emulator running as a subprocess.

Blender runs in its own process (the venv's Python with the bpy wheel) with
BLENDER_USER_RESOURCES / BLENDER_USER_CONFIG pointing into a temporary
directory, so the developer's real profile is never touched.
"""

import json
import os
import re
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.blender]

ROOT = Path(__file__).resolve().parents[2]
KEY = "e2e-key"

BLENDER_SCRIPT = textwrap.dedent('''
    import json, sys
    import bpy
    zip_path, url, key, sample = sys.argv[1:5]
    bpy.context.preferences.system.use_online_access = True
    result = bpy.ops.extensions.package_install_files(
        filepath=zip_path, repo="user_default", enable_on_install=True)
    module = "bl_ext.user_default.ai_studio_bridge"
    addon = bpy.context.preferences.addons.get(module)
    report = {"install": sorted(result), "enabled": addon is not None}
    if addon is not None:
        prefs = addon.preferences
        prefs.api_key, prefs.api_url, prefs.rate_limit = key, url, 600
        report["submit"] = sorted(bpy.ops.aistudio.image_to_3d(filepath=sample, model="TRELLIS2"))
        report["wait"] = sorted(bpy.ops.aistudio.wait_jobs(timeout=90))
        coll = bpy.data.collections.get("AI Studio")
        objects = [o for o in coll.objects if o.parent is None] if coll else []
        report["objects"] = [o.name for o in objects]
        report["job"] = [o.get("aistudio_job") for o in objects]
        report["meshes"] = sum(len(o.data.polygons) for o in (coll.all_objects if coll else [])
                               if o.type == "MESH")
        bpy.ops.preferences.addon_disable(module=module)
        report["disabled"] = bpy.context.preferences.addons.get(module) is None
    print("E2E-REPORT " + json.dumps(report))
''')


@pytest.fixture
def emulator_process(tmp_path):
    """``python -m bridge.emulator --port 0`` in a subprocess; yields its base URL."""
    log = tmp_path / "emulator.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bridge.emulator", "--port", "0", "--api-key", KEY,
             "--time-scale", "60"], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 20
        url = None
        while url is None and time.monotonic() < deadline:
            match = re.search(r"http://127\.0\.0\.1:\d+", log.read_text())
            if match:
                url = match.group(0)
            elif proc.poll() is not None:
                pytest.fail(f"the emulator exited: {log.read_text()}")
            else:
                time.sleep(0.05)
        assert url, f"the emulator did not print its URL: {log.read_text()}"
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_zip_installs_into_a_clean_profile_and_runs_a_job(tmp_path, emulator_process):
    sys.path.insert(0, str(ROOT))
    import build
    zip_path = build.build(output_dir=tmp_path / "dist")  # builds and validates
    names = zipfile.ZipFile(zip_path).namelist()
    assert "blender_manifest.toml" in names and "__init__.py" in names
    assert "addon/__init__.py" in names and "bridge/engine/__init__.py" in names
    assert not [n for n in names if n.startswith(("tests/", "bridge/emulator/", "bench/"))
                or "__pycache__" in n]

    sample = ROOT.parent / "shared" / "samples" / "robot.png"
    if not sample.is_file():
        sample = ROOT / "scripts" / "demo_sample.png"
    script = tmp_path / "in_blender.py"
    script.write_text(BLENDER_SCRIPT)
    env = dict(os.environ,
               BLENDER_USER_RESOURCES=str(tmp_path / "profile" / "resources"),
               BLENDER_USER_CONFIG=str(tmp_path / "profile" / "config"),
               BLENDER_USER_SCRIPTS=str(tmp_path / "profile" / "scripts"),
               AISTUDIO_HOME=str(tmp_path / "journal"))
    env.pop("PYTHONPATH", None)  # the add-on must use the bridge inside the zip
    proc = subprocess.run([sys.executable, str(script), str(zip_path), emulator_process, KEY, str(sample)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("E2E-REPORT ")]
    assert lines, f"no report; exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    report = json.loads(lines[-1][len("E2E-REPORT "):])
    assert report["install"] == ["FINISHED"] and report["enabled"], report
    assert report["submit"] == ["FINISHED"] and report["wait"] == ["FINISHED"], report
    assert len(report["objects"]) == 1 and report["job"][0], report
    assert report["meshes"] > 0
    assert report["disabled"]
    installed = tmp_path / "profile" / "resources" / "extensions" / "user_default" / "ai_studio_bridge"
    assert (installed / "bridge" / "client.py").is_file()
