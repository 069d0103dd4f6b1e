"""A total deadline for each HTTP exchange, not only a timeout per socket read.

requests' ``timeout`` bounds each read: a server (or a proxy) that sends one
byte every few seconds keeps a call open forever, headers included, since
http.client reads them line by line. Here every exchange runs inside a
:class:`Deadline`. The connections of a session prepared with
:func:`install` register with the deadline of the thread that uses them,
and one watchdog thread shuts their sockets down when the deadline passes
(``shutdown`` wakes a blocked ``recv``/``send`` at once), so the caller gets
an exception instead of a stall.

Two rules, both checked by the watchdog:

- a total time (API calls: a fixed allowance plus time to upload the body);
- for result downloads, a minimum throughput over a sliding window, so a
  big file on a slow line still completes while a trickle is cut.

The watchdog measures real time (sockets live in real time) and exits when
no exchange is running, so no thread outlives the work.
"""

from __future__ import annotations

import collections
import contextlib
import socket
import threading
import time
from typing import Iterator

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

TICK = 0.05  # how often the watchdog looks; a cut comes at most this late

_local = threading.local()


class Deadline:
    """The time limits of one exchange (an API call, or one download attempt)."""

    def __init__(self, seconds: float, *, min_rate: float | None = None,
                 window: float | None = None):
        self.started = time.monotonic()
        self.expires = self.started + seconds
        self.min_rate = min_rate
        self.window = window
        self.cut_reason = ""          # "" while within limits; set once the watchdog cut it
        self.request_sent = False     # a request line left for the server (POSTs: may have acted)
        self._lock = threading.Lock()
        self._received = 0
        self._marks: collections.deque[tuple[float, int]] = collections.deque()
        self._rate_from = self.started
        self._connections: list = []
        self._sockets: list = []      # (connection, socket): http.client drops conn.sock
                                      # when an answer will close, the response keeps reading

    @property
    def expired(self) -> bool:
        return bool(self.cut_reason)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def extend_to(self, seconds_from_now: float) -> None:
        with self._lock:
            self.expires = time.monotonic() + seconds_from_now

    def start_rate_rule(self) -> None:
        """The throughput rule counts from now (e.g. once the answer's headers arrived)."""
        with self._lock:
            self._rate_from = time.monotonic()
            self._marks.clear()
            self._received = 0

    def progress(self, nbytes: int) -> None:
        """``nbytes`` more arrived (called by the reader, chunk by chunk)."""
        with self._lock:
            self._received += nbytes
            self._marks.append((time.monotonic(), self._received))

    def overdue(self, now: float) -> str:
        """Why this exchange must be cut now ('' if it may go on)."""
        with self._lock:
            if now >= self.expires:
                return "total"
            if not self.min_rate or not self.window or now - self._rate_from < self.window:
                return ""
            edge = now - self.window
            # Bytes before the window: the last mark at or before its edge.
            while len(self._marks) > 1 and self._marks[1][0] <= edge:
                self._marks.popleft()
            before = self._marks[0][1] if self._marks and self._marks[0][0] <= edge else 0
            if self._received - before < self.min_rate * self.window:
                return "slow"
            return ""

    def attach(self, connection) -> None:
        connection._bridge_deadline = self
        sock = getattr(connection, "sock", None)
        with self._lock:
            if connection not in self._connections:
                self._connections.append(connection)
            if sock is not None and not any(s is sock for _, s in self._sockets):
                self._sockets.append((connection, sock))

    def cut(self, reason: str) -> None:
        """Shut down every socket this exchange uses (again on every tick, for late sockets)."""
        if not self.cut_reason:
            self.cut_reason = reason
        with self._lock:
            targets = [(conn, getattr(conn, "sock", None)) for conn in self._connections]
            targets += self._sockets
        for conn, sock in targets:
            if sock is None or getattr(conn, "_bridge_deadline", None) is not self:
                continue  # no socket yet, or back in the pool and serving someone else
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    def __init__(self):
        self._cond = threading.Condition()
        self._active: set[Deadline] = set()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        with self._cond:
            self._active.add(deadline)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="http-deadline-watchdog",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()

    def remove(self, deadline: Deadline) -> None:
        with self._cond:
            self._active.discard(deadline)

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._active:
                    self._thread = None
                    return
                active = list(self._active)
            now = time.monotonic()
            for deadline in active:
                reason = deadline.cut_reason or deadline.overdue(now)
                if reason:
                    deadline.cut(reason)
            time.sleep(TICK)


WATCHDOG = _Watchdog()


@contextlib.contextmanager
def deadline_scope(deadline: Deadline) -> Iterator[Deadline]:
    """Run the HTTP exchange in the block under ``deadline`` (this thread only)."""
    outer = getattr(_local, "deadline", None)
    _local.deadline = deadline
    WATCHDOG.add(deadline)
    try:
        yield deadline
    finally:
        WATCHDOG.remove(deadline)
        _local.deadline = outer


def _register(conn) -> None:
    deadline = getattr(_local, "deadline", None)
    if deadline is not None:
        deadline.attach(conn)


class _WatchedMixin:
    """Connections that put themselves under the deadline of the thread using them."""

    def connect(self, *args, **kwargs):
        _register(self)   # a slow TLS handshake is cut through conn.sock
        result = super().connect(*args, **kwargs)
        _register(self)   # remember the finished socket itself
        return result

    def request(self, *args, **kwargs):
        _register(self)
        deadline = getattr(_local, "deadline", None)
        if deadline is not None:
            deadline.request_sent = True
        return super().request(*args, **kwargs)


class WatchedHTTPConnection(_WatchedMixin, HTTPConnection):
    pass


class WatchedHTTPSConnection(_WatchedMixin, HTTPSConnection):
    pass


class WatchedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


_POOLS = {"http": WatchedHTTPConnectionPool, "https": WatchedHTTPSConnectionPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections (direct or through a proxy) obey deadlines."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_POOLS)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        # SOCKS proxies bring their own connection classes; those keep only the per-read timeout.
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(_POOLS)
        return manager


def install(session) -> None:
    """Make ``session`` honour deadlines for http and https URLs."""
    session.mount("http://", DeadlineAdapter())
    session.mount("https://", DeadlineAdapter())


__all__ = ["Deadline", "deadline_scope", "install", "DeadlineAdapter", "WATCHDOG"]
