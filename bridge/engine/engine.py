"""JobEngine: jobs run on background threads, events come back through a queue.

Threads and what they do (none of them ever touches Blender; each is
supervised: a crash is logged, told to the user as a notice, and the thread
starts again):

- one *dispatcher* chooses the next API call and paces it by the key's rate
  budget (a poll of a job that is probably finished goes ahead of a new
  submit: results are waited for, a submit only starts a clock), then hands
  it to a caller. It also renews leases, picks up unfinished jobs from the
  journal (a restart, or another process that died) and writes what a
  locked journal refused earlier.
- ``api_workers`` *callers* send the calls. One slow answer (a status
  trickling in a byte at a time) holds one caller until the transport's
  deadline; the others keep polling and submitting.
- ``workers`` *download* threads fetch, check and unpack results, which take
  no request slot.

The main thread calls ``submit`` (validates, writes the journal row,
returns), ``drain`` (pops a deque: no lock, no I/O) and ``cancel``.
Every wait sleeps on the injected clock with an event that ``shutdown`` sets.
"""

from __future__ import annotations

import collections
import contextlib
import functools
import queue
import random
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from ..api.base import ApiRequest
from ..api.chains import ChainStep, check_chain
from ..client import client_for
from ..clock import SYSTEM_CLOCK, Clock
from ..errors import ConfigError, scrub
from ..ratebudget import OTHER, RateBudget
from ..ratebudget import POLL as POLL_PRIORITY
from ..ratebudget import SUBMIT as SUBMIT_PRIORITY
from . import (
    cancelling,
    fetching,
    holds,
    inputs,
    intake,
    leases,
    letgo,
    pending,
    polling,
    resume,
    submitting,
    waiting,
)
from .clients import Clients
from .journal import DamagedRowError, Journal, JournalError
from .model import ACTIVE_STATES, CANCELLED, RUNNING, SUBMITTING, Event, JobRecord
from .schedule import long_pause_notice, rank_call, slot_seconds
from .step_context import DOWNLOAD, INPUTS, KEY_WAIT, LET_GO, PARKED, SUBMIT, Next, Settlement, StepContext
from .supervise import Notices, supervised
from .table import JobTable

OFFLINE_NOTE = ("Waiting: online access is turned off (Preferences > System > Network > "
                "Allow Online Access); nothing is sent until it is on.")

SCAN_SECONDS = 30.0      # clock seconds between looks for orphaned journal jobs
IDLE_SECONDS = 5.0       # longest dispatcher nap when nothing is due
JOURNAL_RETRY_S = 5.0    # clock seconds before a step the journal refused runs again
API_WORKERS = 4          # calls in flight at once; more than one so a slow answer holds no one


