"""When to poll a job next: around its expected finish, not on a fixed beat.

Every poll spends one of a few requests per minute that all jobs share, so
a job is polled when it is likely to be done (its request's
``expected_seconds()``, corrected by the progress the service reports),
and more often only while the budget has room to spare.
"""

from __future__ import annotations

import math
import random

#: Overdue jobs are polled again after this fraction of their expected time.
OVERDUE_FRACTION = 0.1
#: Never poll one job more often than this (seconds), whatever the budget.
MIN_INTERVAL = 2.0
#: A job reported FINISHED with no results yet usually fills them within seconds:
#: look again after 3 s, doubling up to a minute, and give up after this many looks
#: (about 8.5 minutes in all) instead of polling a broken task forever.
EMPTY_RESULTS_DELAY = 3.0
EMPTY_RESULTS_MAX_POLLS = 12
RETRY_BASE = 5.0
RETRY_CAP = 300.0


def slot_seconds(per_minute: int) -> float:
    """Seconds between requests at a rate of ``per_minute``."""
    return 60.0 / max(1, per_minute)


def remaining_seconds(expected_s: float, elapsed_s: float, progress: int) -> float:
    """Estimated seconds until the job finishes.

    Progress arrives in coarse steps (the miniature flow reports 0/33/66/100),
    so a linear extrapolation from it alone swings wildly; it is averaged
    with the request's own expectation.
    """
    expected_s = max(1.0, expected_s)
    elapsed_s = max(0.0, elapsed_s)
    if 0 < progress < 100 and elapsed_s > 0:
        total = (expected_s + elapsed_s * 100.0 / progress) / 2.0
    elif progress >= 100:
        total = elapsed_s
    else:
        total = expected_s
    return max(0.0, total - elapsed_s)


def next_poll_delay(expected_s: float, elapsed_s: float, progress: int, *,
                    slot_s: float, busy_jobs: int = 1, floor_s: float = MIN_INTERVAL,
                    progress_every_s: float = 10.0) -> float:
    """Seconds from now until the job's next poll.

    - Before its estimated finish: poll at the estimated finish, or sooner
      for a progress update (every ``progress_every_s``) when half the budget
      could poll every busy job that often (the other half stays free for
      submits).
    - At or past it: poll again after a tenth of the time it has taken so far
      (never sooner than one request slot), so a slow job backs off.
    """
    remaining = remaining_seconds(expected_s, elapsed_s, progress)
    spare = max(floor_s, progress_every_s, 2 * slot_s * max(1, busy_jobs))
    if remaining > 0.5:
        return max(floor_s, min(remaining, spare))
    return max(floor_s, slot_s, OVERDUE_FRACTION * max(expected_s, elapsed_s))


def retry_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Back-off for work that failed for a passing reason (5xx, network, 429)."""
    rng = rng or random
    return rng.uniform(0.75, 1.0) * min(RETRY_CAP, RETRY_BASE * (2 ** max(0, attempt - 1)))


def empty_results_delay(checks: int) -> float:
    """Seconds before look number ``checks + 1`` at a job FINISHED without results."""
    return min(60.0, EMPTY_RESULTS_DELAY * (2 ** max(0, checks - 1)))


def rank_call(item) -> tuple[int, float]:
    """Order of due API steps ``(job_id, Next)``: polls of probably-finished jobs, submits, polls."""
    _, step = item
    group = 0 if (step.action == "poll" and step.likely_done) else (
        1 if step.action == "submit" else 2)
    return group, step.delay


def duration_text(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.0f} days"
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.0f} hours"
    if seconds >= 120:
        return f"{seconds / 60:.0f} minutes"
    return f"{seconds:.0f} s"


def long_pause_notice(asked: float, paused: float) -> str:
    asked_text = "an unlimited time" if not math.isfinite(asked) else duration_text(asked)
    return (f"The service asked to pause every request for {asked_text} (Retry-After). The "
            f"bridge waits {duration_text(paused)} instead, then tries again; submitted jobs "
            "are kept and nothing is sent twice.")
