"""Fault knobs: make the emulator misbehave the ways a real service does.

Each knob arms a counter; the request handler consumes one unit per
request it applies to. Thread-safe, because the server answers requests
on many threads while a test turns knobs on its own.
"""

from __future__ import annotations

import threading


class Faults:
    def __init__(self):
        self._lock = threading.Lock()
        self._server_errors: list[int] = []        # one status per armed failure
        self._drops = 0
        self._drops_after_accept = 0
        self._truncations = 0
        self._empty_polls = 0
        self._fail_reasons: list[str] = []

    # -- knobs (called by tests) ----------------------------------------------
    def server_errors(self, n: int, status: int = 500) -> None:
        """The next ``n`` API calls answer ``status`` (5xx) and do nothing."""
        if not 500 <= status <= 599:
            raise ValueError("server_errors takes a 5xx status")
        with self._lock:
            self._server_errors.extend([status] * n)

    def drop_connections(self, n: int, after_accept: bool = False) -> None:
        """Close the socket without an answer on the next ``n`` API calls.

        With ``after_accept`` only submits count, and each IS accepted and
        charged before its answer is lost (the case a client must never retry).
        """
        with self._lock:
            if after_accept:
                self._drops_after_accept += n
            else:
                self._drops += n

    def truncate_downloads(self, n: int) -> None:
        """The next ``n`` file downloads send their full Content-Length but half the bytes."""
        with self._lock:
            self._truncations += n

    def empty_results_polls(self, n: int) -> None:
        """The next ``n`` polls of a finished job show FINISHED with no results yet."""
        with self._lock:
            self._empty_polls += n

    def fail_next_job(self, reason: str = "Generation failed (emulated).") -> None:
        """The next accepted job ends FAILED with ``reason``, and its credits are refunded."""
        with self._lock:
            self._fail_reasons.append(reason)

    def clear(self) -> None:
        with self._lock:
            self.__init__()

    # -- consumption (called by the handler) ----------------------------------
    def take_server_error(self) -> int | None:
        with self._lock:
            return self._server_errors.pop(0) if self._server_errors else None

    def take_drop(self) -> bool:
        with self._lock:
            if self._drops:
                self._drops -= 1
                return True
            return False

    def take_drop_after_accept(self) -> bool:
        with self._lock:
            if self._drops_after_accept:
                self._drops_after_accept -= 1
                return True
            return False

    def take_truncation(self) -> bool:
        with self._lock:
            if self._truncations:
                self._truncations -= 1
                return True
            return False

    def take_empty_poll(self) -> bool:
        with self._lock:
            if self._empty_polls:
                self._empty_polls -= 1
                return True
            return False

    def take_failure(self) -> str | None:
        with self._lock:
            return self._fail_reasons.pop(0) if self._fail_reasons else None

    # -- hostile answers (issue 11) ------------------------------------------------
    # Kept in one lazily made dict so the knobs above stay untouched; it is
    # reset whenever clear() re-runs __init__ (which makes a new lock).
    def _hostile(self) -> dict:
        state = self.__dict__.get("_hostile_state")
        if state is None or state["lock"] is not self._lock:
            state = self.__dict__["_hostile_state"] = {
                "lock": self._lock, "submit_answers": [], "raw_errors": [], "trickles": [],
                "retry_afters": [], "revokes": 0, "refused_files": []}
        return state

    def answer_submits_with(self, n: int, body: str | bytes, *, status: int = 200,
                            content_type: str = "text/html") -> None:
        """The next ``n`` submits ARE accepted and charged, but answered with ``status``
        and this raw body instead of the task id (a proxy's HTML page, JSON without
        ``task_id``, garbage, a gateway's 502/504)."""
        with self._lock:
            self._hostile()["submit_answers"].extend([(status, body, content_type)] * n)

    def raw_errors(self, n: int, status: int, body: str | bytes,
                   content_type: str = "text/html") -> None:
        """The next ``n`` API calls answer ``status`` with this raw body and do nothing."""
        with self._lock:
            self._hostile()["raw_errors"].extend([(status, body, content_type)] * n)

    def trickle(self, n: int, interval: float, *, downloads: bool = False) -> None:
        """The next ``n`` API calls (or file downloads) send their whole answer, head
        included, one byte every ``interval`` real seconds."""
        with self._lock:
            self._hostile()["trickles"].extend([(downloads, interval)] * n)

    def retry_after(self, n: int, value: str) -> None:
        """The next ``n`` API calls answer 429 with this raw ``Retry-After`` header."""
        with self._lock:
            self._hostile()["retry_afters"].extend([value] * n)

    def revoke_key_after_accept(self, n: int = 1) -> None:
        """The next ``n`` accepted submits revoke the key they came with, once answered:
        the job runs (paid), and every later call with that key is refused (401,
        ``api_key_revoked``) until ``Emulator.unrevoke``."""
        with self._lock:
            self._hostile()["revokes"] += n

    def refuse_downloads(self, n: int, status: int = 403) -> None:
        """The next ``n`` file downloads answer ``status`` (401/403): a signed link that
        expired, as a file host says it."""
        with self._lock:
            self._hostile()["refused_files"].extend([status] * n)

    def take_refused_download(self) -> int | None:
        with self._lock:
            queue = self._hostile()["refused_files"]
            return queue.pop(0) if queue else None

    def take_revoke(self) -> bool:
        with self._lock:
            state = self._hostile()
            if state["revokes"]:
                state["revokes"] -= 1
                return True
            return False

    def take_submit_answer(self):
        with self._lock:
            queue = self._hostile()["submit_answers"]
            return queue.pop(0) if queue else None

    def take_raw_error(self):
        with self._lock:
            queue = self._hostile()["raw_errors"]
            return queue.pop(0) if queue else None

    def take_trickle(self, download: bool) -> float | None:
        with self._lock:
            queue = self._hostile()["trickles"]
            for index, (for_downloads, interval) in enumerate(queue):
                if for_downloads == download:
                    del queue[index]
                    return interval
            return None

    def take_retry_after(self) -> str | None:
        with self._lock:
            queue = self._hostile()["retry_afters"]
            return queue.pop(0) if queue else None

    # -- slow answers --------------------------------------------------------------
    # Kept apart from __init__ so this knob stays one block; clear() does not
    # reach it: call stop_trickling() (tests do, before shutting down).
    def trickle_status(self, task_id: str, byte_every: float = 0.5) -> None:
        """Every status answer of ``task_id`` goes out one byte per ``byte_every`` real seconds.

        Headers come at once, so a client's per-read timeout never fires: only a
        total deadline ends such a call.
        """
        with self._lock:
            self.__dict__.setdefault("_trickles", {})[task_id] = float(byte_every)
            self.__dict__.setdefault("_trickle_stop", threading.Event()).clear()

    def stop_trickling(self) -> None:
        """Disarm every trickle and send what is left of the ones under way at once."""
        with self._lock:
            self.__dict__.get("_trickles", {}).clear()
            self.__dict__.setdefault("_trickle_stop", threading.Event()).set()

    def take_status_trickle(self, task_id: str) -> tuple[float, threading.Event] | None:
        """(seconds per byte, event that ends the trickle) for a status of ``task_id``, if armed."""
        with self._lock:
            every = self.__dict__.get("_trickles", {}).get(task_id)
            return None if every is None else (every, self.__dict__["_trickle_stop"])