class JobEngine:
    def __init__(self, settings, home: Path | str | None = None, clock: Clock = SYSTEM_CLOCK,
                 client_factory: Callable | None = None,
                 online_check: Callable[[], bool] | None = None, workers: int = 2,
                 api_workers: int = API_WORKERS):
        self.settings = settings
        self.home = Path(home if home is not None else settings.home)
        self.clock = clock
        self.online_check = online_check
        self.client_factory = client_factory or self._default_factory
        self.workers = max(1, int(workers))
        self.api_workers = max(1, int(api_workers))
        self.journal = Journal(self.home)
        self.owner = leases.new_owner_id()
        self.rng = random.Random()
        self.min_poll_interval = min(2.0, float(settings.poll_interval))
        self.table = JobTable()
        self.finished_at: dict[str, float] = {}     # job_id -> clock time FINISHED was seen
        self._events: collections.deque[Event] = collections.deque()
        self.notices = Notices(self.emit, clock)
        self.pending = pending.PendingWrites(self.journal, self.owner)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._downloads: queue.SimpleQueue = queue.SimpleQueue()
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._in_flight = 0                            # API calls being sent
        self._downloading = 0                          # downloads being fetched
        self._in_flight_lock = threading.Lock()
        self._settled = threading.Event()              # a call or a download just ended
        self._threads: list[threading.Thread] = []
        self.clients = Clients(settings, clock, self.client_factory, self.journal, self._stop,
                               self._on_long_pause)
        self._wallet_checked: set[str] = set()
        self._calls_made = 0
        self._started = False
        self._told_offline: set[str] = set()
        #: Jobs let go until the key changes, or for good after a step crashed on them.
        self.let_go = letgo.LetGo(self.journal, self.owner, self.table)
        self._rescan = False
        self.ctx = StepContext(
            journal=self.journal, clock=clock, emit=self.emit, owner=self.owner, rng=self.rng,
            request_of=self._request_of, slot_seconds=self.slot_seconds,
            busy_jobs=lambda: max(1, self.table.count()), poll_floor=lambda: self.min_poll_interval,
            progress_every=lambda: float(self.settings.poll_interval), defer=self._defer,
            note_finished=self._note_finished, clean=self._clean)

    # -- public interface ------------------------------------------------------
    def start(self) -> "JobEngine":
        if self._started:
            return self
        self._started = True
        # Before anything waits on the journal: a job whose task id came late is unfinished.
        self._housekeep(self._follow_known_tasks)
        close = self.journal.close_thread
        self._threads.append(supervised("dispatch", self._dispatch_loop, self._stop,
                                        self.notices, close))
        for n in range(self.api_workers):
            self._threads.append(supervised(f"call-{n}", self._call_loop, self._stop,
                                            self.notices, close))
        for n in range(self.workers):
            self._threads.append(supervised(f"download-{n}", self._download_loop, self._stop,
                                            self.notices, close))
        for thread in self._threads:
            thread.start()
        return self

    def submit(self, request: ApiRequest, output_dir=None, label: str | None = None,
               meta: dict | None = None, inputs: dict[str, str] | None = None,
               download: bool = True) -> str:
        """Validate, journal, queue; returns the local job id. Never touches the network.

        ``inputs`` (request field → job id) makes a chained job: journaled now,
        WAITING until those jobs are DONE, then sent with their result URLs in
        those fields. ``download=False``: the job ends DONE with its result
        addresses (``JobRecord.assets``) and downloads nothing.
        """
        inputs = dict(inputs or {})
        request = intake.with_placeholders(request, inputs)
        self._require_credentials(request.PROVIDER)
        job_id = intake.new_id()
        out_dir = intake.out_dir_for(self.home, output_dir, job_id)
        now = self.clock.wall()
        intake.check_sources(self.journal, inputs, now)
        row = intake.job_row(request, job_id=job_id, out_dir=out_dir, label=label, meta=meta,
                             inputs=inputs, download=download, now=now)
        self._journal_new([row], [None if inputs else request])
        return job_id

    def submit_chain(self, steps: list[ChainStep], output_dir=None, label: str | None = None,
                     meta: dict | None = None) -> list[str]:
        """Journal every step of a chain at once (all checked first); their job ids, in order.

        Each step is an ordinary job (journaled before its POST, never sent
        twice) that waits for the steps it takes addresses from; they share
        ``JobRecord.chain`` and carry ``chain_step``/``chain_steps``/``step_label``
        in ``meta``. ``bridge.api.chains.total_credits(steps)`` is the cost.
        """
        requests = check_chain(steps)   # every step, before anything else
        for provider in {request.PROVIDER for request in requests}:
            self._require_credentials(provider)
        chain = intake.new_id()
        out_dir = intake.out_dir_for(self.home, output_dir, chain)
        job_ids, rows = intake.chain_rows(steps, requests, chain=chain, out_dir=out_dir,
                                          label=label, meta=meta, now=self.clock.wall())
        self._journal_new(rows, [None if step.inputs else request
                                 for step, request in zip(steps, requests)])
        return job_ids

    def adopt(self, task_id: str, provider: str = "3daistudio", label: str | None = None,
              output_dir=None, meta: dict | None = None, download: bool = True) -> str:
        """Follow a task submitted elsewhere (the website, another machine); its job id.

        Journaled RUNNING and polled and downloaded like any job; nothing is
        charged. A task already followed in the journal gives that job's id.
        The service answers 404 for a task of another key, 410 once its
        results expired (24 h after it finished).
        """
        task_id = intake.check_task_id(task_id, provider)
        self._require_credentials(provider)
        found = intake.existing(self.journal, provider, task_id)
        if found is not None:
            return found.job_id
        job_id = intake.new_id()
        out_dir = intake.out_dir_for(self.home, output_dir, job_id)
        row = intake.adopt_row(task_id, provider, job_id=job_id, out_dir=out_dir, label=label,
                               meta=meta, download=download, now=self.clock.wall())
        # Looked up again and inserted in one transaction: two imports at once, one job.
        return self._journal_new([row], [None], following=True)

    def chain(self, chain: str) -> list[JobRecord]:
        """The steps of a chain, first to last."""
        return self.journal.records_in_chain(chain)

    def _journal_new(self, rows: list[dict], requests: list[ApiRequest | None],
                     following: bool = False) -> str:
        """Insert and plan ``rows``; the first one's job id (with ``following``: a task to
        follow, inserted only if no job follows it yet — else the id of the one that does)."""
        until = leases.now() + leases.lease_length(self.clock)
        leased = [{**row, "lease_owner": self.owner, "lease_until": until} for row in rows]
        if following:
            found = self.journal.insert_following(leased[0])
            if found != rows[0]["job_id"]:
                return found
        else:
            self.journal.insert_all(leased)
        now = self.clock.now()
        for row, request in zip(rows, requests):
            job_id = row["job_id"]
            # A waiting job's request changes when its inputs arrive: read it from the row.
            self.table.hold(job_id, row["provider"], request)
            self.table.plan(job_id, Next(resume.FIRST_STEP[row["state"]], 0.0,
                                         likely_done=row["state"] == RUNNING), now)
        self._wake.set()
        return rows[0]["job_id"]

    def cancel(self, job_id: str) -> bool:
        """Stop local work on a job; False if it had already ended.

        Jobs waiting for its result (its later steps) are cancelled too: unsent,
        they cost nothing.
        """
        cancelled = cancelling.cancel(self.ctx, self.table, job_id)
        self._wake.set()
        return cancelled

    def cancel_chain(self, chain: str) -> list[str]:
        """Cancel every unfinished step of a chain (those not sent yet cost nothing); their ids."""
        active = [r.job_id for r in self.journal.records_in_chain(chain) if r.active]
        for job_id in active:
            self.cancel(job_id)   # the first cancels those waiting for it as well
        return [r.job_id for r in self.journal.records(job_ids=active) if r.state == CANCELLED
                ][::-1]

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
        return self.table.count()

    def wait(self, job_ids: Iterable[str] | None = None, timeout: float | None = None,
             on_event: Callable[[Event], None] | None = None,
             stop: threading.Event | None = None) -> list[JobRecord]:
        """Drain events (to ``on_event``) until the jobs have ended; their records.

        Without ``job_ids``: every job unfinished in the journal when called.
        On timeout (or ``stop`` set) the records are returned as they stand.
        """
        return waiting.until_ended(self._wait_view(), job_ids, timeout, on_event, stop)

    def wait_submitted(self, job_id: str, timeout: float | None = None,
                       on_event: Callable[[Event], None] | None = None) -> JobRecord:
        """Block until the job has a task id (or has ended); its record."""
        return waiting.until_submitted(self._wait_view(), job_id, timeout, on_event)

    def shutdown(self, timeout: float = 2.0) -> None:
        """Stop every thread (within ``timeout``) and hand our jobs back to the journal."""
        self._stop.set()
        self._wake.set()
        self.table.signal_cancel()
        for _ in range(self.workers):
            self._downloads.put(None)
        for _ in range(self.api_workers):
            self._calls.put(None)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        with contextlib.suppress(JournalError):
            self.pending.flush(self.clock.wall(), self.emit)
        self.pending.close()
        self.clients.close()
        held = self.table.held()
        # Release at once so the next engine (or the CLI) resumes without waiting for
        # the lease to run out; a POST still under way keeps its lease (→ UNKNOWN later).
        with contextlib.suppress(JournalError):
            mid_post = {r.job_id for r in self.journal.records(job_ids=held)
                        if r.state == SUBMITTING}
            self.journal.release(self.owner, [j for j in held if j not in mid_post])

    def credentials_changed(self) -> None:
        """The key, token or URL in ``settings`` changed (updated in place by the caller).

        Every thread builds its clients anew, and the jobs let go for want of a
        valid key are taken up again at once. Main thread; cheap, never blocks.
        """
        self.clients.renew()
        self.let_go.key_changed()
        self._rescan = True
        self._wake.set()

    def waiting_for_key(self, job_id: str) -> bool:
        """True while this engine holds ``job_id`` back until the key changes."""
        return self.let_go.waits_for_key(job_id)

    def emit(self, event: Event) -> None:
        if event.message:
            event.message = self._clean(event.message)
        self._events.append(event)

    def _clean(self, text: str) -> str:
        """``text`` without this engine's credentials (service texts can echo them)."""
        return scrub(text, self.settings.api_key, self.settings.image3d_token)

    def slot_seconds(self) -> float:
        return slot_seconds(self.clients.current_rate())

    # -- what the parts are given ------------------------------------------------
    def _request_of(self, job_id: str, row: dict) -> ApiRequest:
        return self.table.request(job_id) or submitting.request_from_row(row)

    def _note_finished(self, job_id: str) -> None:
        self.finished_at[job_id] = self.clock.now()

    def _wait_view(self) -> waiting.WaitView:
        return waiting.WaitView(self.journal, self.clock, self.drain, self.table.is_held,
                                self._stop.is_set, self._busy, self._settled,
                                self.let_go.__contains__)

    def _busy(self) -> bool:
        """Work is under way that ends in real time, whatever the clock says."""
        return bool(self._in_flight or self._downloading)

    def _defer(self, settlement: Settlement) -> None:
        on_disk = self.pending.add(settlement)
        self.notices.say("journal-deferred", pending.deferred_notice(
            settlement, self.journal.path, self.pending.path if on_disk else None))
        self._wake.set()

    def _journal_trouble(self, exc: JournalError) -> None:
        self.notices.say("journal", str(exc))

    def _on_long_pause(self, asked: float, paused: float) -> None:
        self.notices.say("long-pause", long_pause_notice(asked, paused))

    # -- credentials ---------------------------------------------------------------
    def _require_credentials(self, provider: str) -> None:
        if provider == "image3d":
            self.settings.require_image3d_token()
        else:
            self.settings.require_key()

    def _default_factory(self, provider, settings, clock, cancel):
        return client_for(provider, settings, clock=clock, cancel=cancel,
                          online_check=self.online_check)

    # -- dispatcher ---------------------------------------------------------------
    def _dispatch_loop(self) -> None:
        next_scan = 0.0
        next_renew = 0.0
        while not self._stop.is_set():
            self._wake.clear()
            if leases.now() >= next_renew:
                self._housekeep(self._renew)
                next_renew = leases.now() + leases.lease_length(self.clock) / 3
            if self._rescan:
                self._rescan, next_scan = False, 0.0
            if self.clock.now() >= next_scan:
                self._housekeep(self._scan)
                next_scan = self.clock.now() + SCAN_SECONDS
            if len(self.pending):
                self._housekeep(self._flush_pending)
            picked, nap = self._pick()
            if picked is None:
                nap = min(nap, max(0.0, next_scan - self.clock.now()), IDLE_SECONDS,
                          self._renew_nap(next_renew), 1.0 if len(self.pending) else IDLE_SECONDS)
                # A call or download under way ends in real time: give it a moment before
                # moving on, so an injected fast clock does not race past it.
                if nap > 0 and self._busy() and self._wake.wait(0.05):
                    continue
                self.clock.sleep(max(nap, 0.001), self._wake)
                continue
            self._start_call(functools.partial(self._call_step, *picked))

    def _housekeep(self, work: Callable[[], None]) -> None:
        try:
            work()
        except JournalError as exc:  # a locked or failing journal: say so, carry on
            self._journal_trouble(exc)

    def _renew_nap(self, next_renew: float) -> float:
        scale = max(1.0, float(getattr(self.clock, "scale", 1.0)))
        return max(0.0, (next_renew - leases.now()) * scale)

    def _renew(self) -> None:
        until = leases.now() + leases.lease_length(self.clock)
        for job_id in resume.renew(self.journal, self.owner, self.table.held(), until):
            self.table.drop(job_id)  # another engine took it while we stalled

    def _scan(self) -> None:
        for _ in pending.replay_orphans(self.journal, self.clock.wall(), self.emit):
            pass
        self._follow_known_tasks()
        now = leases.now()
        until = now + leases.lease_length(self.clock)
        for job_id in resume.claim_orphans(self.journal, self.owner, self._held_or_waiting,
                                           until, now):
            try:
                row = self.journal.row(job_id)
            except DamagedRowError as exc:
                self.let_go.damaged(job_id, exc, self.notices)
                continue
            if row is not None and holds.held_for_user(self.journal, row):
                self._leave_to_user(row)   # its command gave up on it: never sent from here
                continue
            if row is None or not self.table.hold(job_id, row["provider"]):
                continue
            following, event = resume.resumed(self.journal, row, self.clock.wall())
            if event is not None:
                self.emit(event)
            self._after(job_id, following)

    def _follow_known_tasks(self) -> None:
        for job_id in self.journal.follow_known_tasks(self.clock.wall(), resume.KNOWN_TASK_NOTE):
            self.emit(Event("progress", job_id, state=RUNNING, message=resume.KNOWN_TASK_NOTE))

    def _held_or_waiting(self, job_id: str) -> bool:
        return self.table.is_held(job_id) or job_id in self.let_go

    def _leave_to_user(self, row: dict) -> None:
        job_id = row["job_id"]
        if holds.cancel_unsent(self.journal, job_id, holds.ORPHAN_NOTE, self.clock.wall()):
            self.emit(Event("cancelled", job_id, None, CANCELLED,
                            message=holds.ORPHAN_NOTE.replace("{job}", job_id)))
        self.journal.release(self.owner, [job_id])

    def _flush_pending(self) -> None:
        for job_id, following in self.pending.flush(self.clock.wall(), self.emit):
            self._after(job_id, following)
        if not len(self.pending):
            self.notices.clear("journal-deferred")

    def _pick(self) -> tuple[tuple | None, float]:
        """The API step to send now (polls of probably-finished jobs first), or how long to nap."""
        now = self.clock.now()
        for job_id in self.table.take_due_downloads(now):
            self._downloads.put(job_id)
        for job_id in self.table.take_due(INPUTS, now):
            self._check_inputs(job_id)   # journal reads only: no request slot, no caller
        due = self.table.due_calls(now)
        if not due:
            return None, self.table.next_due_in(now, IDLE_SECONDS)
        if self._in_flight >= self.api_workers:
            return None, IDLE_SECONDS  # a caller that finishes wakes us
        job_id, step = min(due, key=rank_call)
        if self.online_check is not None and not self.online_check():
            if job_id not in self._told_offline:  # say it once, not every 5 s
                self._told_offline.add(job_id)
                self.emit(Event("progress", job_id, message=OFFLINE_NOTE))
            self._schedule(job_id, Next(step.action, 5.0, step.likely_done))
            return None, 0.0
        self._told_offline.discard(job_id)
        provider = self.table.provider(job_id) or "3daistudio"
        try:
            client = self.clients.client(provider)
        except ConfigError as exc:
            self._housekeep(functools.partial(self._reschedule_config, job_id, exc))
            return None, 0.0
        budget, spends = self.clients.budget(provider, client)
        if provider not in self._wallet_checked and self._calls_made:
            # Once, in the slot after the first call: the first job is not held back by it.
            wait, grant = budget.claim(OTHER)
            if wait > 0:
                return None, wait
            self._wallet_checked.add(provider)
            self._start_call(lambda: self._spend(budget, grant, spends,
                                                 lambda: self.clients.check_wallet(provider)))
            return None, 0.0
        wait, grant = budget.claim(SUBMIT_PRIORITY if step.action == SUBMIT else POLL_PRIORITY)
        if wait > 0:
            return None, wait  # choose again when the slot is free: priorities may change
        if not self.table.take(job_id, step):
            budget.release(grant)
            return None, 0.0
        self._calls_made += 1
        return (job_id, step, budget, grant, spends), 0.0

    def _reschedule_config(self, job_id: str, exc: ConfigError) -> None:
        # No usable key here: leave the job to a process that has one, until the key changes.
        self.let_go.release(job_id, self.let_go.no_key(job_id, exc, self.clock.wall(),
                                                       self.emit).action)

    def _check_inputs(self, job_id: str) -> None:
        try:
            following = inputs.check(self.ctx, job_id)
        except JournalError as exc:
            self._journal_trouble(exc)
            following = Next(INPUTS, JOURNAL_RETRY_S)
        except Exception as exc:  # a bug: said on the job, which is let go (never a silent loop)
            following = self._crashed(job_id, INPUTS, exc)
        self._after(job_id, following)

    # -- callers and downloaders ------------------------------------------------------
    def _start_call(self, work: Callable[[], None]) -> None:
        with self._in_flight_lock:
            self._in_flight += 1
        self._calls.put(work)

    def _call_loop(self) -> None:
        while not self._stop.is_set():
            work = self._calls.get()
            if work is None:
                return
            try:
                work()
            finally:
                with self._in_flight_lock:
                    self._in_flight -= 1
                self._settled.set()
                self._wake.set()

    @staticmethod
    def _spend(budget: RateBudget, grant, spends: bool, work: Callable[[], None]) -> None:
        with budget.spending(grant) if spends else contextlib.nullcontext():
            work()

    def _call_step(self, job_id: str, step: Next, budget: RateBudget, grant, spends: bool) -> None:
        try:
            client = self.clients.client(self.table.provider(job_id) or "3daistudio")
            run = submitting.submit if step.action == SUBMIT else polling.poll
            with budget.spending(grant) if spends else contextlib.nullcontext():
                following = run(self.ctx, job_id, client)
        except JournalError as exc:
            self._journal_trouble(exc)
            following = Next(step.action, JOURNAL_RETRY_S, step.likely_done)
        except Exception as exc:  # a bug: said on the job, which is let go (never a silent loop)
            following = self._crashed(job_id, step.action, exc)
        self._after(job_id, following)

    def _download_loop(self) -> None:
        while not self._stop.is_set():
            job_id = self._downloads.get()
            if job_id is None or self._stop.is_set():
                return
            if not self.table.is_held(job_id):
                continue
            cancel = self.table.cancel_event(job_id)
            with self._in_flight_lock:
                self._downloading += 1
            try:
                client = self.client_factory(self.table.provider(job_id) or "3daistudio",
                                             self.settings, self.clock, cancel)
                following = fetching.download(self.ctx, job_id, client, cancel)
            except ConfigError as exc:   # no usable key: said, and taken up when it changes
                following = self.let_go.no_key(job_id, exc, self.clock.wall(), self.emit)
            except JournalError as exc:
                self._journal_trouble(exc)
                following = Next(DOWNLOAD, JOURNAL_RETRY_S)
            except Exception as exc:  # keep the thread alive; the job says why it stopped
                following = self._crashed(job_id, DOWNLOAD, exc)
            finally:
                self.table.release_cancel(job_id)
                with self._in_flight_lock:
                    self._downloading -= 1
                self._settled.set()
            if following is not None and following.action == DOWNLOAD:
                self._schedule(job_id, following)  # retried later via the dispatcher
            else:
                self._after(job_id, following)

    # -- after a step -------------------------------------------------------------------
    def _after(self, job_id: str, following: Next | None) -> None:
        if following is None:
            self._forget(job_id)
        elif following.action == PARKED:
            pass  # held, planned again once the journal has taken its write
        elif following.action in (KEY_WAIT, LET_GO):
            # Let go (until the key changes); another process may take it up meanwhile.
            self._housekeep(lambda: self.let_go.release(job_id, following.action))
            self._wake.set()
        elif following.action == DOWNLOAD and following.delay <= 0:
            self._downloads.put(job_id)
            self.table.hurry(INPUTS, self.clock.now())   # its addresses are known now
        else:
            self._schedule(job_id, following)

    def _crashed(self, job_id: str, step: str, exc: BaseException) -> Next:
        return self.let_go.crashed(job_id, step, exc, self.clock.wall(), self._clean, self.emit)

    def _schedule(self, job_id: str, step: Next) -> None:
        if not self._stop.is_set():
            self.table.plan(job_id, step, self.clock.now())
        self._wake.set()

    def _forget(self, job_id: str) -> None:
        try:
            record = self.journal.record(job_id)
        except JournalError as exc:  # cannot tell: let the lease run out, a scan decides
            self._journal_trouble(exc)
            self.table.drop(job_id)
            return
        if record is not None and record.state in ACTIVE_STATES and record.state != SUBMITTING:
            return  # still ours to finish later (e.g. shutting down mid-step): keep the lease
        self.table.drop(job_id)
        if record is not None and record.state not in ACTIVE_STATES:
            self._housekeep(lambda: self.journal.release(self.owner, [job_id]))
            # Jobs waiting for its result look now instead of at their next check.
            self.table.hurry(INPUTS, self.clock.now())
            self._wake.set()
