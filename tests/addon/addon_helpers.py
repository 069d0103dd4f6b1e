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
    from ai_studio_bridge.addon.jobs import pump
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pump.pump_once()
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    from ai_studio_bridge.addon.jobs import session
    raise AssertionError(f"timed out; jobs: {list(session.STATE.jobs.values())}, "
                         f"messages: {list(session.STATE.messages)}")


def last_job():
    from ai_studio_bridge.addon.jobs import session
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


def job_record(job_id, files, meta=None):
    """A finished journal record holding *files* (for importing without a service),
    sent from the open file (so the pump imports it by itself)."""
    from ai_studio_bridge.addon.jobs import origin
    from ai_studio_bridge.bridge.engine import JobRecord
    meta = origin.stamp(dict(meta or {}))
    return JobRecord(job_id=job_id, task_id=f"task-{job_id}", provider="3daistudio", kind="3d",
                     label="Thing", state="DONE", progress=100, credits_low=50, credits_high=50,
                     files=[str(f) for f in files], error="", created_at=0.0, updated_at=0.0,
                     output_dir=str(files[0].parent), meta=meta,
                     request={"type": "TencentRapidRequest", "fields": {"prompt": "thing",
                                                                        "api_key": "never"}})


class FakeRecords:
    """Stands in for the engine: importing reads ``job()``, the pump ``drain()``."""

    def __init__(self):
        self.records = {}

    def job(self, job_id):
        return self.records.get(job_id)

    def drain(self, max_events=None):
        return []

    def credentials_changed(self):
        """A new key reached the stand-in engine: nothing is waiting for one here."""

    def active_count(self):
        return 0


def render_through(camera_name: str = "Cam", width: int = 64, height: int = 64,
                   location=(0.0, 0.0, 0.0), rotation=(0.0, 0.0, 0.0)):
    """Render the scene (Workbench) through a new camera: the Render Result a user sends."""
    scene = bpy.context.scene
    cam = bpy.data.objects.new(camera_name, bpy.data.cameras.new(camera_name))
    scene.collection.objects.link(cam)
    scene.camera, cam.location, cam.rotation_euler = cam, location, rotation
    scene.render.engine = "BLENDER_WORKBENCH"
    scene.render.resolution_x, scene.render.resolution_y = width, height
    scene.render.resolution_percentage = 100
    bpy.ops.render.render()
    return cam
