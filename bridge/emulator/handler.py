"""The HTTP side: routing, auth, rate limit, faults, submits, status and files.

Order per API call: log → fault knobs (5xx / dropped socket) → auth → rate
limit → the endpoint. File downloads skip auth and the rate limit (they are
pre-signed URLs on the real service) but record whether a client sent an
Authorization header anyway, which it must not.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import time
import uuid
from http.server import BaseHTTPRequestHandler

from ..errors import BridgeError
from ..status import FAILED, FINISHED, IN_PROGRESS, PENDING
from .multipart import parse_multipart
from .results import build_results
from .schemas import ENDPOINTS, IMAGE3D_GENERATE
from .state import Job
from .validation import WireError, validate_body

STATUS_PATH = re.compile(r"^/v1/generation-request/([^/]+)/status/?$")
IMAGE3D_STATUS = re.compile(r"^/api/status/([^/]+)$")
WALLET_PATHS = ("/account/user/wallet/", "/user/wallet/")
MAX_BODY = 64 * 1024 * 1024
UNLIMITED_RATE_REPORTED = 1000  # what the wallet says when no limit is set


class _Dropped(Exception):
    """Close the socket without answering (a fault knob)."""


def phase(job: Job, now: float) -> tuple[str, int]:
    """(status, progress) of a job at service time ``now``: 0 → 33 → 66 → 100."""
    f = (now - job.created) / job.duration if job.duration > 0 else 1.0
    if f >= 1.0:
        return (FAILED if job.fail_reason else FINISHED), 100
    if f < 0.25:
        return PENDING, 0
    return IN_PROGRESS, (33 if f < 0.6 else 66)


class EmulatorHandler(BaseHTTPRequestHandler):
    server_version = "AIStudioEmulator/0.1"
    protocol_version = "HTTP/1.0"   # one request per connection: no stale keep-alive sockets
    emulator = None                 # set on the subclass the Emulator builds

    def log_message(self, fmt, *args):  # keep test output quiet; emu.log has every request
        pass

    # -- plumbing -----------------------------------------------------------------
    def _send(self, status: int, body, headers: dict | None = None) -> None:
        headers = {**self._limit_header(), **(headers or {})}
        if self._trickle_s:
            self._send_raw(status, json.dumps(body), "application/json", headers)
            return
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self._status = status

    def _send_raw(self, status: int, body: str | bytes, content_type: str,
                  headers: dict | None = None) -> None:
        """An answer with exactly this body (hostile-answer knobs), trickled if armed."""
        data = body if isinstance(body, bytes) else body.encode("utf-8")
        head = {"Content-Type": content_type, "Content-Length": str(len(data)),
                **self._limit_header(), **(headers or {})}
        if self._trickle_s:
            self._trickle_out(status, head, data)
            return
        self.send_response(status)
        for key, value in head.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _limit_header(self) -> dict:
        """Answers to an authenticated API call state the key's limit (requests/minute)."""
        limit = getattr(self, "_stated_limit", None)
        return {} if limit is None else {"X-RateLimit-Limit": str(limit)}

    def _trickle_out(self, status: int, headers: dict, data: bytes) -> None:
        """Status line, headers and body, one byte at a time (until the client hangs up)."""
        self._record(status)
        self._status = status
        reason = self.responses.get(status, ("",))[0]
        head = f"HTTP/1.0 {status} {reason}\r\n" + "".join(
            f"{key}: {value}\r\n" for key, value in headers.items()) + "\r\n"
        raw = head.encode("latin-1") + (b"" if self.command == "HEAD" else data)
        self.close_connection = True
        for index in range(len(raw)):
            try:
                self.wfile.write(raw[index:index + 1])
                self.wfile.flush()
            except OSError:
                return   # the client cut us off, as it should
            time.sleep(self._trickle_s)

    def _error(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        self._send(status, {"code": code, "message": message}, headers)

    def _token(self) -> str:
        auth = self.headers.get("Authorization", "")
        return auth[7:].strip() if auth.lower().startswith("bearer ") else ""

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise WireError("The request body is too large.")
        return self.rfile.read(length) if length else b""

    # -- entry points --------------------------------------------------------------
    def do_GET(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def send_response(self, code, message=None):
        # Log before the first byte leaves: a client that has read its answer
        # must find the request in emu.log (logging afterwards raced tests).
        self._status = code
        self._record(code)
        super().send_response(code, message)

    def _record(self, status: int) -> None:
        if not self._recorded:
            self._recorded = True
            self.emulator.state.record_request(
                method=self.command, path=self.path.split("?", 1)[0], status=status,
                had_auth="Authorization" in self.headers)

    def _dispatch(self) -> None:
        self._status = 0
        self._recorded = False
        path = self.path.split("?", 1)[0]
        self._trickle_s = self.emulator.faults.take_trickle(path.startswith("/files/"))
        try:
            if path.startswith("/files/"):
                self._serve_file(path)
            else:
                self._api(path)
        except _Dropped:
            self._status = 0
            self.close_connection = True
        except Exception as exc:  # noqa: BLE001 - a bug here must answer, not look like a dropped socket
            if self._status:
                raise
            self._error(500, "emulator_error", f"The emulator failed: {type(exc).__name__}: {exc}")
        finally:
            self._record(0)  # no answer was sent: a dropped connection

    def _api(self, path: str) -> None:
        emu, state = self.emulator, self.emulator.state
        if self._hostile_answer():
            return
        status = emu.faults.take_server_error()
        if status is not None:
            self._read_body()
            self._error(status, "server_error", "Internal server error (emulated fault).")
            return
        if emu.faults.take_drop():
            raise _Dropped()
        image3d = path.startswith("/api/")
        expected = emu.image3d_token if image3d else emu.api_key
        token = self._token()
        if token and token in emu.revoked:
            self._read_body()
            self._error(401, "api_key_revoked", "The API key was revoked.")
            return
        if not token or token != expected:
            self._read_body()
            if image3d:
                self._send(401, {"error": "Token expired or invalid; sign in again.",
                                 "code": "token_expired"})
            else:
                self._error(401, "invalid_api_key", "The API key is missing or invalid.")
            return
        self._stated_limit = (state.rate_limit if state.rate_limit is not None
                              else UNLIMITED_RATE_REPORTED)
        retry = state.rate_check(("i3d:" if image3d else "studio:") + token)
        if retry is not None:
            self._read_body()
            self._error(429, "rate_limited", f"Rate limit of {state.rate_limit} requests per minute "
                        "reached.", {"Retry-After": str(int(retry))})
            return
        if image3d:
            self._image3d(path)
        else:
            self._studio(path)

    def _hostile_answer(self) -> bool:
        """A raw error or a 429 with an odd Retry-After, if a knob asks for one."""
        faults = self.emulator.faults
        raw = faults.take_raw_error()
        if raw is not None:
            self._read_body()
            self._send_raw(*raw)
            return True
        retry_after = faults.take_retry_after()
        if retry_after is not None:
            self._read_body()
            self._error(429, "rate_limited", "Rate limit reached (emulated fault).",
                        {"Retry-After": retry_after})
            return True
        return False

    # -- 3D AI Studio -----------------------------------------------------------------
    def _studio(self, path: str) -> None:
        state = self.emulator.state
        if self.command in ("GET", "HEAD"):
            if path in WALLET_PATHS:
                self._send(200, {"balance": f"{state.balance:.2f}",
                                 "rate_limit": self._stated_limit})
                return
            match = STATUS_PATH.match(path)
            if match:
                self._studio_status(match.group(1))
                return
        elif self.command == "POST" and path in ENDPOINTS:
            self._submit("3daistudio", path, ENDPOINTS[path])
            return
        self._read_body()
        self._error(404, "not_found", f"No endpoint {self.command} {path}.")

    def _submit(self, provider: str, path: str, schema: dict) -> None:
        emu, state = self.emulator, self.emulator.state
        try:
            raw = self._read_body()
            ctype = self.headers.get("Content-Type", "")
            files = {}
            if ctype.startswith("multipart/form-data"):
                fields, files = parse_multipart(ctype, raw)
                body = validate_body(schema, {**fields, **{k: v[1] for k, v in files.items()}}, form=True)
                body = {k: v for k, v in body.items() if k not in files}
            else:
                try:
                    parsed = json.loads(raw.decode("utf-8") or "null")
                except (UnicodeDecodeError, json.JSONDecodeError):
                    raise WireError("The body is not valid JSON.") from None
                body = validate_body(schema, parsed)
        except WireError as exc:
            if provider == "image3d":
                self._send(400, {"error": str(exc), "code": "validation_failed"})
            else:
                self._error(400, "validation_failed", str(exc))
            return
        price = schema["price"](body)
        if not state.charge(provider, price):
            have = state.image3d_balance if provider == "image3d" else state.balance
            self._error(402, "insufficient_credits",
                        f"This request costs {price} credits; the wallet holds {have:.2f}.")
            return
        job = Job(str(uuid.uuid4()), provider, path, body, files, price, state.now(),
                  float(schema["seconds"](body)), fail_reason=emu.faults.take_failure(),
                  result_kind=schema["result"])
        state.add_job(job)
        if emu.faults.take_drop_after_accept():
            raise _Dropped()  # accepted and charged, but the client never hears of it
        if emu.faults.take_revoke():
            emu.revoked.add(self._token())   # refused from the next call on
        answer = emu.faults.take_submit_answer()
        if answer is not None:   # accepted and charged, answered without a task id
            self._send_raw(*answer)
            return
        if provider == "image3d":
            self._send(200, {"task_id": job.task_id, "status": "queued", "provider": "hunyuan3d-v3"})
            return
        created = _dt.datetime.fromtimestamp(state.clock.wall(), _dt.timezone.utc)
        self._send(200, {"task_id": job.task_id, "created_at": created.isoformat()})

    def _job_view(self, task_id: str):
        """(job, status, progress, results) or None after answering 404/410."""
        state = self.emulator.state
        job = state.jobs.get(task_id)
        if job is None:
            self._error(404, "not_found", "Unknown task id.")
            return None
        if state.job_expired(job):
            self._error(410, "expired", "The results expired 24 hours after completion.")
            return None
        status, progress = phase(job, state.now())
        results = []
        if status == FAILED:
            state.refund(job)
        elif status == FINISHED:
            if self.emulator.faults.take_empty_poll():
                return job, status, progress, []
            results = self._results_of(job)
            if results is None:
                return job, FAILED, 100, []
        return job, status, progress, results

    def _results_of(self, job: Job):
        with job.lock:
            if job.results is None and job.fail_reason is None:
                try:
                    job.results = build_results(job, self.emulator.state, job.result_kind, self.emulator.url)
                except (BridgeError, ValueError) as exc:
                    # An input the emulator cannot handle fails the job, as the service would.
                    job.fail_reason = f"The emulator could not process the input: {exc}"
                    self.emulator.state.refund(job)
            return job.results

    def _studio_status(self, task_id: str) -> None:
        view = self._job_view(task_id)
        if view is None:
            return
        job, status, progress, results = view
        body = {"status": status, "progress": progress,
                "failure_reason": job.fail_reason if status == FAILED else None, "results": results}
        trickle = self.emulator.faults.take_status_trickle(task_id)
        if trickle is not None:
            self._send_slowly(200, body, *trickle)
            return
        self._send(200, body)

    def _send_slowly(self, status: int, body, every: float, stop) -> None:
        """Like _send, but the body goes out a byte at a time (the trickle_status fault)."""
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self._status = status
        try:
            for i in range(len(data)):
                if stop.is_set():
                    self.wfile.write(data[i:])
                    break
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                stop.wait(every)
        except OSError:  # the client gave up (its deadline): nothing more to send
            self.close_connection = True

    # -- image3d.io -------------------------------------------------------------------
    def _image3d(self, path: str) -> None:
        state = self.emulator.state
        if self.command == "POST" and path == "/api/generate":
            self._submit("image3d", path, IMAGE3D_GENERATE)
            return
        if self.command in ("GET", "HEAD"):
            if path == "/api/balance":
                balance = state.image3d_balance
                self._send(200, {"balance": int(balance) if balance.is_integer() else balance,
                                 "unit": "credits"})
                return
            match = IMAGE3D_STATUS.match(path)
            if match:
                view = self._job_view(match.group(1))
                if view is None:
                    return
                job, status, progress, results = view
                words = {PENDING: "queued", IN_PROGRESS: "processing", FINISHED: "success", FAILED: "failed"}
                body = {"status": words[status], "progress": progress,
                        "model_url": results[0]["asset"] if results else None}
                if status == FAILED:
                    body["error"] = job.fail_reason
                self._send(200, body)
                return
        self._read_body()
        self._send(404, {"error": f"No endpoint {self.command} {path}.", "code": "not_found"})

    # -- files ------------------------------------------------------------------------
    def _serve_file(self, path: str) -> None:
        state = self.emulator.state
        stored = state.file_for_path(path)
        if stored is None:
            self._error(404, "not_found", "No such file.")
            return
        job = state.jobs.get(stored.task_id)
        if job is not None and state.job_expired(job):
            self._error(410, "expired", "This file expired 24 hours after the job completed.")
            return
        refused = self.emulator.faults.take_refused_download()
        if refused is not None:   # as a CDN answers a signed link past its expiry
            self._send_raw(refused, "<Error><Code>AccessDenied</Code><Message>Request has "
                                    "expired</Message></Error>", "application/xml")
            return
        data, status, extra = stored.data, 200, {"Accept-Ranges": "bytes"}
        wanted = self.headers.get("Range", "")
        match = re.match(r"^bytes=(\d+)-(\d*)$", wanted.strip())
        if match:
            start = int(match.group(1))
            end = int(match.group(2)) if match.group(2) else len(data) - 1
            if start >= len(data) or end < start:
                self._error(416, "range_not_satisfiable", "Range not satisfiable.",
                            {"Content-Range": f"bytes */{len(data)}"})
                return
            end = min(end, len(data) - 1)
            extra["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
            data, status = data[start:end + 1], 206
        truncate = self.command == "GET" and self.emulator.faults.take_truncation()
        if self._trickle_s:
            self._trickle_out(status, {"Content-Type": stored.content_type,
                                       "Content-Length": str(len(data)), **extra}, data)
            return
        self.send_response(status)
        self.send_header("Content-Type", stored.content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        self._status = status
        if self.command == "HEAD":
            return
        if truncate:
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)
