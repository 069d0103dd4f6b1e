"""HTTP with timeouts, deadlines, retries and manners.

- Every call has a per-read timeout *and* a total deadline
  (:mod:`bridge.httpdeadline`): a server that trickles cannot hold a call.
- GETs retry on network failures, 5xx and 429 with capped, jittered backoff.
- POSTs are retried only when the server provably did not act on them:
  the connection was refused/never made, a 429 (rejected before work), or a
  5xx the service itself gave (no task was handed out). A POST whose answer
  was lost after sending, a 2xx without a readable body, or a gateway's
  502/504 raises :class:`UncertainDeliveryError` and is never repeated
  (the rule per status is at :data:`UNCERTAIN_SUBMIT_STATUSES`).
- A 429 pauses the whole key's :class:`RateBudget` for ``Retry-After``,
  capped at :data:`MAX_RETRY_AFTER_S`; a long pause is announced.
- Every answer is scrubbed of the credential the moment it is decoded.
- Downloads (:mod:`bridge.downloads`) carry no ``Authorization`` header,
  resume with ``Range``, stop at the size cap, and leave no ``.part`` behind
  when they fail.
"""

from __future__ import annotations

import logging
import math
import os
import random
import threading
from pathlib import Path
from typing import Any, Callable

import requests

from . import netreason
from .clock import SYSTEM_CLOCK, Clock
from .downloads import download
from .errors import (
    AnswerTooLargeError,
    ApiError,
    BridgeError,
    CancelledError,
    ConfigError,
    NotSentError,
    RateLimitedError,
    ServerError,
    TransportError,
    UncertainDeliveryError,
    UnreadableAnswerError,
    error_from_response,
    scrub,
)
from .httpdeadline import Deadline, deadline_scope, install
from .ratebudget import OTHER, POLL, RETRY_AFTER_CAP, SUBMIT, RateBudget
from .safetext import html_summary, looks_like_html, scrub_tree, service_text

log = logging.getLogger("bridge.transport")

USER_AGENT = "ai-studio-bridge/0.1 (+blender)"
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0

#: The longest pause a Retry-After may impose (999999, a date in 2099, "inf"
#: would otherwise stop every request of the key for days): the rate budget's
#: ceiling, one number for the transport and the budget.
MAX_RETRY_AFTER_S = RETRY_AFTER_CAP
#: Pauses at least this long are announced through ``notify`` and the log.
LONG_PAUSE_S = 60.0

#: Total time for one API call: at least this, or three per-read timeouts,
#: plus the time the body takes to upload at MIN_UPLOAD_RATE.
API_DEADLINE_MIN_S = 60.0
MIN_UPLOAD_RATE = 16 * 1024          # bytes/s: slower than any usable line
#: A result download must average this many bytes/s over each sliding window
#: (a 100 MB GLB at 20 KiB/s completes; one byte every 10 s is cut).
DOWNLOAD_MIN_RATE = 16 * 1024
DOWNLOAD_WINDOW_S = 60.0
MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3
#: The largest API answer read, counted after decompression (a status with a hundred
#: results is a few kilobytes): past it the answer is dropped, not parsed.
MAX_ANSWER_BYTES = 4 * 1024 ** 2
ANSWER_CHUNK = 16 * 1024
#: The deepest nesting of a JSON answer read (the contract's answers are 4 levels deep).
MAX_JSON_DEPTH = 64

#: 5xx answers to a submit that may hide an accepted task. The contract says
#: "5xx transient; retry with backoff", which is right when the service itself
#: answered: it says it failed, so it handed out no task (500, 503: the app or
#: its load balancer refusing before work). A gateway's 502/504 (Cloudflare's
#: 520/524 alike) means the gateway lost track of the service *while it was
#: working on the request*: the task may exist and be charged. Those make the
#: job UNKNOWN, never resent — unless the answer carries the service's own JSON
#: error code, which proves the service itself answered (then the contract's
#: retry applies). Wrongly UNKNOWN costs the user a look at the dashboard;
#: wrongly resent costs credits twice.
UNCERTAIN_SUBMIT_STATUSES = frozenset({502, 504, 520, 524})


