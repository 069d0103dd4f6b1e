"""The whole path in one command, offline: picture → miniature job → model in a scene → render.

    .venv/bin/python scripts/demo.py [--picture PATH] [--out out]

Runs Blender headless (the bpy module from the venv), starts the local
emulator of the service in this process, enables the add-on, submits a
miniature job through its operator, waits with ``aistudio.wait_jobs`` (timers
never fire in background mode), and writes ``out/demo.blend`` and a Workbench
render ``out/demo.png`` with a camera framing the result. Nothing leaves the
machine: the emulator listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # extension_package: the repository as the extension

DEFAULT_PICTURE = ROOT / ".." / "shared" / "samples" / "police_woman.png"
SHIPPED_PICTURE = ROOT / "scripts" / "demo_sample.png"
TIME_SCALE = 200.0  # the emulator's 4-minute "fast" miniature takes about a second
DEMO_KEY = "demo-key"


def _picture(given: str | None) -> Path:
    if given:
        return Path(given).resolve()
    return DEFAULT_PICTURE.resolve() if DEFAULT_PICTURE.is_file() else SHIPPED_PICTURE


def _height_m(objects) -> float:
    """Height of everything imported, in Blender units (world Z extent)."""
    from mathutils import Vector
    zs = [(o.matrix_world @ Vector(c)).z for o in objects if o.type == "MESH" for c in o.bound_box]
    return (max(zs) - min(zs)) if zs else 0.0


def _frame_camera(scene, objects) -> None:
    import bpy
    from mathutils import Vector
    bpy.context.view_layer.update()
    corners = [o.matrix_world @ Vector(c) for o in objects if o.type == "MESH" for c in o.bound_box]
    if not corners:
        corners = [Vector((-1, -1, 0)), Vector((1, 1, 2))]
    lo = Vector(map(min, *corners))
    hi = Vector(map(max, *corners))
    center, size = (lo + hi) / 2, max((hi - lo).length, 1e-3)
    cam_data = bpy.data.cameras.new("Demo Camera")
    cam_data.lens = 50
    cam = bpy.data.objects.new("Demo Camera", cam_data)
    scene.collection.objects.link(cam)
    direction = Vector((0.0, -1.0, 0.35)).normalized()
    cam.location = center + direction * size * 1.6
    cam.rotation_euler = (center - cam.location).to_track_quat("-Z", "Y").to_euler()
    cam_data.clip_end = size * 20
    scene.camera = cam
    light_data = bpy.data.lights.new("Demo Sun", "SUN")
    light_data.energy = 3.0
    light = bpy.data.objects.new("Demo Sun", light_data)
    light.rotation_euler = (math.radians(50), 0, math.radians(30))
    scene.collection.objects.link(light)


def _render(scene, path: Path) -> None:
    scene.render.engine = "BLENDER_WORKBENCH"
    scene.display.shading.light = "STUDIO"
    scene.display.shading.color_type = "TEXTURE"
    scene.render.resolution_x, scene.render.resolution_y = 640, 640
    scene.render.image_settings.file_format = "PNG"
    scene.render.filepath = str(path)
    import bpy
    bpy.ops.render.render(write_still=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--picture", help="a PNG/JPEG picture (default: the police woman sample)")
    parser.add_argument("--out", default=str(ROOT / "out"), help="output folder")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    picture = _picture(args.picture)

    import bpy

    from bridge.clock import ScaledClock
    from bridge.emulator import Emulator

    bpy.ops.wm.read_factory_settings(use_empty=True)
    # The demo talks only to the loopback emulator, but the add-on obeys
    # Blender's switch like it would for the real service.
    bpy.context.preferences.system.use_online_access = True

    import extension_package
    addon = extension_package.load()  # the repository as the extension package
    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import session
    with tempfile.TemporaryDirectory(prefix="aistudio-demo-") as home, \
            Emulator(api_key=DEMO_KEY, time_scale=TIME_SCALE) as emu:
        session.ENGINE_OPTIONS.update(home=Path(home), clock=ScaledClock(TIME_SCALE))
        addon.register()
        try:
            prefs = preferences.get_prefs()
            prefs.api_key, prefs.api_url = DEMO_KEY, emu.url
            prefs.download_folder = str(out / "results")
            scene = bpy.context.scene
            scene.cursor.location = (0.0, 0.0, 0.0)
            print(f"demo: picture {picture}")
            result = bpy.ops.aistudio.miniature(filepath=str(picture), preset="miniature_human_full_body",
                                                edition="fast", scale="custom", scale_height_cm=12.0)
            if "FINISHED" not in result:
                print("demo: the miniature job was not submitted", file=sys.stderr)
                return 1
            bpy.ops.aistudio.wait_jobs(timeout=args.timeout)
            coll = bpy.data.collections.get("AI Studio")
            objects = list(coll.all_objects) if coll else []
            if not objects:
                print("demo: no model arrived; messages:", list(session.STATE.messages), file=sys.stderr)
                return 1
            tops = [o for o in objects if o.parent is None]
            height_cm = _height_m(objects) * scene.unit_settings.scale_length * 100
            for top in tops:
                print(f"demo: imported {top.name!r}, {height_cm:.1f} cm tall, "
                      f"job {top.get('aistudio_job')}")
            _frame_camera(scene, objects)
            _render(scene, out / "demo.png")
            bpy.ops.wm.save_as_mainfile(filepath=str(out / "demo.blend"))
            print(f"demo: wrote {out / 'demo.blend'} and {out / 'demo.png'}")
        finally:
            addon.unregister()
    return 0


if __name__ == "__main__":
    sys.exit(main())
