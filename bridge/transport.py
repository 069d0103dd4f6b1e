"""HTTP with timeouts, retries and manners.

- Every call has a timeout.
- GETs retry on network failures, 5xx and 429 with capped, jittered backoff.
- POSTs are retried only when the server provably did not act on them:
  the connection was refused/never made, a 429 (rejected before work), or a
  5xx answer (no task was handed out). A POST whose answer was lost after
  sending raises :class:`UncertainDeliveryError` and is never repeated.
- A 429 pauses the whole key's :class:`RateBudget` for ``Retry-After``.
- Downloads from asset/CDN URLs carry no ``Authorization`` header (they are
  pre-signed), stream to a temp file and resume with ``Range``.
"""

from __future__ import annotations

import os
import random
import threading
from pathlib import Path
from typing import Any, Callable

import requests

from .clock import SYSTEM_CLOCK, Clock
from .errors import (ApiError, BridgeError, CancelledError, DownloadError, ExpiredError,
                     NotSentError, RateLimitedError, ServerError, TransportError,
                     UncertainDeliveryError, error_from_response, scrub)
from .ratebudget import OTHER, POLL, SUBMIT, RateBudget

USER_AGENT = "ai-studio-bridge/0.1 (+blender)"
BACKOFF_BASE = 1.0
BACKOFF_CAP = 30.0
# Small enough that a cut-off transfer keeps most of what arrived (the last
# partial chunk is lost when the connection drops mid-read).
CHUNK = 64 * 1024


