"""How long the emulator's model tools take on a big mesh.

    .venv/bin/python bench/emulator_bench.py [--rings 300]

The emulator builds a job's files when the job is first polled after it
finishes, inside that status request; the client's read timeout is 30 s, so
each tool has to answer well inside it. Target: every tool under 10 s on a
textured ~360k-triangle model (the default, ``--rings 300``), 512 px maps.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bridge.emulator import model_tools  # noqa: E402
from bridge.emulator.mesh import Material, sphere  # noqa: E402
from bridge.emulator.model_write import encode  # noqa: E402
from bridge.emulator.polymesh import PolyMesh  # noqa: E402
from bridge.emulator.uv_atlas import atlas_uvs  # noqa: E402
from bridge.pngcodec import encode_png  # noqa: E402

TARGET_S = 10.0


class _Inputs:
    """What a producer reads from a job: the body and the models behind its URL fields."""

    def __init__(self, body: dict, models: dict[str, bytes]):
        self.body, self.models = body, models

    def model(self, *fields):
        for field in fields or ("model_url",):
            if field in self.models:
                return f"{field}.bin", self.models[field]
        return None

    def bytes_of(self, ref):
        return None


def _timed(label: str, run) -> object:
    start = time.perf_counter()
    out = run()
    took = time.perf_counter() - start
    verdict = "ok" if took < TARGET_S else "OVER TARGET"
    print(f"  {label:<34} {took:6.2f} s   (target < {TARGET_S:.0f} s: {verdict})")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rings", type=int, default=300, help="sphere rings (triangles ≈ 4 × rings²)")
    args = parser.parse_args()
    texture = encode_png(np.random.default_rng(0).integers(0, 255, (512, 512, 3), dtype=np.uint8))
    ball = PolyMesh.from_triangles(sphere((0, 0.5, 0), 0.5, args.rings, 2 * args.rings),
                                   materials=[Material("painted", (1, 1, 1, 1), texture)])
    ball = atlas_uvs(ball, 1024)
    glb, fbx = encode(ball, "glb")[1], encode(ball, "fbx")[1]
    print(f"model: {ball.face_count:,} triangles, {len(ball.positions):,} vertices, "
          f"GLB {len(glb) / 1e6:.1f} MB, FBX {len(fbx) / 1e6:.1f} MB")
    for fmt in ("fbx", "obj_zip", "glb"):
        _timed(f"convert GLB → {fmt}", lambda: model_tools.produce_convert(
            _Inputs({"output_format": fmt}, {"model_url": glb})))
    low = _timed("topology low, quadrilateral", lambda: model_tools.produce_topology(_Inputs(
        {"face_level": "low", "polygon_type": "quadrilateral"}, {"file_url": glb})))
    _timed("topology high, triangle", lambda: model_tools.produce_topology(_Inputs(
        {"face_level": "high"}, {"file_url": glb})))
    _timed("texture edit + PBR", lambda: model_tools.produce_texture_edit(_Inputs(
        {"prompt": "red stripes", "enable_pbr": True}, {"file_url": fbx})))
    _timed("bake 512 px onto the low retopo", lambda: model_tools.produce_bake(_Inputs(
        {"texture_resolution": 512}, {"original_url": glb, "retopo_url": low[0][2]})))


if __name__ == "__main__":
    main()
