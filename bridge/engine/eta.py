"""Time left for a running job, learned from this user's own finished jobs.

The job list shows "Running 40% · ~1 min left". A request's fixed
``expected_seconds()`` is a guess made before anyone ran the model; what this
user's jobs of the same model actually took (journal rows: ``submitted_at`` →
``finished_at``, the moment the engine saw the task finished) is a
measurement. So:

- ``typical_seconds``: the median of the last ``HISTORY`` finished jobs of
  the same model (request type plus its model/version field), or None
  when there is none.
- ``remaining``: with a typical duration, blended with what the service's
  progress says (its weight grows with the progress: coarse early steps
  swing wildly, late ones are telling). While progress is 0 the typical
  duration counts down; once it has passed with still no progress, the
  job is slower than any we know: nothing is said rather than a guess.
  Without history, nothing is said at all.

``UNKNOWN`` (-1) is what the engine sends for "no estimate", so the job
list drops an estimate it showed before. Scheduling polls still uses the
request's own expectation (``schedule.py``): that is when to look, not what
to tell the user.
"""

from __future__ import annotations

import statistics
import threading
import time

HISTORY = 20
UNKNOWN = -1.0
#: Seconds a model's typical duration is kept before the journal is asked again.
CACHE_S = 30.0
MODEL_FIELDS = ("model", "model_version", "version", "edition")

_cache: dict = {}
_lock = threading.Lock()


def model_key(request: dict | None) -> str:
    """Which model a journal request ran: its type and its model/version field."""
    request = request if isinstance(request, dict) else {}
    fields = request.get("fields") if isinstance(request.get("fields"), dict) else {}
    detail = next((str(fields[f]) for f in MODEL_FIELDS if fields.get(f) not in (None, "")), "")
    return f"{request.get('type') or ''}:{detail}"


def typical_from_rows(rows, key: str) -> float | None:
    """The median duration of the newest ``HISTORY`` finished rows of *key* (dicts)."""
    durations = []
    for row in rows:
        try:
            start, end = float(row["submitted_at"]), float(row["finished_at"])
        except (TypeError, ValueError, KeyError):
            continue
        if end > start and model_key(row.get("request")) == key:
            durations.append(end - start)
        if len(durations) >= HISTORY:
            break
    return statistics.median(durations) if durations else None


def typical_seconds(journal, request: dict | None) -> float | None:
    """How long this user's jobs of this model took (median), or None without history."""
    key = model_key(request)
    home = id(journal)
    now = time.monotonic()
    with _lock:
        hit = _cache.get((home, key))
        if hit is not None and now - hit[0] < CACHE_S:
            return hit[1]
    rows = journal.finished_of_type(str((request or {}).get("type") or ""), limit=HISTORY * 5)
    value = typical_from_rows(rows, key)
    with _lock:
        _cache[(home, key)] = (now, value)
    return value


def forget() -> None:
    """A job finished: ask the journal again next time."""
    with _lock:
        _cache.clear()


def remaining(typical_s: float | None, elapsed_s: float, progress: int) -> float | None:
    """Seconds left, or None when nothing honest can be said."""
    if typical_s is None or typical_s <= 0:
        return None
    elapsed_s = max(0.0, float(elapsed_s))
    if progress >= 100:
        return 0.0
    if progress <= 0:
        left = typical_s - elapsed_s
        return left if left > 0 else None
    weight = progress / 100.0
    total = (1.0 - weight) * typical_s + weight * (elapsed_s * 100.0 / progress)
    return max(0.0, total - elapsed_s)


def for_event(journal, row: dict, elapsed_s: float, progress: int) -> float:
    """The ``eta_s`` of an engine event: seconds, or ``UNKNOWN``."""
    try:
        typical = typical_seconds(journal, row.get("request"))
    except Exception:   # noqa: BLE001 - an estimate never stops a job (a locked journal…)
        return UNKNOWN
    left = remaining(typical, elapsed_s, progress)
    return UNKNOWN if left is None else left
