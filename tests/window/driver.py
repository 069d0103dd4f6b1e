"""Blender's --python script for the real-window tier: run one scenario, then quit.

    blender --online-mode --python tests/window/driver.py -- SCENARIO OUT_DIR REPORT.json

It binds the probe keys, starts the main-thread timing recorder, and runs
the scenario's steps in a timer (``harness.Driver``).
"""

import faulthandler
import os
import sys
from pathlib import Path

import bpy

sys.path.insert(0, str(Path(__file__).resolve().parent))

import asset_scenarios  # noqa: E402
import harness  # noqa: E402
import scenarios  # noqa: E402
import timing  # noqa: E402

_FAULTS = open(os.environ.get("AISTUDIO_FAULT_LOG", "/tmp/window.fault"), "w")
faulthandler.enable(file=_FAULTS, all_threads=True)

name, out, report = sys.argv[sys.argv.index("--") + 1:][:3]
harness.bind_probe_keys()
recorder = timing.Recorder(Path(out) / f"{name}.timing.json")
recorder.start()
scenario = getattr(scenarios, name, None) or getattr(asset_scenarios, name)
driver = harness.Driver(Path(out), scenario, Path(report), recorder=recorder)
bpy.app.timers.register(driver.tick, first_interval=3.0, persistent=True)
