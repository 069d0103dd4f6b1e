"""The Emulator: both services on one loopback port, started and stopped from Python.

    with Emulator(api_key="test-key", image3d_token="i3d-token", clock=fake) as emu:
        settings = Settings(api_key="test-key", api_url=emu.url, image3d_url=emu.url, ...)

It binds loopback only: it accepts any upload and serves files without
auth, which is fine on 127.0.0.1 and not anywhere else.
"""

from __future__ import annotations

import ipaddress
import threading
from http.server import ThreadingHTTPServer

from ..clock import Clock
from ..errors import ConfigError
from .faults import Faults
from .handler import EmulatorHandler
from .state import EmulatorState, Record


def check_loopback(host: str) -> None:
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigError(f"The emulator only binds a loopback address (127.0.0.1, ::1, localhost); "
                          f"refusing {host!r}.")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Emulator:
    """Local stand-in for 3D AI Studio and image3d.io (see docs/ARCHITECTURE.md)."""

    def __init__(self, api_key: str = "test-key", image3d_token: str = "i3d-token", *,
                 time_scale: float = 60.0, rate_limit: int | None = None, credits: float = 10_000,
                 image3d_credits: float | None = None, clock: Clock | None = None,
                 host: str = "127.0.0.1", port: int = 0):
        check_loopback(host)
        if time_scale <= 0:
            raise ConfigError("time_scale must be greater than zero.")
        self.api_key = api_key
        self.image3d_token = image3d_token
        #: Keys refused with 401 ``api_key_revoked`` (see ``faults.revoke_key_after_accept``).
        self.revoked: set[str] = set()
        self.host, self._port = host, port
        self.faults = Faults()
        self.state = EmulatorState(credits=credits,
                                   image3d_credits=credits if image3d_credits is None else image3d_credits,
                                   rate_limit=rate_limit, time_scale=time_scale, clock=clock)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> "Emulator":
        if self._server is not None:
            return self
        handler = type("BoundHandler", (EmulatorHandler,), {"emulator": self})
        self._server = _Server((self.host, self._port), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="aistudio-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> "Emulator":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what tests look at -------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._server is None:
            raise ConfigError("The emulator is not running; call start() first.")
        host, port = self._server.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    @property
    def clock(self) -> Clock:
        return self.state.clock

    @property
    def accepted(self) -> list[Record]:
        """Accepted submits: endpoint, body, task_id, provider, files, price."""
        return self.state.accepted

    @property
    def log(self) -> list[Record]:
        """Every request: method, path, status (0 = dropped), had_auth."""
        return self.state.log

    @property
    def balance(self) -> float:
        return self.state.balance

    @property
    def image3d_balance(self) -> float:
        return self.state.image3d_balance

    def set_rate_limit(self, n: int | None) -> None:
        """Requests per 60 s (service time) per key; None = unlimited. Resets the windows."""
        self.state.set_rate_limit(n)

    def set_credits(self, amount: float, provider: str = "3daistudio") -> None:
        with self.state.lock:
            if provider == "image3d":
                self.state.image3d_balance = float(amount)
            else:
                self.state.balance = float(amount)

    def unrevoke(self) -> None:
        """Accept every revoked key again."""
        self.revoked.clear()

    def expire(self, task_id: str) -> None:
        """Make a task's status and files answer 410 now, as after 24 h."""
        self.state.expire(task_id)

    def advance(self, seconds: float) -> None:
        """Move a FakeClock on by ``seconds`` of *service* time (tests only)."""
        advance = getattr(self.state.clock, "advance", None)
        if advance is None:
            raise ConfigError("advance() needs the emulator to run on a FakeClock.")
        advance(seconds / self.state.time_scale)
