"""The window sessions run.py runs, in order: each starts what it needs and returns checks."""

from __future__ import annotations

import shutil


def _fresh_home(ctx, name: str):
    home = ctx["out"] / "homes" / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    return home


def _one_session(name: str, timeout: float):
    def run(ctx) -> list:
        emu = ctx["Emulator"](ctx["out"], "--time-scale", "30")
        try:
            env = ctx["profile_env"](_fresh_home(ctx, name), emu.url)
            ctx["install"](ctx["zip"], env)
            result = ctx["run_blender"](name, ctx["out"], env, [], timeout=timeout)
            left = ctx["helpers_left"]()
            return result["checks"] + [{"check": f"no helper Blender left after {name}",
                                        "ok": not left, "detail": "\n".join(left)}]
        finally:
            emu.stop()
    return run


#: What CI runs, in order.
ORDER = {"generate": _one_session("generate", 900)}
#: Run only when named (scripts/test_window.sh jobs_and_tools): not passing yet.
EXTRA = {"jobs_and_tools": _one_session("jobs_and_tools", 900)}
