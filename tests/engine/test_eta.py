"""The job list's time left, learned from this user's finished jobs of the same model."""

from __future__ import annotations

import random

import pytest
from engine_fakes import FakeService

from bridge.api.tencent import TencentProRequest, TencentRapidRequest
from bridge.clock import FakeClock
from bridge.engine import eta, submitting
from bridge.engine.journal import Journal
from bridge.engine.step_context import StepContext


@pytest.fixture(autouse=True)
def _fresh_cache():
    eta.forget()
    yield
    eta.forget()


def _row(journal, job_id, request, state="DONE", submitted=0.0, finished=None, task="t"):
    journal.insert({"job_id": job_id, "task_id": f"{task}-{job_id}", "provider": "3daistudio",
                    "kind": "3d", "label": job_id, "state": state, "created_at": submitted,
                    "updated_at": submitted, "request": request.to_record(), "expected_s": 90.0,
                    "submitted_at": submitted, "finished_at": finished,
                    "lease_owner": "me", "lease_until": 1e12})


def _recorded_journal(tmp_path):
    """A journal as a user leaves it: three Rapid jobs that took 40, 60 and 200 s, one Pro
    job of 600 s, one Rapid job still running and one that failed before finishing."""
    journal = Journal(tmp_path)
    rapid = TencentRapidRequest(prompt="a chair")
    for n, took in enumerate((40.0, 60.0, 200.0)):
        _row(journal, f"r{n}", rapid, submitted=1000.0 * n, finished=1000.0 * n + took)
    _row(journal, "p0", TencentProRequest(prompt="a chair"), submitted=0.0, finished=600.0)
    _row(journal, "run", rapid, state="RUNNING", submitted=5000.0)
    _row(journal, "bad", rapid, state="FAILED", submitted=6000.0)
    return journal


def test_the_typical_duration_is_the_median_of_the_same_models_finished_jobs(tmp_path):
    journal = _recorded_journal(tmp_path)
    assert eta.typical_seconds(journal, TencentRapidRequest(prompt="x").to_record()) == 60.0
    assert eta.typical_seconds(journal, TencentProRequest(prompt="x").to_record()) == 600.0


def test_without_history_nothing_is_said(tmp_path):
    journal = Journal(tmp_path)
    row = {"request": TencentRapidRequest(prompt="x").to_record()}
    assert eta.typical_seconds(journal, row["request"]) is None
    assert eta.for_event(journal, row, 10.0, 0) == eta.UNKNOWN
    assert eta.for_event(journal, row, 10.0, 50) == eta.UNKNOWN


def test_progress_corrects_the_typical_duration(tmp_path):
    journal = _recorded_journal(tmp_path)
    row = {"request": TencentRapidRequest(prompt="x").to_record()}
    assert eta.for_event(journal, row, 0.0, 0) == 60.0              # just sent: the median
    assert eta.for_event(journal, row, 20.0, 0) == 40.0             # counting down
    assert eta.for_event(journal, row, 75.0, 0) == eta.UNKNOWN      # past it, no progress: no guess
    # 40% after 60 s: this one runs slow (150 s by its progress); 40% of the weight goes to it
    assert eta.for_event(journal, row, 60.0, 40) == pytest.approx(0.6 * 60 + 0.4 * 150 - 60)
    assert eta.for_event(journal, row, 90.0, 90) == pytest.approx(0.1 * 60 + 0.9 * 100 - 90)


def test_a_submitted_job_gets_the_estimate_from_history_not_the_requests_guess(tmp_path):
    journal = _recorded_journal(tmp_path)
    clock = FakeClock()
    events = []
    ctx = StepContext(journal=journal, clock=clock, emit=events.append, owner="me",
                      rng=random.Random(1), request_of=lambda job_id, row:
                      submitting.request_from_row(row), slot_seconds=lambda: 20.0,
                      busy_jobs=lambda: 1, poll_floor=lambda: 2.0, progress_every=lambda: 10.0,
                      defer=[].append)
    journal.insert({"job_id": "new", "task_id": None, "provider": "3daistudio", "kind": "3d",
                    "label": "chair", "state": "QUEUED", "created_at": 0.0, "updated_at": 0.0,
                    "request": TencentRapidRequest(prompt="a chair").to_record(),
                    "expected_s": 90.0, "lease_owner": "me", "lease_until": 1e12})
    submitting.submit(ctx, "new", FakeService(clock).client())
    (submitted,) = [e for e in events if e.kind == "submitted"]
    assert submitted.eta_s == 60.0     # the user's own median, not expected_seconds()'s 90
