"""Every add-on call on Blender's main thread, timed, and the gaps of a 10 ms probe timer.

The add-on's timers (the pump), panel and list draws, operators
(execute/invoke/modal) and app handlers are wrapped where Blender looks
them up; each call is recorded as (what, start, seconds). A probe timer
asks to run every 10 ms: a longer gap is a frame the main thread spent
elsewhere. A gap is laid to the add-on's calls inside it, else to Blender's
drawing when a draw callback of the 3D view (drawn last in each window
redraw, llvmpipe on the CPU here) fell inside it, else "other".
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
import time
from pathlib import Path

import bpy

PROBE_S = 0.010


def _all_subclasses(*bases) -> list:
    """Every class below *bases*, not only the direct children (mixins sit between)."""
    found, todo = [], list(bases)
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.append(sub)
                todo.append(sub)
    return found


class Recorder:
    def __init__(self, path: Path):
        self.path = path
        self.calls: list = []      # (what, start, seconds)
        self.gaps: list = []       # (start, seconds)
        self.draws: list = []      # (start, seconds) of the 3D view's own drawing
        self._last = None
        self._draw_start = None
        self._handles = []

    # -- wrapping ------------------------------------------------------------------
    def timed(self, what: str, fn):
        """*fn* timed, with its own parameter list: Blender reads a method's argument count
        to decide what to pass, so ``*args`` would be called with nothing."""
        params = list(inspect.signature(fn).parameters)
        names = ", ".join(params)
        source = (f"def wrapper({names}):\n"
                  f"    start = perf_counter()\n"
                  f"    try:\n"
                  f"        return fn({names})\n"
                  f"    finally:\n"
                  f"        calls.append((what, start, perf_counter() - start))\n")
        scope = {"perf_counter": time.perf_counter, "fn": fn, "calls": self.calls, "what": what}
        exec(source, scope)
        wrapper = functools.wraps(fn)(scope["wrapper"])
        wrapper.__aistudio_timed__ = True
        return wrapper

    def start(self) -> None:
        package = next((m for m in sys.modules if m.endswith(".ai_studio_bridge")), None)
        if package is not None:
            self._wrap_addon(package)
        bpy.app.timers.register(self._probe, first_interval=PROBE_S, persistent=True)
        space = bpy.types.SpaceView3D
        self._handles = [space.draw_handler_add(self._draw_begin, (), "WINDOW", "PRE_VIEW"),
                         space.draw_handler_add(self._draw_end, (), "WINDOW", "POST_PIXEL")]

    def _wrap_addon(self, package: str) -> None:
        pump = sys.modules[f"{package}.addon.jobs.pump"]
        pump.stop()
        pump.pump = self.timed("timer: pump", pump.pump)
        pump.start()
        for cls in _all_subclasses(bpy.types.Panel, bpy.types.UIList, bpy.types.Operator,
                                   bpy.types.Menu):
            if not cls.__module__.startswith(package):
                continue
            for method in ("draw", "draw_header", "draw_item", "filter_items", "execute",
                           "invoke", "modal"):
                fn = cls.__dict__.get(method)
                if fn is not None and not getattr(fn, "__aistudio_timed__", False):
                    setattr(cls, method, self.timed(f"{method}: {cls.__name__}", fn))
        for name in dir(bpy.app.handlers):
            handlers = getattr(bpy.app.handlers, name)
            if not isinstance(handlers, list):
                continue
            for i, fn in enumerate(handlers):
                if getattr(fn, "__module__", "").startswith(package):
                    handlers[i] = bpy.app.handlers.persistent(self.timed(f"handler: {name}", fn))

    # -- probing -----------------------------------------------------------------
    def _probe(self):
        now = time.perf_counter()
        if self._last is not None and now - self._last > PROBE_S * 1.5:
            self.gaps.append((self._last, now - self._last))
        self._last = now
        return PROBE_S

    def _draw_begin(self):
        self._draw_start = time.perf_counter()

    def _draw_end(self):
        if self._draw_start is not None:
            self.draws.append((self._draw_start, time.perf_counter() - self._draw_start))
            self._draw_start = None

    def mark(self, what: str, start: float, seconds: float) -> None:
        """A call the scenario timed itself (the reference importer)."""
        self.calls.append((what, start, seconds))

    def save(self, pauses: list) -> None:
        """*pauses*: (start, seconds) spans the driver itself held the main thread."""
        data = {"calls": self.calls, "gaps": self.gaps, "draws": self.draws, "driver": pauses}
        self.path.write_text(json.dumps(data))
