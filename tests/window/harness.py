"""Drive a real Blender window with real input events (runs inside that Blender).

The scenario is a generator: it moves the mouse, clicks and types through
xdotool (X events, as a user's hand makes them; Blender cannot tell them
apart), then yields to let Blender's own event loop handle them. It reads
what happened from Blender and the add-on (which never sees the driver) and
writes a screenshot of every step with ImageMagick's ``import``.

Buttons are found the way a user finds them: by pointing at them. ``find``
moves the pointer down a column of a region and, at each stop, presses a
key this driver binds to Blender's own "Copy Python Command" (operators) or
"Copy Data Path" (properties) for the button under the pointer; the
clipboard then names the button. No coordinates are written into a scenario.

Yielding: ``yield seconds`` waits; ``yield callable`` waits until it is
true (``Timeout`` after ``wait_s``).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import traceback
from pathlib import Path

import bpy

PROBE_OPERATOR_KEY, PROBE_PROPERTY_KEY = "ctrl+alt+shift+p", "ctrl+shift+c"
TICK_S = 0.03


class Timeout(AssertionError):
    pass


def xdo(*args: str) -> str:
    done = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=10)
    return done.stdout


class Screen:
    """Window ↔ screen coordinates (Blender counts from the window's bottom left)."""

    def __init__(self):
        self.window = bpy.context.window_manager.windows[0]
        found = xdo("search", "--onlyvisible", "--name", "Blender").split()
        self.xid = found[0] if found else ""
        geometry = xdo("getwindowgeometry", "--shell", self.xid) if self.xid else ""
        values = dict(line.split("=", 1) for line in geometry.split() if "=" in line)
        self.left, self.top = int(values.get("X", 0)), int(values.get("Y", 0))

    def point(self, region, x: float, y: float) -> tuple[int, int]:
        """Screen pixel of (x, y) counted from *region*'s bottom left."""
        return (round(self.left + region.x + x),
                round(self.top + self.window.height - (region.y + y)))


def area(kind: str):
    for a in bpy.context.window_manager.windows[0].screen.areas:
        if a.type == kind:
            return a
    return None


def region(kind: str, region_type: str):
    a = area(kind)
    return next((r for r in a.regions if r.type == region_type), None) if a else None


class Driver:
    def __init__(self, out: Path, scenario, report: Path, wait_s: float = 120.0, recorder=None):
        self.out, self.report_path, self.wait_s = out, report, wait_s
        self.recorder = recorder
        self.pauses: list = []     # (start, seconds): the driver's own time on the main thread
        self.out.mkdir(parents=True, exist_ok=True)
        self.name = scenario.__name__
        self.steps = scenario(self)
        self.screen = None
        self.checks: list[dict] = []
        self.shots: list[str] = []
        self.pending_shots: list[subprocess.Popen] = []
        self.waiting = None
        self.started = time.monotonic()
        self.finished = False
        self.data: dict = {}

    # -- the scenario's verbs ------------------------------------------------------
    def screen_point(self, reg, x: float, y: float) -> tuple[int, int]:
        self.screen = self.screen or Screen()
        return self.screen.point(reg, x, y)

    def move(self, pos) -> None:
        xdo("mousemove", str(pos[0]), str(pos[1]))

    def click(self, pos, button: int = 1, double: bool = False) -> None:
        self.move(pos)
        xdo("click", *(["--repeat", "2", "--delay", "80"] if double else []), str(button))

    def key(self, *keys: str) -> None:
        xdo("key", "--delay", "40", *keys)

    def type(self, text: str) -> None:
        xdo("type", "--delay", "12", text)

    def shot(self, name: str) -> None:
        """A screenshot of the whole screen, taken without holding Blender up."""
        path = self.out / f"{self.name}_{len(self.shots) + 1:02d}_{name}.png"
        self.shots.append(path.name)
        self.pending_shots.append(subprocess.Popen(["import", "-window", "root", str(path)]))

    def check(self, what: str, ok: bool, detail: str = "") -> bool:
        self.checks.append({"check": what, "ok": bool(ok), "detail": str(detail)[:400],
                            "at_s": round(time.monotonic() - self.started, 2)})
        print(f"WINDOW-CHECK {'ok  ' if ok else 'FAIL'} {what} {detail}"[:500], flush=True)
        return ok

    def probe(self, pos, operator: bool = True):
        """What the button under *pos* is: a generator returning the clipboard's text."""
        wm = bpy.context.window_manager
        wm.clipboard = ""
        self.move(pos)
        yield TICK_S * 2
        self.key(PROBE_OPERATOR_KEY if operator else PROBE_PROPERTY_KEY)
        deadline = time.monotonic() + 0.12
        while not wm.clipboard and time.monotonic() < deadline:
            yield TICK_S
        return wm.clipboard

    def find(self, reg, wanted: str, operator: bool = True, xs=(0.5,), step: int = 14,
             top_first: bool = True):
        """The screen point of the first button whose command or path contains *wanted*."""
        self.screen = self.screen or Screen()
        ys = range(reg.height - 8, 4, -step) if top_first else range(6, reg.height - 4, step)
        for y in ys:
            for fx in xs:
                x = reg.width * fx if fx <= 1 else fx
                pos = self.screen.point(reg, x, y)
                text = yield from self.probe(pos, operator)
                if wanted in text:
                    return pos, text
        return None, ""

    # -- the timer that runs the scenario ------------------------------------------
    def tick(self):
        start = time.perf_counter()
        try:
            return self._tick()
        finally:
            self.pauses.append((start, time.perf_counter() - start))

    def _tick(self):
        try:
            self.pending_shots = [p for p in self.pending_shots if p.poll() is None]
            if self.waiting is not None:
                condition, until = self.waiting
                if not condition():
                    if time.monotonic() > until:
                        raise Timeout(f"waited {self.wait_s:.0f} s for {getattr(condition, '__doc__', '') or condition}")
                    return TICK_S
                self.waiting = None
            wait = next(self.steps)
            if callable(wait):
                self.waiting = (wait, time.monotonic() + self.wait_s)
                return TICK_S
            return max(TICK_S, float(wait or 0))
        except StopIteration:
            return self.finish()
        except Exception as exc:   # a failed step ends the run with its trace, not a hang
            self.check("the scenario ran to its end", False, f"{type(exc).__name__}: {exc}")
            self.data["trace"] = traceback.format_exc()
            traceback.print_exc()
            self.shot("failure")
            return self.finish()

    def finish(self):
        if self.finished:
            return None
        self.finished = True
        for proc in self.pending_shots:
            proc.wait(timeout=20)
        self.write_report()
        if self.recorder is not None:
            self.recorder.save(self.pauses)
        if not self.data.get("keep_open"):
            bpy.ops.wm.quit_blender()
        return None

    def write_report(self) -> None:
        report = {"checks": self.checks, "shots": self.shots, "data": self.data,
                  "seconds": round(time.monotonic() - self.started, 1)}
        tmp = self.report_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(report, indent=1, default=str))
        os.replace(tmp, self.report_path)


def bind_probe_keys() -> None:
    """Ctrl+Alt+Shift+P over a button: Blender's own Copy Python Command (Ctrl+Shift+C, Copy Data Path,
    is Blender's default)."""
    kc = bpy.context.window_manager.keyconfigs.addon
    km = kc.keymaps.new(name="User Interface")
    km.keymap_items.new("ui.copy_python_command_button", "P", "PRESS", ctrl=True, alt=True,
                        shift=True)
