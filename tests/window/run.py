"""The real-window tier, run inside the Debian 13 root (scripts/test_window.sh starts it).

Builds the extension with that Blender, installs it into a fresh profile as
a user would, starts the emulator, then runs Blender under Xvfb once per
session with ``driver.py``. A session fails on a failed check, a missing
report, or a Blender that died by a signal (its faulthandler trace and
Blender's crash log are printed). Ends with the plain line
``window: N passed, M failed``.

    python3 tests/window/run.py OUT_DIR [SESSION ...]
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
KEY = "window-key"
SCREEN = "1280x900x24"
sys.path.insert(0, str(HERE))

import sessions  # noqa: E402


def log(text: str) -> None:
    print(f"window: {text}", flush=True)


class Emulator:
    def __init__(self, out: Path, *extra: str):
        self.log_path = out / f"emulator{'-' + extra[-1].rsplit('/', 1)[-1] if extra else ''}.log"
        self.out = open(self.log_path, "w")
        self.proc = subprocess.Popen([sys.executable, "-m", "bridge.emulator", "--port", "0",
                                      "--api-key", KEY, *extra], cwd=ROOT,
                                     stdout=self.out, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        self.url = ""
        while not self.url and time.monotonic() < deadline:
            found = re.search(r"http://127\.0\.0\.1:\d+", self.log_path.read_text())
            if found:
                self.url = found.group(0)
            elif self.proc.poll() is not None:
                raise SystemExit(f"window: the emulator exited: {self.log_path.read_text()}")
            time.sleep(0.05)
        if not self.url:
            raise SystemExit("window: the emulator printed no address")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.out.close()


def build(out: Path) -> Path:
    dist = out / "dist"
    subprocess.run([sys.executable, "build.py", "--blender", shutil.which("blender"),
                    "--output-dir", str(dist)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    (zip_path,) = dist.glob("*.zip")
    return zip_path


def profile_env(home: Path, emulator_url: str, with_key: bool = True) -> dict:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "BLENDER_USER_RESOURCES": str(home / "blender"), "TMPDIR": str(home / "tmp")}
    (home / "tmp").mkdir(parents=True, exist_ok=True)
    if with_key:
        env.update({"AISTUDIO_API_KEY": KEY, "AISTUDIO_API_URL": emulator_url,   # a name sh keeps (xvfb-run is a shell script)
                    "AISTUDIO_RATE_LIMIT": "600"})
    return env


def install(zip_path: Path, env: dict) -> None:
    subprocess.run(["blender", "--command", "extension", "install-file", "-r", "user_default",
                    "-e", str(zip_path)], env=env, check=True, capture_output=True)


def helpers_left() -> list[str]:
    """Helper Blenders still running (their command line names the helper's script)."""
    found = subprocess.run(["pgrep", "-af", "helper/inside/main.py"], capture_output=True, text=True)
    return [line for line in found.stdout.splitlines() if "pgrep" not in line]


def run_blender(name: str, out: Path, env: dict, args: list[str], timeout: float) -> dict:
    """One window session; its report, with how Blender ended."""
    report = out / f"{name}.report.json"
    fault = out / f"{name}.fault.txt"
    report.unlink(missing_ok=True)
    env = dict(env, AISTUDIO_FAULT_LOG=str(fault))
    for crash in glob.glob(str(Path(env["TMPDIR"]) / "*.crash.txt")):
        os.unlink(crash)
    command = ["xvfb-run", "-a", "-s", f"-screen 0 {SCREEN}", "blender", "--online-mode",
               *args, "--python", str(HERE / "driver.py"), "--", name, str(out), str(report)]
    started = time.monotonic()
    with open(out / f"{name}.blender.log", "w") as console:
        proc = subprocess.Popen(command, env=env, stdout=console, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            rc = proc.wait()
            return {"checks": [{"check": f"{name} ended within {timeout:.0f} s", "ok": False}],
                    "rc": rc}
    result = json.loads(report.read_text()) if report.is_file() else {"checks": []}
    result["rc"], result["wall_s"] = rc, round(time.monotonic() - started, 1)
    died = rc < 0 or rc > 128 or (not report.is_file())
    if died:
        crash_logs = glob.glob(str(Path(env["TMPDIR"]) / "*.crash.txt")) + glob.glob("/tmp/*.crash.txt")
        text = fault.read_text() if fault.is_file() else "(no faulthandler trace)"
        for crash in crash_logs:
            text += f"\n--- {crash}\n" + Path(crash).read_text()
        tail = (out / f"{name}.blender.log").read_text()[-3000:]
        result["checks"].append({"check": f"Blender ended by itself (exit {rc})", "ok": False,
                                 "detail": text + "\n--- console tail\n" + tail})
    else:
        result["checks"].append({"check": f"Blender exited 0 after {name}", "ok": rc == 0,
                                 "detail": f"exit {rc}"})
    return result


def main(argv: list[str]) -> int:
    out = Path(argv[0]).resolve()
    wanted = argv[1:] or list(sessions.ORDER)
    out.mkdir(parents=True, exist_ok=True)
    zip_path = build(out)
    log(f"built {zip_path.name} with {subprocess.run(['blender', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}")
    passed = failed = 0
    context = {"out": out, "zip": zip_path, "Emulator": Emulator, "install": install,
               "profile_env": profile_env, "run_blender": run_blender, "helpers_left": helpers_left}
    for name in wanted:
        started = time.monotonic()
        checks = {**sessions.ORDER, **sessions.EXTRA}[name](context)
        for check in checks:
            ok = check.get("ok")
            passed, failed = passed + bool(ok), failed + (not ok)
            if not ok:
                log(f"FAIL {name}: {check['check']}\n{check.get('detail', '')}")
        log(f"{name}: {sum(bool(c.get('ok')) for c in checks)}/{len(checks)} checks in "
            f"{time.monotonic() - started:.0f} s")
    print(f"window: {passed} passed, {failed} failed", flush=True)
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
