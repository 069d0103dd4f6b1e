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
