import threading

import pytest

from bridge.clock import FakeClock
from bridge.errors import CancelledError
from bridge.ratebudget import POLL, SUBMIT, RateBudget


def test_never_more_than_the_limit_in_any_minute():
    clock = FakeClock()
    budget = RateBudget(3, clock)
    times = []
    for _ in range(10):
        budget.acquire(POLL)
        times.append(clock.now())
    for i in range(len(times) - 3):
        assert times[i + 3] - times[i] >= 60.0


def test_first_requests_go_out_at_once():
    clock = FakeClock()
    budget = RateBudget(3, clock)
    start = clock.now()
    for _ in range(3):
        budget.acquire(SUBMIT)
    assert clock.now() == start


def test_429_pauses_everybody_for_retry_after():
    clock = FakeClock()
    budget = RateBudget(100, clock)
    budget.penalize(30)
    assert budget.try_acquire(POLL) == pytest.approx(30)
    start = clock.now()
    budget.acquire(SUBMIT)
    assert clock.now() - start >= 30


def test_waiting_submit_takes_the_slot_before_a_poll():
    clock = FakeClock()
    budget = RateBudget(1, clock)
    budget.acquire(POLL)
    budget._waiting[SUBMIT] += 1  # a submit is queued
    try:
        assert budget.try_acquire(POLL) > 0
    finally:
        budget._waiting[SUBMIT] -= 1


def test_wallet_can_raise_but_not_lower_the_rate():
    budget = RateBudget(3, FakeClock())
    budget.raise_rate(10)
    assert budget.per_minute == 10
    budget.raise_rate(2)
    assert budget.per_minute == 10


def test_cancel_wakes_a_waiter():
    clock = FakeClock()
    budget = RateBudget(1, clock)
    budget.acquire()
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(CancelledError):
        budget.acquire(POLL, cancel)


@pytest.mark.parametrize("asked, paused, told", [
    (999_999, 300.0, True), (float("inf"), 300.0, True), (120.0, 120.0, True),
    (30.0, 30.0, False), (float("nan"), 0.0, False), (-5, 0.0, False)])
def test_retry_after_is_capped_and_long_pauses_are_told(asked, paused, told):
    from bridge.ratebudget import RETRY_AFTER_CAP
    clock = FakeClock()
    budget = RateBudget(100, clock)
    heard = []
    budget.add_listener(lambda a, p: heard.append((a, p)))
    assert budget.penalize(asked) == pytest.approx(paused)
    assert budget.try_acquire(POLL) == pytest.approx(paused)
    assert paused <= RETRY_AFTER_CAP
    assert (len(heard) == 1) == told
    if told:
        assert heard[0][1] == pytest.approx(paused)


def test_pacing_spaces_grants_one_slot_apart():
    clock = FakeClock()
    budget = RateBudget(3, clock)
    budget.pace_fraction = 1.0
    times = []
    for _ in range(4):
        budget.acquire(SUBMIT)
        times.append(clock.now())
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert gaps[0] == pytest.approx(20.0) and gaps[1] == pytest.approx(20.0)
    assert times[3] - times[0] >= 60.0


def test_a_claimed_slot_is_spent_by_the_callers_acquire_or_given_back():
    clock = FakeClock()
    budget = RateBudget(1, clock)
    wait, grant = budget.claim(SUBMIT)
    assert wait == 0 and grant is not None
    start = clock.now()
    with budget.spending(grant):
        budget.acquire(SUBMIT)                 # uses the claimed slot: no wait
    assert clock.now() == start and budget.try_acquire(POLL) > 0
    other = RateBudget(1, clock)
    _, unused = other.claim(POLL)
    with other.spending(unused):
        pass                                   # the call was never made
    assert other.try_acquire(POLL) == 0        # so the slot is free again