def backoff_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Full-jitter exponential backoff, capped."""
    rng = rng or random
    return rng.uniform(0.5, 1.0) * min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt))


#: Refused by requests itself before anything went out: a header it will not send (a key
#: with a line break), a URL or body it cannot build.
_REFUSED_LOCALLY = (requests.exceptions.InvalidHeader, requests.exceptions.InvalidURL,
                    requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema,
                    requests.exceptions.InvalidJSONError, requests.exceptions.URLRequired)


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the server."""
    if isinstance(exc, (requests.exceptions.ConnectTimeout, *_REFUSED_LOCALLY)):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = repr(exc.args[0]) if exc.args else repr(exc)
        return any(s in text for s in ("NewConnectionError", "ConnectionRefusedError",
                                       "Connection refused", "NameResolutionError",
                                       "Failed to resolve", "No route to host"))
    return False


def seconds_text(seconds: float) -> str:
    """999999 → '999,999 s (11.6 days)'; inf → 'forever'."""
    if math.isinf(seconds):
        return "forever"
    text = f"{seconds:,.0f} s"
    if seconds >= 2 * 86400:
        text += f" ({seconds / 86400:,.1f} days)"
    elif seconds >= 2 * 3600:
        text += f" ({seconds / 3600:.1f} hours)"
    elif seconds >= 120:
        text += f" ({seconds / 60:.0f} minutes)"
    return text


