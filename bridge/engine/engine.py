"""JobEngine: jobs run on background threads, events come back through a queue.

Threads and what they do (none of them ever touches Blender):

- one *dispatcher* sends every API call (submits and polls). The key's rate
  budget allows a few calls a minute, so one thread is enough, and having
  one place choose the next call lets a poll of a job that is probably
  finished go ahead of a new submit (results are waited for; a submit only
  starts a clock). It also renews leases and picks up unfinished jobs from
  the journal (a restart, or another process that died).
- ``workers`` *download* threads fetch, check and unpack results, which
  take no request slot.

The main thread calls ``submit`` (validates, writes the journal row,
returns), ``drain`` (pops a deque: no lock, no I/O) and ``cancel``.
Every wait sleeps on the injected clock with an event that ``shutdown`` sets.
"""

from __future__ import annotations

import collections
import logging
import queue
import random
import threading
import uuid
from pathlib import Path
from typing import Callable, Iterable

from ..api.base import ApiRequest
from ..client import client_for
from ..clock import SYSTEM_CLOCK, Clock
from ..errors import BridgeError, ConfigError
from ..ratebudget import POLL as POLL_PRIORITY, SUBMIT as SUBMIT_PRIORITY
from . import downloads, leases, resume, steps, waiting
from .journal import Journal
from .model import ACTIVE_STATES, CANCEL_NOTE, CANCELLED, QUEUED, SUBMITTING, Event, JobRecord
from .schedule import retry_delay, slot_seconds

log = logging.getLogger("bridge.engine")

OFFLINE_NOTE = ("Waiting: online access is turned off (Preferences > System > Network > "
                "Allow Online Access); nothing is sent until it is on.")

SCAN_SECONDS = 30.0      # clock seconds between looks for orphaned journal jobs
IDLE_SECONDS = 5.0       # longest dispatcher nap when nothing is due
PACE_FRACTION = 1.03     # API calls this many rate slots apart: a little over one, so
                         # our window and the server's never disagree by network jitter


