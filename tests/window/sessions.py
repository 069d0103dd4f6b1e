"""The window sessions run.py runs, in order: each starts what it needs and returns checks."""

from __future__ import annotations

import shutil


def _fresh_home(ctx, name: str):
    home = ctx["out"] / "homes" / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    return home


def _one_session(name: str, timeout: float, time_scale: str = "30"):
    def run(ctx) -> list:
        emu = ctx["Emulator"](ctx["out"], "--time-scale", time_scale)
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


def quit_and_resume(ctx) -> list:
    """Quit with two jobs running; start again on the saved file; both land in it."""
    import subprocess
    emu = ctx["Emulator"](ctx["out"], "--time-scale", "3")   # jobs long enough to quit during
    try:
        home = _fresh_home(ctx, "resume")
        env = ctx["profile_env"](home, emu.url)
        ctx["install"](ctx["zip"], env)
        scene = home / "scene.blend"
        subprocess.run(["blender", "-b", "--factory-startup", "--python-expr",
                        f"import bpy; bpy.ops.wm.save_as_mainfile(filepath={str(scene)!r})"],
                       env=env, check=True, capture_output=True)
        first = ctx["run_blender"]("quit_while_running", ctx["out"], env, [str(scene)], timeout=300)
        left = ctx["helpers_left"]()
        checks = first["checks"] + [{"check": "no helper Blender left after Ctrl+Q",
                                     "ok": not left, "detail": "\n".join(left)}]
        second = ctx["run_blender"]("resume_after_restart", ctx["out"], env, [str(scene)],
                                    timeout=600)
        return checks + second["checks"]
    finally:
        emu.stop()


def _with_model(name: str, fixture: str, timeout: float):
    def run(ctx) -> list:
        emu = ctx["Emulator"](ctx["out"], "--time-scale", "30", "--model-file",
                              f"/work/fixtures/{fixture}")
        try:
            env = ctx["profile_env"](_fresh_home(ctx, name), emu.url)
            ctx["install"](ctx["zip"], env)
            return ctx["run_blender"](name, ctx["out"], env, [], timeout=timeout)["checks"]
        finally:
            emu.stop()
    return run


def assets_across_files(ctx) -> list:
    """Results as assets in one Blender; then a later Blender on a new file drags one in."""
    emu = ctx["Emulator"](ctx["out"], "--time-scale", "30")
    try:
        env = ctx["profile_env"](_fresh_home(ctx, "assets"), emu.url)
        ctx["install"](ctx["zip"], env)
        first = ctx["run_blender"]("assets_and_drop", ctx["out"], env, [], timeout=600)
        second = ctx["run_blender"]("library_in_another_file", ctx["out"], env, [], timeout=300)
        left = ctx["helpers_left"]()
        return first["checks"] + second["checks"] + [
            {"check": "no helper Blender left after the asset sessions", "ok": not left,
             "detail": "\n".join(left)}]
    finally:
        emu.stop()


#: What CI runs, in order.
ORDER = {"generate": _one_session("generate", 900), "quit_and_resume": quit_and_resume,
         "heavy_result": _with_model("heavy_result", "heavy.glb", 600),
         "draco_result": _with_model("draco_result", "draco.glb", 300),
         # Slower jobs (6× time), so one can be cancelled while it runs.
         "jobs_and_tools": _one_session("jobs_and_tools", 900, time_scale="6"),
         # Results as assets in the Asset Browser, a picture dropped on the viewport, and
         # the library seen from a new file in a later Blender (an asset dragged in).
         "assets_and_drop": assets_across_files}
#: Sessions run only when named: none today.
EXTRA: dict = {}