class Transport:
    """JSON-over-HTTP to one service with one bearer credential."""

    def __init__(self, base_url: str, token: str, *, budget: RateBudget | None = None,
                 clock: Clock = SYSTEM_CLOCK, timeout: float = 30.0, max_retries: int = 4,
                 session: requests.Session | None = None, rng: random.Random | None = None,
                 cancel: threading.Event | None = None,
                 online_check: Callable[[], bool] | None = None,
                 deadline: float | None = None,
                 download_min_rate: float = DOWNLOAD_MIN_RATE,
                 download_window: float = DOWNLOAD_WINDOW_S,
                 notify: Callable[[str], None] | None = None):
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.budget = budget
        self.clock = clock
        self.timeout = timeout
        self.max_retries = max_retries
        self.session = session or requests.Session()
        if hasattr(self.session, "mount"):
            install(self.session)
        self.rng = rng or random.Random()
        self.cancel = cancel
        self.online_check = online_check
        #: Total seconds for an API call (plus upload time); see API_DEADLINE_MIN_S.
        self.deadline = deadline if deadline is not None else max(API_DEADLINE_MIN_S, 3 * timeout)
        self.download_min_rate = download_min_rate
        self.download_window = download_window
        #: Called with a sentence the user should read now (a long pause); may be None.
        self.notify = notify
        self.stats = {"requests": 0, "429": 0, "retries": 0}

    # -- plumbing -----------------------------------------------------------
    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if extra:
            headers.update(extra)
        return headers

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else self.base_url + path

    user_agent = USER_AGENT

    def backoff(self, attempt: int) -> float:
        """The wait before retry *attempt* (downloads use it too, without importing us)."""
        return backoff_delay(attempt, self.rng)

    def _sleep(self, seconds: float) -> None:
        if self.clock.sleep(seconds, self.cancel):
            raise CancelledError("Cancelled.")

    def _check_online(self) -> None:
        if self.online_check is not None and not self.online_check():
            raise ConfigError("Online access is turned off, so nothing was sent.",
                              advice="Turn on Preferences > System > Network > Allow Online Access.")

    def _secrets(self) -> tuple[str, ...]:
        return (self._token,) if self._token else ()

    def _json(self, resp: requests.Response) -> Any:
        """The decoded JSON answer, scrubbed of our credential; None if it is not JSON.

        Raises :class:`UnreadableAnswerError` for JSON nested deeper than
        :data:`MAX_JSON_DEPTH` (the decoder's own recursion would otherwise escape).
        """
        try:
            value = resp.json()
        except RecursionError:
            value = _TOO_DEEP
        except ValueError:
            return None
        if value is _TOO_DEEP or _deeper_than(value, MAX_JSON_DEPTH):
            raise UnreadableAnswerError(
                f"The service answered HTTP {resp.status_code} with JSON nested more than "
                f"{MAX_JSON_DEPTH} levels deep, which the bridge does not read.",
                status=resp.status_code)
        return scrub_tree(value, self._secrets())

    def _json_or_none(self, resp: requests.Response) -> Any:
        try:
            return self._json(resp)
        except UnreadableAnswerError:
            return None

    def _body(self, resp: requests.Response) -> Any:
        body = self._json_or_none(resp)
        return body if body is not None else resp.text

    def _read_capped(self, resp: requests.Response) -> None:
        """Read the body of a streamed answer, at most :data:`MAX_ANSWER_BYTES` decompressed.

        Over the cap, a success answer raises :class:`AnswerTooLargeError`; an
        error answer keeps no body (its status still says what went wrong).
        """
        declared = resp.headers.get("Content-Length", "")
        over = declared.isdigit() and int(declared) > MAX_ANSWER_BYTES \
            and not resp.headers.get("Content-Encoding")
        chunks: list[bytes] = []
        size = 0
        if not over:
            for chunk in resp.iter_content(ANSWER_CHUNK):
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    over = True
                    break
                chunks.append(chunk)
        if not over:
            resp._content = b"".join(chunks)
            return
        resp.close()
        resp._content = b""
        if resp.status_code < 400:
            raise AnswerTooLargeError(
                f"The service's answer (HTTP {resp.status_code}) is larger than "
                f"{MAX_ANSWER_BYTES // 1024 ** 2} MB once decompressed, so it was not read.",
                status=resp.status_code)

    def _error(self, resp: requests.Response) -> ApiError:
        err = error_from_response(resp.status_code, self._body(resp), dict(resp.headers),
                                  secrets=self._secrets())
        if isinstance(err, RateLimitedError):
            self._cap_pause(err)
        return err

    def _cap_pause(self, err: RateLimitedError) -> None:
        """Cap what a Retry-After asks for, and say so in the error's text."""
        asked = err.asked_retry_after
        if asked is None or asked <= MAX_RETRY_AFTER_S:
            return
        err.retry_after = MAX_RETRY_AFTER_S
        err.message = (f"{err.message} The service asked to wait {seconds_text(asked)} "
                       f"(Retry-After: {err.retry_after_header}); the bridge waits at most "
                       f"{MAX_RETRY_AFTER_S:.0f} s before it tries again.")

    def _announce_pause(self, err: RateLimitedError, pause: float) -> None:
        if pause < LONG_PAUSE_S:
            return
        asked = err.asked_retry_after
        if asked is not None and asked > pause:
            text = (f"{self.base_url} is rate limiting this key and asked to wait "
                    f"{seconds_text(asked)}; waiting {pause:.0f} s at most, then trying again.")
        else:
            text = (f"{self.base_url} is rate limiting this key; waiting {pause:.0f} s as it "
                    "asked, then trying again.")
        log.warning("%s", text)
        if self.notify is not None:
            self.notify(text)

    def _scrubbed(self, exc: Exception) -> str:
        return service_text(str(exc), *self._secrets())

    def _api_deadline(self, json: Any, data: dict | None, files: dict | None) -> float:
        return self.deadline + _body_size(json, data, files) / MIN_UPLOAD_RATE

    # -- requests -----------------------------------------------------------
    def request(self, method: str, path: str, *, json: Any = None, data: dict | None = None,
                files: dict | None = None, priority: int | None = None) -> Any:
        """Send one API call and return its decoded JSON body (retrying as the rules allow)."""
        self._check_online()
        is_post = method.upper() != "GET"
        if priority is None:
            priority = SUBMIT if is_post else POLL
        allowance = self._api_deadline(json, data, files)
        attempt = 0
        while True:
            if self.budget is not None:
                self.budget.acquire(priority, self.cancel)
            self.stats["requests"] += 1
            deadline = Deadline(allowance)
            try:
                with deadline_scope(deadline):
                    # A POST is never redirected: requests would turn it into a GET.
                    resp = self.session.request(method, self._url(path), json=json, data=data,
                                                files=_rewind(files), headers=self._headers(),
                                                timeout=self.timeout, allow_redirects=not is_post,
                                                stream=True)
                    self._read_capped(resp)
            except (UnicodeError, ValueError) as exc:
                # requests or http.client refusing what it cannot send (a key with a line
                # break or a letter outside Latin-1): nothing left this machine.
                if deadline.request_sent and not isinstance(exc, (UnicodeError, *_REFUSED_LOCALLY)):
                    if is_post:
                        raise UncertainDeliveryError(
                            f"The answer could not be read ({type(exc).__name__}).") from None
                    raise TransportError(f"{self.base_url} sent an answer that could not be "
                                         f"read ({type(exc).__name__}).") from None
                raise NotSentError(
                    f"The request was refused on this machine before it was sent "
                    f"({type(exc).__name__}); nothing reached {self.base_url}.",
                    advice="Check the API key and the service URL for stray characters "
                           "(spaces, line breaks, letters outside Latin-1).") from None
            except AnswerTooLargeError as exc:
                if is_post:   # a 2xx: the service acted, the job may exist and be charged
                    raise UncertainDeliveryError(
                        f"{exc.message} The job may have been created and charged, so it was "
                        "not sent again.", advice="") from None
                raise
            except requests.RequestException as exc:
                never_sent = _never_sent(exc) or (deadline.expired and not deadline.request_sent)
                if is_post and not never_sent:
                    if deadline.expired:
                        raise UncertainDeliveryError(
                            f"The service did not finish answering the submit within "
                            f"{allowance:.0f} s (the connection stayed open with almost nothing "
                            "arriving), so it was cut off; the job may have been created.",
                            advice="") from None
                    raise UncertainDeliveryError(
                        f"The connection broke after the request was sent ({type(exc).__name__})."
                    ) from None
                if deadline.expired:   # a trickle: trying again at once would only trickle again
                    cls = NotSentError if is_post else TransportError
                    raise cls(f"{self.base_url} did not answer within {allowance:.0f} s "
                              "(the connection stayed open with almost nothing arriving), so "
                              "the call was cut off.") from None
                if attempt >= self.max_retries:
                    cls = NotSentError if (is_post or _never_sent(exc)) else TransportError
                    raise cls(f"Could not reach {self.base_url}: {netreason.describe(exc)}.") from None
                self.stats["retries"] += 1
                self._sleep(backoff_delay(attempt, self.rng))
                attempt += 1
                continue
            if self.budget is not None:
                self.budget.observe(resp.headers)   # a limit the service states
            if resp.status_code < 400:
                return self._success_body(resp, is_post, deadline, allowance)
            if is_post and resp.status_code in UNCERTAIN_SUBMIT_STATUSES \
                    and not _service_error_code(self._json_or_none(resp)):
                raise UncertainDeliveryError(
                    f"A gateway answered the submit with HTTP {resp.status_code} "
                    f"({_describe(resp, self._secrets())}): the service behind it may have "
                    "accepted the job before the gateway gave up, so it was not sent again.",
                    advice="")
            err = self._error(resp)
            if isinstance(err, RateLimitedError):
                self.stats["429"] += 1
                pause = err.retry_after if err.retry_after is not None \
                    else backoff_delay(attempt, self.rng)
                if self.budget is not None:
                    # What the service asked, uncapped: the budget caps it and tells
                    # its listeners how long it was asked to wait.
                    asked = err.asked_retry_after
                    self.budget.penalize(asked if asked is not None else err.retry_after)
                if attempt >= self.max_retries + 2:
                    raise err
                self._announce_pause(err, pause)
                if self.budget is None:
                    self._sleep(pause)
                attempt += 1
                self.stats["retries"] += 1
                continue
            if isinstance(err, ServerError) and attempt < self.max_retries:
                self.stats["retries"] += 1
                self._sleep(backoff_delay(attempt, self.rng))
                attempt += 1
                continue
            raise err

    def _success_body(self, resp: requests.Response, is_post: bool, deadline: Deadline,
                      allowance: float) -> Any:
        """The JSON of a 1xx-3xx answer, or the error that says why there is none."""
        if 300 <= resp.status_code < 400:   # only POSTs get here (GETs follow redirects)
            where = service_text(resp.headers.get("Location", ""), *self._secrets(), limit=120)
            raise ApiError(
                f"The service answered the submit with a redirect (HTTP {resp.status_code}"
                f"{' to ' + where if where else ''}), so nothing was created.",
                status=resp.status_code,
                advice="Check the service URL (for instance https:// rather than http://).")
        try:
            body = self._json(resp)
        except UnreadableAnswerError as exc:
            if is_post:   # a 2xx: the service acted
                raise UncertainDeliveryError(
                    f"{exc.message} The job may have been created and charged, so it was not "
                    "sent again.", advice="") from None
            raise
        if isinstance(body, (dict, list)):
            return body   # complete JSON, even if the deadline struck just after it arrived
        if is_post:
            # A 2xx proves the server acted: the task may exist and be charged.
            cut = " and was cut off at the deadline" if deadline.expired else ""
            raise UncertainDeliveryError(
                f"The service answered the submit with HTTP {resp.status_code} but no readable "
                f"task id ({_describe(resp, self._secrets())}){cut}: the job may have been "
                "created and charged, so it was not sent again.", advice="")
        if deadline.expired:
            raise TransportError(f"{self.base_url} did not finish answering within "
                                 f"{allowance:.0f} s, so the call was cut off.")
        raise ServerError(f"The service answered HTTP {resp.status_code} with no JSON "
                          f"({_describe(resp, self._secrets())}).", status=resp.status_code)

    def get(self, path: str, *, priority: int = POLL) -> Any:
        return self.request("GET", path, priority=priority)

    def post(self, path: str, payload: dict, *, priority: int = SUBMIT) -> Any:
        return self.request("POST", path, json=payload, priority=priority)

    def post_multipart(self, path: str, fields: dict, files: dict, *, priority: int = SUBMIT) -> Any:
        """``files``: field name → local path. Other fields go as form values."""
        handles = {}
        try:
            for name, file_path in files.items():
                p = Path(file_path)
                handles[name] = (p.name, open(p, "rb"), "application/octet-stream")
            form = {k: _form_value(v) for k, v in fields.items() if v is not None}
            return self.request("POST", path, data=form, files=handles, priority=priority)
        finally:
            for _, handle, _ in handles.values():
                handle.close()

    # -- downloads ----------------------------------------------------------
    def download(self, url: str, dest: str | os.PathLike, *, max_bytes: int = MAX_DOWNLOAD_BYTES,
                 expected_size: int | None = None) -> Path:
        """Fetch ``url`` to ``dest`` atomically (see :func:`bridge.downloads.download`)."""
        self._check_online()
        return download(self, url, dest, max_bytes=max_bytes, expected_size=expected_size)


