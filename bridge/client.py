"""Provider clients: submit a request, read a task's status, fetch a file.

Both services expose the same four verbs through :class:`ProviderClient`,
so the engine and the CLI never care which one runs a job.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Callable

from .api.base import ApiRequest
from .clock import SYSTEM_CLOCK, Clock
from .config import Settings
from .errors import (
    CancelledError,
    JobFailedError,
    NotFoundError,
    ServerError,
    TimeoutError_,
    UncertainDeliveryError,
)
from .ratebudget import OTHER, POLL, SUBMIT, RateBudget, budget_for
from .safetext import service_text
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


# What a task id may look like: it goes into URL paths, the journal and file names.
_TASK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def _decimal(value) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not number.is_finite():
        raise ServerError(f"The wallet answer has an unreadable balance: {str(value)[:40]!r}.")
    return number


def _object(body, what: str) -> dict:
    """The answer as a JSON object, or the error that says it is not one."""
    if not isinstance(body, dict):
        raise ServerError(f"The service's {what} answer is not a JSON object "
                          f"(got {type(body).__name__}).")
    return body


def _task_id_of(body) -> str | None:
    """The task id of a submit answer, if it has a usable one."""
    task_id = body.get("task_id") if isinstance(body, dict) else None
    if isinstance(task_id, int) and not isinstance(task_id, bool):
        task_id = str(task_id)
    if isinstance(task_id, str) and _TASK_ID.match(task_id.strip()):
        return task_id.strip()
    return None


class ProviderClient:
    """What the engine needs of a service."""

    provider = ""
    #: Where a user finds a job whose submit answer was lost (see :meth:`_submitted`).
    where_to_look = ""
    transport: Transport

    def __init__(self, settings: Settings, *, clock: Clock = SYSTEM_CLOCK,
                 budget: RateBudget | None = None, transport: Transport | None = None,
                 cancel: threading.Event | None = None,
                 online_check: Callable[[], bool] | None = None,
                 notify: Callable[[str], None] | None = None):
        url, token, per_minute = self._credentials(settings)
        self.settings = settings
        self.transport = transport or Transport(
            url, token, clock=clock, timeout=settings.timeout, cancel=cancel,
            budget=budget or budget_for(token, per_minute, clock), online_check=online_check,
            notify=notify)

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

    def _post_submit(self, send: Callable[[], object]) -> Submission:
        """Send a submit; its task id, or UncertainDeliveryError saying where to look.

        Any 2xx proves the service acted, so an answer without a usable task
        id (an HTML page from a proxy, JSON without ``task_id``, garbage) means
        a job may exist and be charged: it must never be sent again.
        """
        try:
            body = send()
        except UncertainDeliveryError as exc:
            raise UncertainDeliveryError(f"{exc.message} {self.where_to_look}", advice="") from None
        task_id = _task_id_of(body)
        if task_id is None:
            raise UncertainDeliveryError(
                "The service accepted the request (HTTP 2xx) but its answer has no readable "
                "task id, so the job may have been created and charged; it was not sent again. "
                f"{self.where_to_look}", advice="")
        created = body.get("created_at") if isinstance(body.get("created_at"), str) else ""
        return Submission(task_id, created[:40], self.provider)

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
    where_to_look = ("Look for it in the job list of your API dashboard on 3daistudio.com "
                     "before submitting it again.")

    def _credentials(self, settings: Settings) -> tuple[str, str, int]:
        return settings.api_url, settings.require_key(), settings.rate_limit

    def wallet(self) -> Wallet:
        try:
            body = self.transport.get("/account/user/wallet/", priority=OTHER)
        except NotFoundError:
            body = self.transport.get("/user/wallet/", priority=OTHER)
        body = _object(body, "wallet")
        wallet = Wallet(_decimal(body.get("balance", "0")), _int_or_none(body.get("rate_limit")))
        if wallet.rate_limit and self.transport.budget is not None:
            self.transport.budget.raise_rate(wallet.rate_limit)
        return wallet

    def submit(self, request: ApiRequest) -> Submission:
        if request.uses_multipart():
            fields, files = request.multipart()
            return self._post_submit(lambda: self.transport.post_multipart(
                request.endpoint(), fields, files, priority=SUBMIT))
        payload = request.payload()
        return self._post_submit(lambda: self.transport.post(request.endpoint(), payload,
                                                             priority=SUBMIT))

    def status(self, task_id: str) -> TaskStatus:
        body = self.transport.get(f"/v1/generation-request/{task_id}/status/", priority=POLL)
        return from_studio(task_id, _object(body, "status"))


class Image3dClient(ProviderClient):
    """image3d.io: one generation endpoint, bearer token that expires hourly."""

    provider = "image3d"
    where_to_look = ("Look for it among your generations on image3d.io before submitting "
                     "it again.")

    def _credentials(self, settings: Settings) -> tuple[str, str, int]:
        # Its own token and its own budget: image3d.io limits concurrency, not 3/min.
        return settings.image3d_url, settings.require_image3d_token(), max(settings.rate_limit, 10)

    def wallet(self) -> Wallet:
        body = _object(self.transport.get("/api/balance", priority=OTHER), "balance")
        unit = service_text(body.get("unit") or "credits", limit=20) or "credits"
        return Wallet(_decimal(body.get("balance", 0)), None, unit)

    def submit(self, request: ApiRequest) -> Submission:
        payload = request.payload()
        submission = self._post_submit(lambda: self.transport.post(request.endpoint(), payload,
                                                                   priority=SUBMIT))
        return dataclasses.replace(submission, created_at="")

    def status(self, task_id: str) -> TaskStatus:
        body = self.transport.get(f"/api/status/{task_id}", priority=POLL)
        return from_image3d(task_id, _object(body, "status"))


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