class JobEngine:
    def __init__(self, settings, home: Path | str | None = None, clock: Clock = SYSTEM_CLOCK,
                 client_factory: Callable | None = None,
                 online_check: Callable[[], bool] | None = None, workers: int = 2):
        self.settings = settings
        self.home = Path(home if home is not None else settings.home)
        self.clock = clock
        self.online_check = online_check
        self.client_factory = client_factory or self._default_factory
        self.workers = max(1, int(workers))
        self.journal = Journal(self.home)
        self.owner = leases.new_owner_id()
        self.rng = random.Random()
        self.min_poll_interval = min(2.0, float(settings.poll_interval))
        self._events: collections.deque[Event] = collections.deque()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._plan: dict[str, steps.Next] = {}     # job_id -> next API step (due in .delay: abs time)
        self._held: set[str] = set()               # jobs whose lease we hold
        self._requests: dict[str, ApiRequest] = {}  # submitted here: no need to rebuild
        self._job_cancel: dict[str, threading.Event] = {}
        self._downloads: queue.SimpleQueue = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._clients: dict[str, object] = {}
        self._wallet_checked: set[str] = set()
        self._rate = settings.rate_limit
        self.finished_at: dict[str, float] = {}     # job_id -> clock time FINISHED was seen
        self._started = False
        self._last_call = float("-inf")
        self._told_offline: set[str] = set()

    # -- public interface ------------------------------------------------------
    def start(self) -> "JobEngine":
        if self._started:
            return self
        self._started = True
        self._threads.append(threading.Thread(target=self._dispatch_loop, daemon=True,
                                              name="aistudio-dispatch"))
        for n in range(self.workers):
            self._threads.append(threading.Thread(target=downloads.worker, args=(self,), daemon=True,
                                                  name=f"aistudio-download-{n}"))
        for thread in self._threads:
            thread.start()
        return self

    def submit(self, request: ApiRequest, output_dir=None, label: str | None = None,
               meta: dict | None = None) -> str:
        """Validate, journal, queue; returns the local job id. Never touches the network."""
        request.validate()
        self._require_credentials(request.PROVIDER)
        try:
            credits = request.credits()
            low, high = credits.low, credits.high
        except NotImplementedError:
            low = high = None
        job_id = uuid.uuid4().hex[:12]
        out_dir = Path(output_dir) if output_dir else self.home / "results" / job_id
        now = self.clock.wall()
        self.journal.insert({
            "job_id": job_id, "task_id": None, "provider": request.PROVIDER,
            "kind": request.KIND, "label": label or request.summary(), "state": QUEUED,
            "progress": 0, "credits_low": low, "credits_high": high, "files": [],
            "error": "", "created_at": now, "updated_at": now,
            "output_dir": str(out_dir.expanduser().resolve()),
            "request": request.to_record(), "meta": dict(meta or {}),
            "expected_s": float(request.expected_seconds()),
            "lease_owner": self.owner, "lease_until": leases.now() + leases.lease_length(self.clock),
        })
        with self._lock:
            self._held.add(job_id)
            self._requests[job_id] = request
            self._plan[job_id] = steps.Next(steps.SUBMIT, self.clock.now())
        self._wake.set()
        return job_id

    def cancel(self, job_id: str) -> bool:
        """Stop local work on a job; False if it had already ended."""
        record = self.journal.record(job_id)
        if record is None or not self.journal.update(
                job_id, self.clock.wall(), only_states=ACTIVE_STATES, state=CANCELLED,
                error=CANCEL_NOTE):
            return False
        self.emit(Event("cancelled", job_id, record.task_id, CANCELLED, record.progress,
                        files=record.files, message=CANCEL_NOTE))
        with self._lock:
            self._plan.pop(job_id, None)
            self._held.discard(job_id)
            stop = self._job_cancel.get(job_id)
        if stop is not None:
            stop.set()
        self.journal.release(self.owner, [job_id])
        self._wake.set()
        return True

    def drain(self, max_events: int | None = None) -> list[Event]:
        """Pending events, oldest first. Main thread; never blocks, no I/O."""
        out = []
        pop = self._events.popleft
        limit = len(self._events) if max_events is None else min(max_events, len(self._events))
        for _ in range(limit):
            try:
                out.append(pop())
            except IndexError:
                break
        return out

    def jobs(self, limit: int = 200) -> list[JobRecord]:
        return self.journal.records(limit)

    def job(self, job_id: str) -> JobRecord | None:
        return self.journal.record(job_id)

    def active_count(self) -> int:
        """Jobs this engine is working on (cheap: no journal read)."""
        return len(self._held)

    def wait(self, job_ids: Iterable[str] | None = None, timeout: float | None = None,
             on_event: Callable[[Event], None] | None = None,
             stop: threading.Event | None = None) -> list[JobRecord]:
        """Drain events (to ``on_event``) until the jobs have ended; their records.

        Without ``job_ids``: every job unfinished in the journal when called.
        On timeout (or ``stop`` set) the records are returned as they stand.
        """
        return waiting.until_ended(self, job_ids, timeout, on_event, stop)

    def wait_submitted(self, job_id: str, timeout: float | None = None,
                       on_event: Callable[[Event], None] | None = None) -> JobRecord:
        """Block until the job has a task id (or has ended); its record."""
        return waiting.until_submitted(self, job_id, timeout, on_event)

    def shutdown(self, timeout: float = 2.0) -> None:
        """Stop every thread (within ``timeout``) and hand our jobs back to the journal."""
        self._stop.set()
        self._wake.set()
        with self._lock:
            for stop in self._job_cancel.values():
                stop.set()
        for _ in range(self.workers):
            self._downloads.put(None)
        import time
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with self._lock:
            held = list(self._held)
        # Release at once so the next engine (or the CLI) resumes without waiting for
        # the lease to run out; a POST still under way keeps its lease (→ UNKNOWN later).
        mid_post = {r.job_id for r in self.journal.records(job_ids=held) if r.state == SUBMITTING}
        self.journal.release(self.owner, [j for j in held if j not in mid_post])

    # -- for steps --------------------------------------------------------------
    def emit(self, event: Event) -> None:
        self._events.append(event)

    def request_of(self, job_id: str, row: dict) -> ApiRequest:
        return self._requests.get(job_id) or steps.request_from_row(row)

    def slot_seconds(self) -> float:
        return slot_seconds(self._rate)

    def busy_jobs(self) -> int:
        return max(1, len(self._held))

    def note_finished(self, job_id: str) -> None:
        self.finished_at[job_id] = self.clock.now()

    # -- credentials and clients ---------------------------------------------------
    def _require_credentials(self, provider: str) -> None:
        if provider == "image3d":
            self.settings.require_image3d_token()
        else:
            self.settings.require_key()

    def _default_factory(self, provider, settings, clock, cancel):
        return client_for(provider, settings, clock=clock, cancel=cancel,
                          online_check=self.online_check)

    def _api_client(self, provider: str):
        client = self._clients.get(provider)
        if client is None:
            client = self.client_factory(provider, self.settings, self.clock, self._stop)
            self._clients[provider] = client
        return client

    def _check_wallet(self, client) -> None:
        """Best effort: adopt a higher rate limit the account reports."""
        if not hasattr(client, "wallet"):
            return
        try:
            wallet = client.wallet()
        except BridgeError as exc:
            log.info("wallet check skipped: %s", exc)
            return
        budget = _budget(client)
        if wallet.rate_limit and budget is not None:
            budget.raise_rate(wallet.rate_limit)
        if wallet.rate_limit:
            self._rate = max(self._rate, int(wallet.rate_limit))

    # -- dispatcher ---------------------------------------------------------------
    def _dispatch_loop(self) -> None:
        next_scan = 0.0
        next_renew = 0.0
        try:
            while not self._stop.is_set():
                self._wake.clear()
                if leases.now() >= next_renew:
                    resume.renew(self)
                    next_renew = leases.now() + leases.lease_length(self.clock) / 3
                if self.clock.now() >= next_scan:
                    resume.scan(self)
                    next_scan = self.clock.now() + SCAN_SECONDS
                try:
                    picked, nap = self._pick()
                except Exception:  # a bug must not stop every job: log it, carry on
                    log.exception("dispatcher: choosing the next step failed")
                    picked, nap = None, IDLE_SECONDS
                if picked is None:
                    nap = min(nap, max(0.0, next_scan - self.clock.now()), IDLE_SECONDS,
                              self._renew_nap(next_renew))
                    self.clock.sleep(max(nap, 0.001), self._wake)
                    continue
                job_id, step = picked
                self._run_api_step(job_id, step)
        finally:
            self.journal.close_thread()

    def _renew_nap(self, next_renew: float) -> float:
        scale = max(1.0, float(getattr(self.clock, "scale", 1.0)))
        return max(0.0, (next_renew - leases.now()) * scale)

    def _pick(self) -> tuple[tuple[str, steps.Next] | None, float]:
        """The API step to run now (polls of probably-finished jobs first), or how long to nap."""
        now = self.clock.now()
        with self._lock:
            for job_id, step in list(self._plan.items()):
                if step.action == steps.DOWNLOAD and step.delay <= now:
                    del self._plan[job_id]
                    self._downloads.put(job_id)
            due = [(step.delay, job_id, step) for job_id, step in self._plan.items()
                   if step.delay <= now]
            if not due:
                later = [s.delay - now for s in self._plan.values()]
                return None, min(later, default=IDLE_SECONDS)

            def rank(item):
                delay, _, step = item
                group = 0 if (step.action == steps.POLL and step.likely_done) else (
                    1 if step.action == steps.SUBMIT else 2)
                return group, delay
            _, job_id, step = min(due, key=rank)
        provider = self._provider_of(job_id)
        try:
            client = self._api_client(provider)
        except ConfigError as exc:
            self._reschedule_config(job_id, step, exc)
            return None, 0.0
        # Pace calls one slot apart instead of spending a window's slots in one burst:
        # a burst of submits would leave polls of finished jobs waiting a whole window.
        pace = self._last_call + self.slot_seconds() * PACE_FRACTION - self.clock.now()
        if pace > 0:
            return None, pace
        budget = _budget(client)
        if budget is not None:
            wait = budget.next_slot_in(SUBMIT_PRIORITY if step.action == steps.SUBMIT
                                       else POLL_PRIORITY)
            if wait > 0:
                return None, wait  # choose again when the slot is free: priorities may change
        if provider not in self._wallet_checked and self._last_call > float("-inf"):
            # Once, in the slot after the first call: the first job is not held back by it.
            self._wallet_checked.add(provider)
            self._last_call = self.clock.now()
            self._check_wallet(client)
            return None, 0.0
        with self._lock:
            if self._plan.get(job_id) is not step:
                return None, 0.0
            del self._plan[job_id]
        self._last_call = self.clock.now()
        return (job_id, step), 0.0

    def _provider_of(self, job_id: str) -> str:
        request = self._requests.get(job_id)
        if request is not None:
            return request.PROVIDER
        row = self.journal.row(job_id)
        return row["provider"] if row else "3daistudio"

    def _reschedule_config(self, job_id: str, step: steps.Next, exc: ConfigError) -> None:
        # No key for this provider in this process: leave the job to one that has it.
        self.journal.update(job_id, self.clock.wall(), error=str(exc))
        with self._lock:
            self._plan.pop(job_id, None)
            self._held.discard(job_id)
        self.journal.release(self.owner, [job_id])

    def _run_api_step(self, job_id: str, step: steps.Next) -> None:
        if self.online_check is not None and not self.online_check():
            if job_id not in self._told_offline:  # say it once, not every 5 s
                self._told_offline.add(job_id)
                self.emit(Event("progress", job_id, message=OFFLINE_NOTE))
            self._schedule(job_id, steps.Next(step.action, 5.0, step.likely_done))
            return
        self._told_offline.discard(job_id)
        client = self._clients[self._provider_of(job_id)]
        try:
            if step.action == steps.SUBMIT:
                following = steps.submit(self, job_id, client)
            else:
                following = steps.poll(self, job_id, client)
        except Exception:  # a bug must not kill the dispatcher; the job is retried
            log.exception("job %s: %s step crashed", job_id, step.action)
            following = steps.Next(step.action, retry_delay(3, self.rng), step.likely_done)
        self._after(job_id, following)

    def _after(self, job_id: str, following: steps.Next | None) -> None:
        if following is None:
            self._forget(job_id)
        elif following.action == steps.DOWNLOAD and following.delay <= 0:
            self._downloads.put(job_id)
        else:
            self._schedule(job_id, following)

    def _schedule(self, job_id: str, step: steps.Next) -> None:
        with self._lock:
            if job_id in self._held and not self._stop.is_set():
                self._plan[job_id] = steps.Next(step.action, self.clock.now() + step.delay,
                                                step.likely_done)
        self._wake.set()

    def _forget(self, job_id: str) -> None:
        record = self.journal.record(job_id)
        if record is not None and record.state in ACTIVE_STATES and record.state != SUBMITTING:
            return  # still ours to finish later (e.g. shutting down mid-step): keep the lease
        with self._lock:
            self._plan.pop(job_id, None)
            self._held.discard(job_id)
            self._requests.pop(job_id, None)
        if record is not None and record.state not in ACTIVE_STATES:
            self.journal.release(self.owner, [job_id])

def _budget(client):
    return getattr(getattr(client, "transport", None), "budget", None)
