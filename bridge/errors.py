"""One error hierarchy for everything the bridge can say went wrong.

HTTP answers are mapped to exceptions in exactly one place,
:func:`error_from_response`, so the CLI, the engine and the add-on all show
the same words for the same problem. Messages say what to do next and never
contain the API key: they are built from status codes and the server's
``message``, which we scrub before use (:mod:`bridge.safetext`).

A class attribute ``permanent = True`` marks an error that trying again
cannot cure (a result over the size cap, a disk that refuses the file):
the transport and the engine never retry those.
"""

from __future__ import annotations

import math

from .safetext import scrub, service_text  # noqa: F401  (scrub is part of this module's API)


class BridgeError(Exception):
    """Base of every error the bridge raises on purpose."""

    #: A short hint of what the user can do about it.
    advice = ""
    #: True when retrying cannot help; nobody retries such an error.
    permanent = False

    def __init__(self, message: str = "", *, advice: str | None = None):
        super().__init__(message)
        self.message = message
        if advice is not None:
            self.advice = advice

    def __str__(self) -> str:
        if self.advice and self.advice not in self.message:
            return f"{self.message} {self.advice}".strip()
        return self.message


class ValidationError(BridgeError):
    """A request is invalid; found locally, so nothing was sent or spent."""


class ConfigError(BridgeError):
    """Missing or unusable configuration (no API key, bad URL, offline)."""


class JournalError(ConfigError):
    """The job journal cannot be used (locked, damaged, unwritable).

    A local problem, like configuration (the CLI exits 3): the message names
    the file (``path``) and the advice says what to do. Never a reason to
    overwrite the file.
    """

    def __init__(self, message: str = "", *, path=None, advice: str | None = None):
        super().__init__(message, advice=advice)
        self.path = str(path or "")


class DamagedRowError(BridgeError):
    """One journal row cannot be read (a field is not what it must be). It is skipped and
    named, never rewritten; the other rows work as ever. Not a :class:`JournalError`: the
    journal itself is fine, and waiting for it cannot mend the row."""

    def __init__(self, job_id: str, reason: str):
        super().__init__(f"Job {job_id} in the journal is damaged ({reason}); it is skipped "
                         "and left exactly as it is.")
        self.job_id = job_id
        self.reason = reason


class ApiError(BridgeError):
    """The service answered with an error status."""

    status: int = 0

    def __init__(self, message: str = "", *, status: int = 0, code: str = "", advice: str | None = None):
        super().__init__(message, advice=advice)
        self.status = status
        self.code = code


class BadRequestError(ApiError):
    advice = "Check the request's parameters."


class AuthError(ApiError):
    advice = "Check the API key in the add-on preferences or 3D_AI_STUDIO_API_KEY."


class InsufficientCreditsError(ApiError):
    advice = "Top up the wallet at 3daistudio.com, then submit again."


class NotFoundError(ApiError):
    advice = "The task id is unknown to the service."


class ExpiredError(ApiError):
    advice = "Results are kept for 24 hours after completion; submit the job again to get new ones."


class RateLimitedError(ApiError):
    advice = "Too many requests; wait a moment and try again."

    def __init__(self, message: str = "", *, retry_after: float | None = None,
                 retry_after_header: str = "", **kw):
        super().__init__(message, **kw)
        #: Seconds to pause (the transport caps what the service asked for).
        self.retry_after = retry_after
        #: What the service asked for, uncapped (None: no readable Retry-After).
        self.asked_retry_after = retry_after
        self.retry_after_header = retry_after_header


class ServerError(ApiError):
    advice = "The service had a temporary problem; try again in a few minutes."


class UnreadableAnswerError(ServerError):
    """The service's answer could not be read as JSON we can use (nested too deeply, ...).

    ``status`` is the HTTP status it came with: a 2xx to a submit still means
    the service acted (the job is UNKNOWN, never resent).
    """

    advice = ("The service sent an answer the bridge will not read; if it keeps happening, "
              "check the service URL.")


class AnswerTooLargeError(UnreadableAnswerError):
    """An API answer (counted after decompression) is over the cap: it was not read further."""


class TransportError(BridgeError):
    """The network failed before an HTTP answer arrived."""

    advice = "Check the internet connection and the service URL."


class NotSentError(TransportError):
    """The request provably never reached the server (e.g. connection refused)."""


class UncertainDeliveryError(TransportError):
    """The request may have reached the server but its answer was lost.

    For a submit this means a task may exist and may be charged: it must not
    be sent again blindly.
    """

    advice = ("The request may have reached the service; it was not sent again so you "
              "are not charged twice. Check the job list on 3daistudio.com.")


class PrintPrepError(BridgeError):
    """A local print-preparation step could not be done; the message says why."""


class DownloadError(BridgeError):
    """A result file could not be fetched or failed its integrity checks."""

    advice = "The download will be retried; results stay on the server for 24 hours."


class DownloadTooLargeError(DownloadError):
    """A result file is larger than the size cap: stopped at the cap, never retried."""

    permanent = True
    advice = ("It was not kept; if you need it, download it from the job list on the "
              "service's website.")


