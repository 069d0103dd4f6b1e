"""Each step alone: a journal, a StepContext and a fake client, no engine and no threads."""

from __future__ import annotations

import random

import pytest
from engine_fakes import FakeService

from bridge.api.tencent import TencentRapidRequest
from bridge.clock import FakeClock
from bridge.engine import polling, submitting
from bridge.engine.journal import Journal
from bridge.engine.step_context import PARKED, POLL, StepContext
from bridge.errors import ServerError
from bridge.status import Asset, TaskStatus


@pytest.fixture
def parts(tmp_path):
    clock = FakeClock()
    journal = Journal(tmp_path)
    events, deferred = [], []
    ctx = StepContext(journal=journal, clock=clock, emit=events.append, owner="me",
                      rng=random.Random(1), request_of=lambda job_id, row:
                      submitting.request_from_row(row), slot_seconds=lambda: 20.0,
                      busy_jobs=lambda: 1, poll_floor=lambda: 2.0, progress_every=lambda: 10.0,
                      defer=deferred.append)
    return ctx, journal, events, deferred, FakeService(clock)


def add_job(journal, state="QUEUED", task_id=None):
    request = TencentRapidRequest(prompt="a chair")
    journal.insert({"job_id": "j1", "task_id": task_id, "provider": "3daistudio", "kind": "3d",
                    "label": "chair", "state": state, "created_at": 0.0, "updated_at": 0.0,
                    "request": request.to_record(), "expected_s": 90.0, "submitted_at": 0.0,
                    "lease_owner": "me", "lease_until": 1e12})


def test_submit_alone_journals_submitting_then_running(parts):
    ctx, journal, events, _, service = parts
    add_job(journal)
    following = submitting.submit(ctx, "j1", service.client())
    assert journal.record("j1").state == "RUNNING" and journal.record("j1").task_id == "task-1"
    assert following.action == POLL and following.delay > 0
    assert [e.kind for e in events] == ["submitted"]


def test_a_200_without_a_task_id_is_never_sent_again(parts):
    ctx, journal, events, _, service = parts
    add_job(journal)
    service.submit_script = [ServerError("The service accepted the request but returned no "
                                         "task id.")]
    assert submitting.submit(ctx, "j1", service.client()) is None
    assert journal.record("j1").state == "UNKNOWN" and events[-1].kind == "unknown"
    assert submitting.submit(ctx, "j1", service.client()) is None
    assert service.submit_calls == 1


def test_submit_answer_the_journal_refuses_is_handed_to_defer(parts, monkeypatch):
    ctx, journal, events, deferred, service = parts
    add_job(journal)
    from bridge.engine.journal import JournalLockedError

    def locked(*args, **kw):
        raise JournalLockedError("locked", path=journal.path)
    service.on_submit = lambda request: monkeypatch.setattr(journal, "update_all", locked)
    assert submitting.submit(ctx, "j1", service.client()).action == PARKED
    [settlement] = deferred
    assert settlement.writes[0].fields["task_id"] == "task-1" and events == []


def test_poll_alone_turns_finished_into_downloading_with_thumbnails(parts):
    ctx, journal, events, _, service = parts
    add_job(journal, state="RUNNING", task_id="t-9")
    service.status_script["t-9"] = [TaskStatus("t-9", "FINISHED", 100, None, [
        Asset("https://cdn.test/m.glb", "3D_MODEL", "https://cdn.test/m.png")])]
    following = polling.poll(ctx, "j1", service.client())
    row = journal.row("j1")
    assert following.action == "download" and row["state"] == "DOWNLOADING"
    assert row["assets"] == [{"url": "https://cdn.test/m.glb", "asset_type": "3D_MODEL",
                              "thumbnail": "https://cdn.test/m.png"}]


@pytest.mark.parametrize("error", [
    "deadline", "reset"])
def test_a_post_that_failed_after_it_may_have_left_is_never_resent(parts, error):
    from bridge.errors import TimeoutError_, TransportError
    ctx, journal, events, _, service = parts
    add_job(journal)
    service.submit_script = [TimeoutError_("The request ran past its 60 s deadline.")
                             if error == "deadline" else
                             TransportError("Connection reset by peer.")]
    assert submitting.submit(ctx, "j1", service.client()) is None
    assert journal.record("j1").state == "UNKNOWN" and "not charged twice" in events[-1].message


def test_a_slow_status_past_its_deadline_is_simply_asked_again(parts):
    from bridge.errors import TimeoutError_
    ctx, journal, events, _, service = parts
    add_job(journal, state="RUNNING", task_id="t-9")
    service.tasks["t-9"] = ctx.clock.now()
    service.status_script["t-9"] = [TimeoutError_("The status answer ran past its deadline.")]
    following = polling.poll(ctx, "j1", service.client())
    assert following.action == POLL and journal.record("j1").state == "RUNNING"
    assert "Trying again" in events[-1].message
