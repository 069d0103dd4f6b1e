"""Helpers shared by the add-on tests (pumping, finding results)."""

import time
from pathlib import Path

import bpy

KEY = "test-key"
TOKEN = "i3d-token"
TIME_SCALE = 2000.0
SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
SHIPPED_SAMPLE = Path(__file__).resolve().parents[2] / "scripts" / "demo_sample.png"


def sample_picture(name: str = "police_woman.png") -> Path:
    path = SAMPLES / name
    return path if path.is_file() else SHIPPED_SAMPLE


def pump_until(predicate, timeout: float = 30.0):
    """Call the pump like the timer would, until ``predicate()`` is true."""
    from ai_studio_bridge.addon import pump
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pump.pump_once()
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    from ai_studio_bridge.addon import session
    raise AssertionError(f"timed out; jobs: {list(session.STATE.jobs.values())}, "
                         f"messages: {list(session.STATE.messages)}")


def last_job():
    from ai_studio_bridge.addon import session
    return session.STATE.jobs[session.STATE.order[0]]


def wait_imported(timeout: float = 30.0):
    """Pump until the newest job was imported (or ended without it: then fail)."""
    def done():
        view = last_job()
        if view.state in ("FAILED", "EXPIRED", "CANCELLED", "UNKNOWN"):
            raise AssertionError(f"job ended {view.state}: {view.error}")
        return view if view.imported else None
    return pump_until(done, timeout)


def ai_objects():
    coll = bpy.data.collections.get("AI Studio")
    return [o for o in coll.objects if o.parent is None] if coll else []