class LinkRefusedError(DownloadError):
    """The file host refused a result's address (401/403): a signed link that expired.

    Never retried as it is: the service is asked for the task's status again (fresh
    links) once; if those are refused too, the job says how to fetch it later.
    """

    advice = ""


class DownloadWriteError(DownloadError):
    """A result could not be written (disk full, read-only or missing folder): never retried."""

    permanent = True
    advice = ("The partial file was removed. The results stay on the service for 24 hours "
              "after the job finished: free space or pick another folder, then fetch them "
              "with `python -m bridge download --task-id ...`.")


class KeyWaitError(BridgeError):
    """A job waits for a valid key (none set, or the service refused it while following a paid
    task). Nothing is lost: the job stays in the journal, and ``resume`` with a valid key
    goes on with it. The CLI exits with its own code (4)."""

    advice = ("Set a valid key (3D_AI_STUDIO_API_KEY, or the add-on's preferences), then run "
              "`python -m bridge resume --wait`.")


class JobFailedError(BridgeError):
    """The service reports the job as FAILED (credits are refunded)."""

    advice = "Credits for failed jobs are refunded automatically."


class CancelledError(BridgeError):
    """A wait or a job was cancelled by the user."""


class TimeoutError_(BridgeError):
    """A wait ran past its deadline. (Named so it does not shadow the builtin.)"""

    advice = "The job keeps running on the service; resume it later."


class HelperError(BridgeError):
    """The helper Blender process failed a job for reasons of its own, not the job's.

    The add-on answers these by doing the job on Blender's main thread instead.
    """


class HelperUnavailableError(HelperError):
    """The helper Blender could not be started (or is switched off)."""


class HelperCrashedError(HelperError):
    """The helper Blender died while working on a job."""


class HelperTimeoutError(HelperError):
    """The helper Blender did not finish a job before its deadline and was stopped."""


class ImportFailedError(BridgeError):
    """A downloaded result could not be brought into Blender (its files stay on disk)."""


class HelperTaskError(BridgeError):
    """The job itself failed inside the helper Blender (an importer or exporter refused it)."""


# ---------------------------------------------------------------------------

_BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthError,
    402: InsufficientCreditsError,
    403: AuthError,
    404: NotFoundError,
    410: ExpiredError,
    422: BadRequestError,
    429: RateLimitedError,
}

_BY_CODE: dict[str, type[ApiError]] = {
    "validation_failed": BadRequestError,
    "invalid_api_key": AuthError,
    "api_key_expired": AuthError,
    "api_key_revoked": AuthError,
    "insufficient_credits": InsufficientCreditsError,
    "rate_limited": RateLimitedError,
}

_CODE_ADVICE = {
    "api_key_expired": "The API key has expired; create a new one at 3daistudio.com.",
    "api_key_revoked": "The API key was revoked; create a new one at 3daistudio.com.",
}

def parse_retry_after(value: str | None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header; None if absent or unreadable.

    Delta-seconds or an HTTP date; never negative; ``inf`` stays infinite
    (the caller caps every pause, see ``ratebudget.RETRY_AFTER_CAP``).
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        import datetime as _dt
        from email.utils import parsedate_to_datetime
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=_dt.timezone.utc)
        seconds = (when - _dt.datetime.now(_dt.timezone.utc)).total_seconds()
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def error_from_response(status: int, body: object, headers: dict | None = None,
                        *, secrets: tuple[str, ...] = (), what: str = "request") -> ApiError:
    """Map an HTTP error answer to the matching :class:`ApiError`.

    The body shape is not documented: ``code`` or ``error_code`` and
    ``message``/``detail``/``error`` are all read, codes case-insensitively.
    """
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    code = ""
    detail = ""
    if isinstance(body, dict):
        code = service_text(body.get("code") or body.get("error_code") or "", *secrets,
                            limit=60).lower()
        for key in ("message", "detail", "error"):
            value = body.get(key)
            if isinstance(value, str) and value:
                detail = value
                break
            if isinstance(value, (dict, list)) and value:
                detail = str(value)
                break
    elif isinstance(body, str):
        detail = body
    # Scrubbed before it is cut short, so no prefix of a key survives; an HTML
    # page (a proxy's error page) is reduced to its title.
    detail = service_text(detail, *secrets)

    cls = _BY_CODE.get(code) or _BY_STATUS.get(status)
    if cls is None:
        cls = ServerError if status >= 500 else ApiError
    label = {
        BadRequestError: "The service rejected the request",
        AuthError: "The API key was not accepted",
        InsufficientCreditsError: "Not enough credits",
        NotFoundError: "Unknown task",
        ExpiredError: "The results have expired",
        RateLimitedError: "Rate limit reached",
        ServerError: "The service failed",
    }.get(cls, "The service answered with an error")
    message = f"{label} (HTTP {status}{', ' + code if code else ''})"
    if detail:
        message += f": {detail.rstrip('.')}."
    else:
        message += "."
    advice = _CODE_ADVICE.get(code)
    if cls is RateLimitedError:
        header = service_text(headers.get("retry-after") or "", *secrets, limit=60)
        return RateLimitedError(message, status=status, code=code,
                                retry_after=parse_retry_after(header), retry_after_header=header)
    return cls(message, status=status, code=code, advice=advice)
