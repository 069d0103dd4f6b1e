"""Issue 11, item 3: a Retry-After of days (or forever) pauses at most MAX_RETRY_AFTER_S, and
the user is told the service asked for more."""

import math

import pytest

from bridge.client import client_for
from bridge.errors import RateLimitedError, parse_retry_after
from bridge.transport import MAX_RETRY_AFTER_S

HUGE = {"999999": "999,999 s", "inf": "forever", "1e400": "forever",
        "Thu, 01 Jan 2099 00:00:00 GMT": "days"}


@pytest.mark.parametrize("value, expected", [
    ("12", 12.0), ("0", 0.0), ("-5", 0.0), ("inf", math.inf), ("nan", None),
    ("soon", None), ("", None), (None, None), ("Thu, 01 Jan 1970 00:00:00 GMT", 0.0),
])
def test_retry_after_values_are_read_safely(value, expected):
    assert parse_retry_after(value) == expected


def test_a_date_far_ahead_is_read_as_seconds():
    assert parse_retry_after("Thu, 01 Jan 2099 00:00:00 GMT") > 1e9


@pytest.mark.parametrize("value", HUGE, ids=HUGE)
def test_a_huge_retry_after_pauses_at_most_the_cap_and_says_so(emulator, settings, fake_clock,
                                                              value):
    notices = []
    client = client_for("3daistudio", settings, clock=fake_clock, notify=notices.append)
    emulator.faults.retry_after(1, value)
    start = fake_clock.now()
    wallet = client.wallet()
    waited = fake_clock.now() - start
    assert wallet.balance > 0
    assert MAX_RETRY_AFTER_S - 1 <= waited <= MAX_RETRY_AFTER_S + 5
    assert len(notices) == 1
    assert HUGE[value] in notices[0] and f"{MAX_RETRY_AFTER_S:.0f} s at most" in notices[0]


def test_an_unreadable_retry_after_falls_back_to_a_short_pause(emulator, settings, fake_clock):
    notices = []
    client = client_for("3daistudio", settings, clock=fake_clock, notify=notices.append)
    emulator.faults.retry_after(1, "whenever you like")
    start = fake_clock.now()
    client.wallet()
    assert fake_clock.now() - start < 5 and notices == []


def test_a_service_that_never_relents_gets_an_error_that_says_what_it_asked(emulator, settings,
                                                                          fake_clock):
    client = client_for("3daistudio", settings, clock=fake_clock)
    emulator.faults.retry_after(20, "inf")
    start = fake_clock.now()
    with pytest.raises(RateLimitedError) as info:
        client.wallet()
    text = str(info.value)
    assert "asked to wait forever" in text and f"at most {MAX_RETRY_AFTER_S:.0f} s" in text
    attempts = client.transport.max_retries + 3
    assert fake_clock.now() - start <= attempts * (MAX_RETRY_AFTER_S + 5)
    assert info.value.retry_after == MAX_RETRY_AFTER_S
