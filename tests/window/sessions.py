"""The window sessions run.py runs, in order: each starts what it needs and returns checks."""

from __future__ import annotations

import shutil


def _fresh_home(ctx, name: str):
    home = ctx["out"] / "homes" / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    return home


def generate(ctx) -> list:
    emu = ctx["Emulator"](ctx["out"], "--time-scale", "30")
    try:
        env = ctx["profile_env"](_fresh_home(ctx, "generate"), emu.url)
        ctx["install"](ctx["zip"], env)
        result = ctx["run_blender"]("generate", ctx["out"], env, [], timeout=600)
        return result["checks"]
    finally:
        emu.stop()


ORDER = {"generate": generate}
