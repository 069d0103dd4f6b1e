"""One helper Blender process: its command line, environment, pipes and death.

Plain Python, no bpy: it is driven by the helper's owner thread
(``service.py``), never by Blender's main thread. The process gets no API
key (the credential variables are scrubbed from its environment), writes
its console to a log file, and answers on stdout in ``protocol`` lines.
It cannot outlive Blender: it exits when its stdin closes, on Linux the
kernel kills it when the thread that started it goes (PR_SET_PDEATHSIG,
set by the helper itself), and the add-on kills it on unregister and at exit.
"""

from __future__ import annotations

import collections
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from ...bridge.errors import HelperCrashedError, HelperUnavailableError
from . import protocol

#: Variables that may hold a credential; the helper needs none of them.
SECRET_PREFIXES = ("AISTUDIO_", "3D_AI_STUDIO_", "IMAGE3D_")
SCRIPT = Path(__file__).parent / "inside" / "main.py"
ROOT = Path(__file__).resolve().parents[2]   # the extension package's folder
_EOF = object()


def command(binary_path: str, parent_pid: int | None = None) -> list[str]:
    """How to start a helper: Blender's own binary, or (bpy wheel) this Python importing bpy."""
    tail = ["--", "--root", str(ROOT), "--parent-pid", str(parent_pid or os.getpid())]
    if binary_path:
        # Factory startup: no user add-ons, startup file or preferences run in it,
        # which also leaves online access off.
        return [binary_path, "--background", "--factory-startup", "-noaudio",
                "--python-exit-code", "1", "--python", str(SCRIPT), *tail]
    return [sys.executable, str(SCRIPT), *tail]


def environment(base: dict | None = None) -> dict:
    """The parent's environment without anything that could carry a key or token."""
    env = dict(os.environ if base is None else base)
    for name in list(env):
        if name.upper().startswith(SECRET_PREFIXES):
            del env[name]
    env["PYTHONUNBUFFERED"] = "1"
    return env


class HelperProcess:
    """A started helper: send request lines, read answers, kill it."""

    def __init__(self, argv: list[str], log_path: Path | None = None, env: dict | None = None):
        self.argv = list(argv)
        self.log_path = log_path
        self.env = environment() if env is None else env
        self.proc: subprocess.Popen | None = None
        self.answers: queue.Queue = queue.Queue()
        self.noise = collections.deque(maxlen=20)   # stdout lines that were not answers
        self.peak_kb = 0
        self.ready: dict = {}

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float) -> None:
        """Start the process and wait for its "ready" line; HelperUnavailableError if not."""
        log = None
        try:
            if self.log_path is not None:
                self.log_path.parent.mkdir(parents=True, exist_ok=True)
                log = open(self.log_path, "wb")
            flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if os.name == "nt" else 0
            self.proc = subprocess.Popen(
                self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=log if log is not None else subprocess.DEVNULL,
                env=self.env, cwd=str(ROOT), creationflags=flags)
        except OSError as exc:
            raise HelperUnavailableError(f"The helper Blender could not be started: "
                                         f"{exc.strerror or exc}.") from None
        finally:
            if log is not None:
                log.close()   # the child holds its own handle
        threading.Thread(target=self._read, name="aistudio-helper-reader", daemon=True).start()
        try:
            answer = self.next_answer(timeout)
        except HelperCrashedError as exc:
            self.kill()
            raise HelperUnavailableError(f"The helper Blender exited while starting. {exc}") from None
        if answer is None or answer.get("kind") != protocol.READY:
            self.kill()
            raise HelperUnavailableError(f"The helper Blender did not start within {timeout:.0f} s."
                                         + self.log_hint())
        self.ready = answer

    def _read(self) -> None:
        # Reader thread: only this thread reads stdout, so the pipe never fills up.
        stream = self.proc.stdout
        try:
            for raw in iter(stream.readline, b""):
                line = raw.decode("utf-8", "replace")
                message = protocol.decode(line)
                if message is None:
                    self.noise.append(line.rstrip())
                    continue
                self.peak_kb = max(self.peak_kb, int(message.get("peak_kb") or 0))
                self.answers.put(message)
        except (OSError, ValueError):
            pass
        self.answers.put(_EOF)

    def send(self, line: str) -> None:
        try:
            self.proc.stdin.write(line.encode("utf-8"))
            self.proc.stdin.flush()
        except (OSError, ValueError, AttributeError):
            raise HelperCrashedError("The helper Blender is gone (its input pipe closed)."
                                     + self.log_hint()) from None

    def next_answer(self, timeout: float) -> dict | None:
        """The next answer, None if none came within *timeout*; HelperCrashedError at its end."""
        try:
            message = self.answers.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None
        if message is _EOF:
            self.answers.put(_EOF)   # every later read sees the end too
            code = self.proc.wait(timeout=5) if self.proc is not None else None
            raise HelperCrashedError(f"The helper Blender stopped (exit code {code})." + self.log_hint())
        return message

    def log_hint(self) -> str:
        tail = self.log_tail()
        return f" Its last words: {tail}" if tail else ""

    def log_tail(self, lines: int = 3) -> str:
        text = ""
        if self.log_path is not None and self.log_path.is_file():
            try:
                with open(self.log_path, "rb") as fh:
                    fh.seek(max(0, fh.seek(0, os.SEEK_END) - 4000))
                    text = fh.read().decode("utf-8", "replace")
            except OSError:
                text = ""
        kept = [ln.strip() for ln in text.splitlines() if ln.strip()] or list(self.noise)
        return " | ".join(kept[-lines:])[:400]

    def kill(self, grace: float = 0.5) -> None:
        """Stop the process now (closing stdin first lets an idle helper exit on its own)."""
        proc = self.proc
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                proc.stdin.close()
        except OSError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        for stream in (proc.stdout,):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass


def wait_gone(pid: int, timeout: float = 5.0) -> bool:
    """True once no process *pid* exists (for tests and the shutdown check)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        time.sleep(0.02)
    return False
