"""The static extension repository: `build.py --repo DIR` makes an index Blender
can add as a repository, sync, and install and enable the extension from.

A clean Blender profile (BLENDER_USER_* in a temporary directory) adds DIR as
a remote repository with a ``file://`` URL, exactly as a user adds a hosted
one under Preferences › Get Extensions › Repositories.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.blender]

ROOT = Path(__file__).resolve().parents[2]

BLENDER_SCRIPT = textwrap.dedent('''
    import json, sys
    from pathlib import Path
    import bpy
    repo_url = sys.argv[1]
    # Installing from any remote repository, file:// included, needs the switch.
    bpy.context.preferences.system.use_online_access = True
    report = {}
    report["add"] = sorted(bpy.ops.preferences.extension_repo_add(
        name="AI Studio", remote_url=repo_url, type="REMOTE"))
    repos = bpy.context.preferences.extensions.repos
    index = next(i for i, r in enumerate(repos) if r.remote_url == repo_url)
    repo = repos[index]
    report["sync"] = sorted(bpy.ops.extensions.repo_sync(repo_index=index))
    report["install"] = sorted(bpy.ops.extensions.package_install(
        repo_index=index, pkg_id="ai_studio_bridge", enable_on_install=True))
    module = f"bl_ext.{repo.module}.ai_studio_bridge"
    report["enabled"] = bpy.context.preferences.addons.get(module) is not None
    report["operator"] = hasattr(bpy.ops.aistudio, "image_to_3d")
    import importlib
    session = importlib.import_module(module + ".addon.jobs.session")
    report["engine_at_enable"] = session.STATE.engine is not None
    user_dir = Path(bpy.utils.extension_path_user(module, create=False))
    report["user_dir_at_enable"] = user_dir.exists()
    libs = bpy.context.preferences.filepaths.asset_libraries
    report["asset_libraries"] = [(lib.name, lib.path) for lib in libs]
    engine = session.engine()  # first use
    report["journal"] = str(Path(engine.home) / "journal.sqlite3")
    report["user_dir"] = str(user_dir)
    print("REPO-REPORT " + json.dumps(report))
''')


def test_a_clean_blender_installs_the_extension_from_the_generated_repository(tmp_path):
    sys.path.insert(0, str(ROOT))
    import build
    repo = tmp_path / "repo"
    index = build.build_repository(repo)   # raises if the index does not match the zip
    data = json.loads(index.read_text())
    assert [e["id"] for e in data["data"]] == ["ai_studio_bridge"]
    assert (repo / "index.html").is_file()

    script = tmp_path / "in_blender.py"
    script.write_text(BLENDER_SCRIPT)
    profile = tmp_path / "profile"
    env = dict(os.environ, BLENDER_USER_RESOURCES=str(profile / "resources"),
               BLENDER_USER_CONFIG=str(profile / "config"),
               BLENDER_USER_SCRIPTS=str(profile / "scripts"))
    for name in ("PYTHONPATH", "AISTUDIO_HOME"):
        env.pop(name, None)
    proc = subprocess.run([sys.executable, str(script), repo.as_uri()], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=240)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("REPO-REPORT ")]
    assert lines, f"no report; exit {proc.returncode}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    report = json.loads(lines[-1][len("REPO-REPORT "):])
    assert report["add"] == ["FINISHED"] and report["sync"] == ["FINISHED"], report
    assert report["install"] == ["FINISHED"] and report["enabled"] and report["operator"], report
    # Nothing written at enable; the journal goes to the extension's own user folder.
    assert not report["engine_at_enable"] and not report["user_dir_at_enable"], report
    # The "AI Studio" asset library is registered at enable, in the extension's user folder.
    (entry,) = [path for name, path in report["asset_libraries"] if name == "AI Studio"]
    assert Path(entry).parent == Path(report["user_dir"]), report
    assert Path(report["journal"]).parent == Path(report["user_dir"])
    assert Path(report["journal"]).is_file()
    assert str(profile) in report["journal"]