_TOO_DEEP = object()


def _deeper_than(value: Any, limit: int) -> bool:
    """True when ``value`` nests lists/dicts more than ``limit`` deep (no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


def _service_error_code(body: Any) -> bool:
    """True when a JSON error body carries a code: the service itself answered."""
    return isinstance(body, dict) and bool(body.get("code") or body.get("error_code"))


def _describe(resp: requests.Response, secrets: tuple[str, ...]) -> str:
    """A few words on a body that is not the JSON we expected (for messages)."""
    try:
        text = resp.text
    except (requests.RequestException, ValueError):
        text = ""
    if not text.strip():
        return "an empty answer"
    if looks_like_html(text):
        title = service_text(html_summary(text), *secrets, limit=80)
        return f"an HTML page: {title!r}" if title else "an HTML page"
    ctype = resp.headers.get("Content-Type", "").split(";")[0].strip()
    sample = service_text(text, *secrets, limit=60)
    return f"{ctype or 'text'} starting {sample!r}"


def _body_size(json: Any, data: dict | None, files: dict | None) -> int:
    """Roughly how many bytes a request body has (for the upload allowance)."""
    size = _json_size(json)
    size += sum(len(str(v)) for v in (data or {}).values())
    for entry in (files or {}).values():
        handle = entry[1] if isinstance(entry, tuple) else entry
        try:
            size += os.fstat(handle.fileno()).st_size
        except (AttributeError, OSError, ValueError):
            pass
    return size


def _json_size(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_json_size(k) + _json_size(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(_json_size(v) for v in value)
    return 8 if value is not None else 0


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _rewind(files: dict | None) -> dict | None:
    """Multipart file handles must start at 0 again when a request is retried."""
    if files:
        for entry in files.values():
            handle = entry[1] if isinstance(entry, tuple) else entry
            if hasattr(handle, "seek"):
                handle.seek(0)
    return files


__all__ = ["Transport", "backoff_delay", "BridgeError", "OTHER", "MAX_RETRY_AFTER_S",
           "scrub"]
