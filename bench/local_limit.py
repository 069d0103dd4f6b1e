"""Where one machine's own work, not the key's rate limit, bounds throughput.

Run through ``bench/engine_bench.py --local``. Every job costs the key a few
requests (a submit, one or two polls, now and then a wallet check) and costs
this machine its local work: the engine's bookkeeping (HTTP, journal,
checks), downloading and checking the result, importing it into Blender and,
for prints, the print tools. Blender imports one job per pump tick on its
main thread and the helper process runs one heavy step at a time, so local
work is serial per machine:

    jobs/minute the machine can take  = 60 / local seconds per job
    requests/minute where that binds  = requests per job x that
"""

from __future__ import annotations

import http.server
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bridge.api.tencent import TencentRapidRequest  # noqa: E402
from bridge.clock import ScaledClock  # noqa: E402
from bridge.config import Settings  # noqa: E402
from bridge.engine import JobEngine  # noqa: E402
from bridge.engine.files import check_file  # noqa: E402
from bridge.transport import Transport  # noqa: E402

API_PREFIXES = ("/v1/", "/account/", "/user/", "/api/")
NETWORK_MBIT = 100.0      # a typical studio downlink, for the transfer-time line


def engine_cost(jobs: int, serve_emulator) -> tuple[float, float, float]:
    """(engine CPU seconds per job, API requests per job, jobs/minute) with no rate limit."""
    scale = 1000.0            # a 2-minute generation takes 0.12 s: only our own work is left
    parent, child = multiprocessing.get_context("fork").Pipe()
    server = multiprocessing.get_context("fork").Process(
        target=serve_emulator, args=(child, scale, None), daemon=True)
    server.start()
    url = parent.recv()
    with tempfile.TemporaryDirectory() as home:
        settings = Settings(api_key="bench-key", api_url=url, home=Path(home), rate_limit=100_000,
                            poll_interval=0.5)
        engine = JobEngine(settings, home=Path(home), clock=ScaledClock(scale)).start()
        before = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        ids = [engine.submit(TencentRapidRequest(prompt=f"a chair {i}")) for i in range(jobs)]
        records = engine.wait(ids, timeout=3600 * scale)
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_SELF)
        engine.shutdown()
    parent.send("report")
    report = parent.recv()
    server.join(5)
    done = sum(1 for r in records if r.state == "DONE")
    api = [r for r in report["log"] if r[1].startswith(API_PREFIXES)]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"  engine alone, {jobs} jobs, no rate limit: {done} DONE in {wall:.1f} s real, "
          f"{cpu / jobs * 1e3:.0f} ms engine CPU per job, {len(api) / jobs:.2f} requests per job")
    return cpu / jobs, len(api) / jobs, done / wall * 60


def download_cost(folder: Path, triangles: int) -> tuple[Path, float]:
    """Download + check of a realistic result over loopback: (the file, CPU seconds)."""
    sys.path.insert(0, str(ROOT / "bench"))
    from addon_bench import write_textured_glb
    model = folder / "served" / "result.glb"
    model.parent.mkdir()
    write_textured_glb(model, triangles)
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = partial(Quiet, directory=str(model.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/result.glb"
    dest = folder / "job_3d_model_1.glb"
    cpu0, wall0 = time.thread_time(), time.perf_counter()
    Transport("http://127.0.0.1", "").download(url, dest)
    check_file(dest, "3D_MODEL")
    cpu, wall = time.thread_time() - cpu0, time.perf_counter() - wall0
    server.shutdown()
    size = dest.stat().st_size
    print(f"  download + check of a {triangles:,}-triangle textured GLB ({size / 1e6:.1f} MB): "
          f"{cpu:.2f} s CPU, {wall:.2f} s over loopback; the transfer itself needs "
          f"{size * 8 / NETWORK_MBIT / 1e6:.1f} s at {NETWORK_MBIT:.0f} Mbit/s "
          "(network, not this machine; downloads run beside imports)")
    return dest, cpu


BLENDER_IMPORT = r"""
import sys, time
import bpy
bpy.ops.wm.read_factory_settings(use_empty=True)
t0 = time.perf_counter()
bpy.ops.import_scene.gltf(filepath=sys.argv[1])
print("SECONDS", time.perf_counter() - t0)
"""

BLENDER_PRINT = r"""
import sys, time
sys.argv = [sys.argv[0]]
sys.path.insert(0, %(bench)r)
import print_bench as pb
import bpy
bpy.ops.wm.read_factory_settings(use_empty=True)
bpy.context.scene.unit_settings.scale_length = 0.01
ob = pb.make_object("shells", %(tris)d)
t0 = time.perf_counter()
pb.make_manifold(ob)
pb.hollow(ob, 0.2, drain_holes=1)
pb.check_object(ob)
print("SECONDS", time.perf_counter() - t0)
"""


def _blender_seconds(code: str, *args: str) -> float:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                         timeout=3600, cwd=ROOT)
    for line in out.stdout.splitlines():
        if line.startswith("SECONDS"):
            return float(line.split()[1])
    raise RuntimeError(f"Blender step failed: {out.stderr[-500:]}")


def local_limit(jobs: int, triangles: int, print_tris: int, serve_emulator) -> int:
    print(f"where local work becomes the limit (this machine: {_cores()} cores)")
    engine_cpu, per_job, engine_rate = engine_cost(min(jobs, 40), serve_emulator)
    with tempfile.TemporaryDirectory() as tmp:
        model, download_cpu = download_cost(Path(tmp), triangles)
        importing = _blender_seconds(BLENDER_IMPORT, str(model))
    print(f"  glTF import into Blender: {importing:.2f} s (main thread / helper process)")
    stages = {"engine": engine_cpu, "download+check": download_cpu, "import": importing}
    if print_tris:
        printing = _blender_seconds(BLENDER_PRINT % {"bench": str(ROOT / "bench"),
                                                     "tris": print_tris})
        print(f"  print tools (make-manifold + hollow + check) on {print_tris:,} triangles: "
              f"{printing:.1f} s")
        stages["print tools"] = printing
    _verdict("generate + import", {k: v for k, v in stages.items() if k != "print tools"},
             per_job)
    if print_tris:
        _verdict("generate + import + print tools", stages, per_job)
    print(f"  (the engine alone would take {engine_rate:.0f} jobs/minute: its own work is "
          "never the bound)")
    return 0


def _verdict(name: str, stages: dict[str, float], per_job: float) -> None:
    seconds = sum(stages.values())
    jobs_per_min = 60.0 / seconds
    crossover = jobs_per_min * per_job
    at_default = 3.0 / per_job
    print(f"  {name}: {seconds:.2f} s local work per job → {jobs_per_min:.1f} jobs/minute; "
          f"at {per_job:.2f} requests per job local work becomes the limit above "
          f"≈ {crossover:.0f} requests/minute")
    print(f"    at the default 3 requests/minute: {at_default:.1f} jobs/minute, "
          f"{'rate-bound' if crossover > 3 else 'LOCAL-BOUND'} "
          f"(target: rate-bound, i.e. crossover above 3/minute)")


def _cores() -> int:
    import os
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
