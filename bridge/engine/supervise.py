"""No worker thread dies silently: supervised loops, and notices for the user.

A thread's loop that raises (a bug, a failure nobody foresaw) is logged,
reported to the user as a notice event and started again after a short,
growing pause, until the engine stops. Notices about the same thing are
said once a minute at most, so a lock held for an hour is one line a
minute, not thousands.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable

from ..clock import Clock
from .model import NOTICE, Event

log = logging.getLogger("bridge.engine")

RESTART_BASE_S = 0.5       # real seconds before the first restart; doubles to the cap
RESTART_CAP_S = 30.0
NOTICE_EVERY_S = 60.0      # clock seconds between two notices about the same thing


class Notices:
    """Engine-wide messages (``Event("notice", "")``), each topic at most once a minute."""

    def __init__(self, emit: Callable[[Event], None], clock: Clock):
        self._emit = emit
        self._clock = clock
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def say(self, topic: str, message: str) -> bool:
        now = self._clock.now()
        with self._lock:
            last = self._last.get(topic)
            if last is not None and now - last < NOTICE_EVERY_S:
                return False
            self._last[topic] = now
        log.warning("%s", message)
        self._emit(Event(NOTICE, "", message=message))
        return True

    def clear(self, topic: str) -> None:
        with self._lock:
            self._last.pop(topic, None)


def supervised(name: str, loop: Callable[[], None], stop: threading.Event, notices: Notices,
               on_exit: Callable[[], None] = lambda: None) -> threading.Thread:
    """A daemon thread running ``loop`` until it returns or ``stop`` is set; restarted if it raises."""
    def body() -> None:
        crashes = 0
        try:
            while not stop.is_set():
                started = time.monotonic()
                try:
                    loop()
                    return
                except Exception as exc:  # noqa: BLE001 - the point: survive anything
                    if time.monotonic() - started > RESTART_CAP_S:
                        crashes = 0  # it ran fine for a while: start the back-off again
                    crashes += 1
                    log.exception("engine thread %s crashed", name)
                    notices.say(f"crash:{name}",
                                f"The job engine's {name} thread hit an internal error "
                                f"({type(exc).__name__}: {exc}) and was restarted; jobs carry on.")
                    stop.wait(min(RESTART_CAP_S, RESTART_BASE_S * 2 ** (crashes - 1)))
        finally:
            on_exit()
    return threading.Thread(target=body, daemon=True, name=f"aistudio-{name}")
