"""Main-thread cost of the add-on: one pump tick under load, and a big GLB import.

    .venv/bin/python bench/addon_bench.py [--jobs 50] [--ticks 400] [--triangles 500000]

1. Pump tick with 50 active jobs, two ways:
   a. a synthetic engine that has a progress event for every job on every
      tick (the worst case the pump can meet), and
   b. the real JobEngine with 50 jobs in flight against the local emulator.
   Reports p50/p99 of ``pump_once`` (target: p99 under 2 ms).
2. Import of a 500k-triangle textured GLB (written here with numpy) through
   Blender's importer as the add-on runs it (``helper/importers.import_objects``:
   in the helper Blender, or here when the helper is unavailable). What the
   main thread pays with the helper is in ``bench/helper_bench.py``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import struct
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # extension_package: the repository as the extension


# -- a textured grid as GLB ------------------------------------------------------

def write_textured_glb(path: Path, triangles: int = 500_000, texture_px: int = 512) -> int:
    """A wavy grid with UVs and an embedded PNG texture; returns the triangle count."""
    from bridge.pngcodec import encode_png
    quads = max(1, triangles // 2)
    side = int(np.ceil(np.sqrt(quads)))
    n = side + 1
    u, v = np.meshgrid(np.linspace(0, 1, n, dtype=np.float32), np.linspace(0, 1, n, dtype=np.float32))
    height = 0.05 * np.sin(u * 12) * np.cos(v * 9)
    pos = np.stack([u - 0.5, height, v - 0.5], axis=-1).reshape(-1, 3).astype(np.float32)
    uv = np.stack([u, v], axis=-1).reshape(-1, 2).astype(np.float32)
    normals = np.tile(np.array([0, 1, 0], np.float32), (n * n, 1))
    idx = np.arange(n * n, dtype=np.uint32).reshape(n, n)
    a, b, c, d = idx[:-1, :-1], idx[:-1, 1:], idx[1:, :-1], idx[1:, 1:]
    faces = np.stack([np.stack([a, c, b], -1), np.stack([b, c, d], -1)], axis=2).reshape(-1, 3)
    indices = faces.astype(np.uint32).ravel()
    yy, xx = np.mgrid[0:texture_px, 0:texture_px]
    tex = np.zeros((texture_px, texture_px, 4), np.uint8)
    tex[..., 0] = (xx * 255 // texture_px).astype(np.uint8)
    tex[..., 1] = (yy * 255 // texture_px).astype(np.uint8)
    tex[..., 2] = (((xx // 32 + yy // 32) % 2) * 200).astype(np.uint8)
    tex[..., 3] = 255
    png = encode_png(tex, level=1)

    blobs, views, offset = [], [], 0
    for data, target in ((pos.tobytes(), 34962), (normals.tobytes(), 34962), (uv.tobytes(), 34962),
                         (indices.tobytes(), 34963), (png, None)):
        pad = (-len(data)) % 4
        view = {"buffer": 0, "byteOffset": offset, "byteLength": len(data)}
        if target:
            view["target"] = target
        views.append(view)
        blobs.append(data + b"\0" * pad)
        offset += len(data) + pad
    binary = b"".join(blobs)
    gltf = {
        "asset": {"version": "2.0", "generator": "addon_bench"},
        "scene": 0, "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "BenchGrid"}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0, "NORMAL": 1, "TEXCOORD_0": 2},
                                    "indices": 3, "material": 0}]}],
        "materials": [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}],
        "textures": [{"source": 0}],
        "images": [{"bufferView": 4, "mimeType": "image/png"}],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": n * n, "type": "VEC3",
             "min": pos.min(0).tolist(), "max": pos.max(0).tolist()},
            {"bufferView": 1, "componentType": 5126, "count": n * n, "type": "VEC3"},
            {"bufferView": 2, "componentType": 5126, "count": n * n, "type": "VEC2"},
            {"bufferView": 3, "componentType": 5125, "count": int(indices.size), "type": "SCALAR"},
        ],
        "bufferViews": views,
        "buffers": [{"byteLength": len(binary)}],
    }
    js = json.dumps(gltf, separators=(",", ":")).encode()
    js += b" " * ((-len(js)) % 4)
    total = 12 + 8 + len(js) + 8 + len(binary)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<III", 0x46546C67, 2, total))
        fh.write(struct.pack("<II", len(js), 0x4E4F534A) + js)
        fh.write(struct.pack("<II", len(binary), 0x004E4942) + binary)
    return int(faces.shape[0])


# -- measurements --------------------------------------------------------------

def _percentiles(samples: list[float]) -> str:
    ms = sorted(s * 1000 for s in samples)
    p50 = statistics.median(ms)
    p99 = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]
    return f"p50 {p50:.3f} ms, p99 {p99:.3f} ms, max {ms[-1]:.3f} ms over {len(ms)} ticks"


class _SyntheticEngine:
    """Every job reports progress on every tick: more events than a real service sends."""

    def __init__(self, jobs: int):
        from bridge.engine.model import Event
        self._event = Event
        self.ids = [f"job{i:03d}" for i in range(jobs)]
        self.tick = 0
        self.queue = []

    def next_tick(self):
        self.tick += 1
        self.queue = [self._event("progress", j, task_id=f"task-{j}", state="RUNNING",
                                  progress=self.tick % 100) for j in self.ids]

    def drain(self, max_events=None):
        count = max_events or len(self.queue)
        out, self.queue = self.queue[:count], self.queue[count:]
        return out

    def active_count(self):
        return len(self.ids)

    def job(self, job_id):
        return None

    def jobs(self, limit=200):
        return []

    def shutdown(self, timeout=2.0):
        pass


def _timed_ticks(ticks: int, before=None, pause: float = 0.0, **kw) -> tuple[list, list]:
    """Wall time and main-thread CPU time of ``ticks`` pump ticks."""
    from ai_studio_bridge.addon.jobs import pump
    wall, cpu = [], []
    for _ in range(ticks):
        if before:
            before()
        w0, c0 = time.perf_counter(), time.thread_time()
        pump.pump_once(**kw)
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - w0)
        if pause:
            time.sleep(pause)
    return wall, cpu


def bench_pump_synthetic(jobs: int, ticks: int) -> str:
    from ai_studio_bridge.addon.jobs import pump, session
    saved = session.STATE.engine
    engine = session.STATE.engine = _SyntheticEngine(jobs)
    try:
        engine.next_tick()
        pump.pump_once()  # first tick creates the rows
        wall, cpu = _timed_ticks(ticks, before=engine.next_tick)
    finally:
        session.STATE.engine = saved
        session.STATE.jobs.clear()
        session.STATE.order.clear()
        session.STATE.rows_dirty = True
    return f"wall {_percentiles(wall)}; main-thread CPU {_percentiles(cpu)}"


def bench_pump_real(jobs: int, ticks: int, sample: Path) -> str:
    import bpy

    from ai_studio_bridge.addon import preferences
    from ai_studio_bridge.addon.jobs import pump, session
    from bridge.emulator import Emulator
    with Emulator(api_key="bench-key", time_scale=1.0, credits=10**7) as emu:  # jobs outlast the bench
        prefs = preferences.get_prefs()
        prefs.api_key, prefs.api_url, prefs.rate_limit = "bench-key", emu.url, 600
        session.refresh_settings()
        for _ in range(jobs):
            bpy.ops.aistudio.miniature(filepath=str(sample), edition="fast")
        submitting = _timed_ticks(ticks, pause=0.005, do_imports=False)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(not v.task_id for v in session.STATE.jobs.values()):
            pump.pump_once(do_imports=False)
            time.sleep(0.01)
        polling = _timed_ticks(ticks, pause=0.005, do_imports=False)
        active = session.STATE.engine.active_count()
        for job_id in list(session.STATE.jobs):
            session.STATE.engine.cancel(job_id)
    return (f"while the workers upload 50 pictures: wall {_percentiles(submitting[0])}, "
            f"main-thread CPU {_percentiles(submitting[1])}\n"
            f"    once all are submitted, polling: wall {_percentiles(polling[0])}, "
            f"main-thread CPU {_percentiles(polling[1])} ({active} jobs active at the end)")


def bench_import(triangles: int, folder: Path) -> str:
    import bpy

    from ai_studio_bridge.addon.blenderio import importers
    from ai_studio_bridge.addon.jobs import importing
    path = folder / "bench_500k.glb"
    t0 = time.perf_counter()
    count = write_textured_glb(path, triangles)
    written = time.perf_counter() - t0
    t0 = time.perf_counter()
    top, _new = importers.import_objects(path, "Bench", importing.ai_collection(bpy.context.scene))
    seconds = time.perf_counter() - t0
    return (f"{count:,} triangles, {path.stat().st_size / 1e6:.1f} MB GLB (written in {written:.1f} s): "
            f"Blender's importer {seconds:.2f} s ({len(top.data.polygons):,} faces); with the "
            "helper Blender this runs there, see bench/helper_bench.py")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--ticks", type=int, default=400)
    parser.add_argument("--triangles", type=int, default=500_000)
    parser.add_argument("--skip-real", action="store_true", help="only the synthetic pump load")
    args = parser.parse_args(argv)

    import bpy
    import extension_package
    extension_package.load()  # the repository as the extension package
    import ai_studio_bridge as addon
    from ai_studio_bridge.addon.jobs import online, session
    online.network_allowed = lambda: True  # loopback emulator only
    with tempfile.TemporaryDirectory(prefix="aistudio-bench-") as tmp:
        session.ENGINE_OPTIONS.update(home=Path(tmp) / "home", workers=2)
        addon.register()
        try:
            print(f"pump tick, {args.jobs} jobs, synthetic events:", bench_pump_synthetic(args.jobs, args.ticks))
            if not args.skip_real:
                sample = ROOT.parent / "shared" / "samples" / "police_woman.png"
                if not sample.is_file():
                    sample = ROOT / "scripts" / "demo_sample.png"
                print(f"pump tick, {args.jobs} jobs, real engine + emulator:",
                      bench_pump_real(args.jobs, args.ticks // 4, sample))
            print("GLB import:", bench_import(args.triangles, Path(tmp)))
        finally:
            addon.unregister()
            bpy.ops.wm.read_factory_settings(use_empty=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
