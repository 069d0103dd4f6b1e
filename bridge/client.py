"""Provider clients: submit a request, read a task's status, fetch a file.

Both services expose the same four verbs through :class:`ProviderClient`,
so the engine and the CLI never care which one runs a job.
"""

from __future__ import annotations

import dataclasses
import threading
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable

from .api.base import ApiRequest
from .clock import SYSTEM_CLOCK, Clock
from .config import Settings
from .errors import (CancelledError, JobFailedError, NotFoundError, ServerError,
                     TimeoutError_)
from .ratebudget import OTHER, POLL, SUBMIT, RateBudget, budget_for
from .status import FAILED, TaskStatus, from_image3d, from_studio
from .transport import Transport


@dataclasses.dataclass
class Submission:
    task_id: str
    created_at: str = ""
    provider: str = "3daistudio"


@dataclasses.dataclass
class Wallet:
    balance: Decimal
    rate_limit: int | None = None
    unit: str = "credits"

    def __str__(self) -> str:
        return f"{self.balance} {self.unit}"


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ServerError(f"The wallet answer has an unreadable balance: {value!r}.") from None


class ProviderClient:
    """What the engine needs of a service."""

    provider = ""
    transport: Transport

    def __init__(self, settings: Settings, *, clock: Clock = SYSTEM_CLOCK,
                 budget: RateBudget | None = None, transport: Transport | None = None,
                 cancel: threading.Event | None = None,
                 online_check: Callable[[], bool] | None = None):
        url, token, per_minute = self._credentials(settings)
        self.settings = settings
        self.transport = transport or Transport(
            url, token, clock=clock, timeout=settings.timeout, cancel=cancel,
            budget=budget or budget_for(token, per_minute, clock), online_check=online_check)

    def _credentials(self, settings: Settings) -> tuple[str, str, int]:
        """Base URL, bearer credential (raising ConfigError if unset) and requests/minute."""
        raise NotImplementedError

    def submit(self, request: ApiRequest) -> Submission:
        raise NotImplementedError

    def status(self, task_id: str) -> TaskStatus:
        raise NotImplementedError

    def wallet(self) -> Wallet:
        raise NotImplementedError

    def download(self, url: str, dest: str | Path, **kw) -> Path:
        return self.transport.download(url, dest, **kw)

    def wait(self, task_id: str, *, poll_interval: float = 10.0, timeout: float = 3600.0,
             on_status: Callable[[TaskStatus], None] | None = None,
             cancel: threading.Event | None = None) -> TaskStatus:
        """Poll until the task is done (FINISHED with results, or FAILED)."""
        clock = self.transport.clock
        deadline = clock.now() + timeout
        while True:
            status = self.status(task_id)
            if on_status is not None:
                on_status(status)
            if status.state == FAILED:
                raise JobFailedError(f"The job failed: {status.failure_reason or 'no reason given'}.")
            if status.done:
                return status
            if clock.now() + poll_interval > deadline:
                raise TimeoutError_(f"Task {task_id} did not finish within {timeout:.0f} s.")
            if clock.sleep(poll_interval, cancel):
                raise CancelledError("Stopped waiting (the job keeps running on the service).")


class StudioClient(ProviderClient):
    """3D AI Studio (api.3daistudio.com)."""

    provider = "3daistudio"

    def _credentials(self, settings: Settings) -> tuple[str, str, int]:
        return settings.api_url, settings.require_key(), settings.rate_limit

    def wallet(self) -> Wallet:
        try:
            body = self.transport.get("/account/user/wallet/", priority=OTHER)
        except NotFoundError:
            body = self.transport.get("/user/wallet/", priority=OTHER)
        wallet = Wallet(_decimal(body.get("balance", "0")), _int_or_none(body.get("rate_limit")))
        if wallet.rate_limit and self.transport.budget is not None:
            self.transport.budget.raise_rate(wallet.rate_limit)
        return wallet

    def submit(self, request: ApiRequest) -> Submission:
        if request.uses_multipart():
            fields, files = request.multipart()
            body = self.transport.post_multipart(request.endpoint(), fields, files, priority=SUBMIT)
        else:
            body = self.transport.post(request.endpoint(), request.payload(), priority=SUBMIT)
        task_id = body.get("task_id") if isinstance(body, dict) else None
        if not task_id:
            raise ServerError("The service accepted the request but returned no task id.")
        return Submission(str(task_id), str(body.get("created_at") or ""), self.provider)

    def status(self, task_id: str) -> TaskStatus:
        body = self.transport.get(f"/v1/generation-request/{task_id}/status/", priority=POLL)
        return from_studio(task_id, body)


class Image3dClient(ProviderClient):
    """image3d.io: one generation endpoint, bearer token that expires hourly."""

    provider = "image3d"

    def _credentials(self, settings: Settings) -> tuple[str, str, int]:
        # Its own token and its own budget: image3d.io limits concurrency, not 3/min.
        return settings.image3d_url, settings.require_image3d_token(), max(settings.rate_limit, 10)

    def wallet(self) -> Wallet:
        body = self.transport.get("/api/balance", priority=OTHER)
        return Wallet(_decimal(body.get("balance", 0)), None, str(body.get("unit") or "credits"))

    def submit(self, request: ApiRequest) -> Submission:
        body = self.transport.post(request.endpoint(), request.payload(), priority=SUBMIT)
        task_id = body.get("task_id") if isinstance(body, dict) else None
        if not task_id:
            raise ServerError("image3d.io accepted the request but returned no task id.")
        return Submission(str(task_id), "", self.provider)

    def status(self, task_id: str) -> TaskStatus:
        return from_image3d(task_id, self.transport.get(f"/api/status/{task_id}", priority=POLL))


def _int_or_none(value) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def client_for(request_or_provider, settings: Settings, **kw) -> ProviderClient:
    """The client that serves a request (or a provider name)."""
    provider = getattr(request_or_provider, "PROVIDER", request_or_provider)
    if provider == "image3d":
        return Image3dClient(settings, **kw)
    return StudioClient(settings, **kw)