def backoff_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Full-jitter exponential backoff, capped."""
    rng = rng or random
    return rng.uniform(0.5, 1.0) * min(BACKOFF_CAP, BACKOFF_BASE * (2 ** attempt))


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request cannot have reached the server."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = repr(exc.args[0]) if exc.args else repr(exc)
        return any(s in text for s in ("NewConnectionError", "ConnectionRefusedError",
                                       "Connection refused", "NameResolutionError",
                                       "Failed to resolve", "No route to host"))
    return False


class Transport:
    """JSON-over-HTTP to one service with one bearer credential."""

    def __init__(self, base_url: str, token: str, *, budget: RateBudget | None = None,
                 clock: Clock = SYSTEM_CLOCK, timeout: float = 30.0, max_retries: int = 4,
                 session: requests.Session | None = None, rng: random.Random | None = None,
                 cancel: threading.Event | None = None,
                 online_check: Callable[[], bool] | None = None):
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.budget = budget
        self.clock = clock
        self.timeout = timeout
        self.max_retries = max_retries
        self.session = session or requests.Session()
        self.rng = rng or random.Random()
        self.cancel = cancel
        self.online_check = online_check
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

    def _sleep(self, seconds: float) -> None:
        if self.clock.sleep(seconds, self.cancel):
            raise CancelledError("Cancelled.")

    def _check_online(self) -> None:
        if self.online_check is not None and not self.online_check():
            from .errors import ConfigError
            raise ConfigError("Online access is turned off, so nothing was sent.",
                              advice="Turn on Preferences > System > Network > Allow Online Access.")

    @staticmethod
    def _body(resp: requests.Response) -> Any:
        try:
            return resp.json()
        except ValueError:
            return resp.text

    def _error(self, resp: requests.Response) -> ApiError:
        return error_from_response(resp.status_code, self._body(resp), dict(resp.headers),
                                   secrets=(self._token,))

    def _scrubbed(self, exc: Exception) -> str:
        return scrub(str(exc), self._token)[:300]

    # -- requests -----------------------------------------------------------
    def request(self, method: str, path: str, *, json: Any = None, data: dict | None = None,
                files: dict | None = None, priority: int | None = None) -> Any:
        """Send one API call and return its decoded JSON body (retrying as the rules allow)."""
        self._check_online()
        is_post = method.upper() != "GET"
        if priority is None:
            priority = SUBMIT if is_post else POLL
        attempt = 0
        while True:
            if self.budget is not None:
                self.budget.acquire(priority, self.cancel)
            self.stats["requests"] += 1
            try:
                resp = self.session.request(method, self._url(path), json=json, data=data,
                                            files=_rewind(files), headers=self._headers(),
                                            timeout=self.timeout)
            except requests.RequestException as exc:
                sent_maybe = is_post and not _never_sent(exc)
                if sent_maybe:
                    raise UncertainDeliveryError(
                        f"The connection broke after the request was sent ({type(exc).__name__})."
                    ) from None
                if attempt >= self.max_retries:
                    cls = NotSentError if (is_post or _never_sent(exc)) else TransportError
                    raise cls(f"Could not reach {self.base_url}: {self._scrubbed(exc)}") from None
                self.stats["retries"] += 1
                self._sleep(backoff_delay(attempt, self.rng))
                attempt += 1
                continue
            if resp.status_code < 400:
                body = self._body(resp)
                if not isinstance(body, (dict, list)):
                    raise ServerError(f"The service answered HTTP {resp.status_code} with no JSON.",
                                      status=resp.status_code)
                return body
            err = self._error(resp)
            if isinstance(err, RateLimitedError):
                self.stats["429"] += 1
                if self.budget is not None:
                    self.budget.penalize(err.retry_after)
                if attempt >= self.max_retries + 2:
                    raise err
                if self.budget is None:
                    self._sleep(err.retry_after if err.retry_after is not None
                                else backoff_delay(attempt, self.rng))
                attempt += 1
                self.stats["retries"] += 1
                continue
            if isinstance(err, ServerError) and attempt < self.max_retries:
                self.stats["retries"] += 1
                self._sleep(backoff_delay(attempt, self.rng))
                attempt += 1
                continue
            raise err

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
    def download(self, url: str, dest: str | os.PathLike, *, max_bytes: int = 2 * 1024 ** 3,
                 expected_size: int | None = None) -> Path:
        """Fetch ``url`` to ``dest`` atomically; resumes a cut-off transfer with ``Range``.

        No ``Authorization`` header goes to asset URLs: they are pre-signed and
        some CDNs reject (or log) credentials they did not ask for.
        """
        self._check_online()
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        part = dest.with_name(dest.name + ".part")
        attempt = 0
        while True:
            have = part.stat().st_size if part.exists() else 0
            headers = {"User-Agent": USER_AGENT}
            if have:
                headers["Range"] = f"bytes={have}-"
            try:
                with self.session.get(url, headers=headers, stream=True,
                                      timeout=self.timeout) as resp:
                    if resp.status_code == 410:
                        raise ExpiredError("The result file has expired on the server (HTTP 410).",
                                           status=410)
                    if resp.status_code == 416 and have:
                        part.unlink()  # our partial file is bogus; start over
                        raise DownloadError("The server refused to resume; restarting.")
                    if resp.status_code >= 400:
                        raise DownloadError(f"Download failed with HTTP {resp.status_code}.")
                    if have and resp.status_code != 206:
                        have = 0  # server ignored Range: rewrite from the start
                    if resp.status_code == 206 and _range_start(resp) != have:
                        part.unlink(missing_ok=True)
                        raise DownloadError("The server sent a different part of the file; restarting.")
                    total = _content_total(resp, have)
                    with open(part, "ab" if have else "wb") as fh:
                        written = have
                        for chunk in resp.iter_content(CHUNK):
                            if self.cancel is not None and self.cancel.is_set():
                                raise CancelledError("Download cancelled.")
                            written += len(chunk)
                            if written > max_bytes:
                                raise DownloadError("The result file is larger than allowed.")
                            fh.write(chunk)
                    if total is not None and written != total:
                        raise DownloadError(f"Download cut off at {written} of {total} bytes.")
                    if expected_size is not None and written != expected_size:
                        raise DownloadError(f"Downloaded {written} bytes, expected {expected_size}.")
                os.replace(part, dest)
                return dest
            except ExpiredError:
                raise
            except CancelledError:
                raise
            except (requests.RequestException, DownloadError) as exc:
                if attempt >= self.max_retries:
                    if isinstance(exc, DownloadError):
                        raise
                    raise DownloadError(f"Download failed: {self._scrubbed(exc)}") from None
                self.stats["retries"] += 1
                self._sleep(backoff_delay(attempt, self.rng))
                attempt += 1


def _content_total(resp: requests.Response, have: int) -> int | None:
    """Full size of the file from Content-Range or Content-Length, if stated."""
    crange = resp.headers.get("Content-Range", "")
    if "/" in crange:
        tail = crange.rsplit("/", 1)[1]
        if tail.isdigit():
            return int(tail)
    length = resp.headers.get("Content-Length")
    if length and length.isdigit() and resp.headers.get("Content-Encoding") in (None, "identity"):
        return int(length) + (have if resp.status_code == 206 else 0)
    return None


def _range_start(resp: requests.Response) -> int | None:
    crange = resp.headers.get("Content-Range", "")
    try:
        return int(crange.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None


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


__all__ = ["Transport", "backoff_delay", "BridgeError", "OTHER"]
