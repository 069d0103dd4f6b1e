"""The add-on's one JobEngine and the in-memory cache the UI draws from.

Drawing code must never touch the network or the journal on disk, so the
pump copies what it learns from engine events into :data:`STATE` (plain
Python objects) and panels read only that. Worker threads never see ``bpy``:
the engine gets a settings snapshot and an online flag that only the main
thread refreshes.
"""

from __future__ import annotations

import collections
import dataclasses
import json
import time
from pathlib import Path

from ...bridge import client
from ...bridge.clock import SYSTEM_CLOCK
from ...bridge.engine import JobEngine
from ...bridge.engine.journal import FILENAME as JOURNAL_FILENAME
from .. import preferences
from . import online, volumes

# WAITING: a chain's step waiting for the address an earlier step makes (nothing sent yet).
ACTIVE_STATES = ("PREPARING", "WAITING", "QUEUED", "SUBMITTING", "RUNNING", "DOWNLOADING")


@dataclasses.dataclass
class JobView:
    """What the job list shows for one job; updated by the pump only."""

    job_id: str
    label: str = ""
    model: str = ""
    kind: str = ""
    state: str = "QUEUED"
    progress: int = 0
    credits: str = ""
    error: str = ""
    task_id: str = ""
    files: list = dataclasses.field(default_factory=list)
    output_dir: str = ""
    imported: bool = False
    image_names: list = dataclasses.field(default_factory=list)
    meta: dict = dataclasses.field(default_factory=dict)  # what the operator asked (recipe, picture…)
    eta_s: float | None = None       # the engine's latest estimate of the seconds left…
    eta_at: float = 0.0              # …and when it came (time.monotonic())
    volume: dict | None = None       # the volume tool's answer, read once when the job finished
    stage: str = ""                  # what the helper Blender is doing for it now ("Importing"…)
    seconds: float = 0.0             # how long its local work took
    download: bool = True            # False: an address is all it makes (a chain's copy step)
    cost: tuple = ()                 # (low, high) credits, when known: a chain sums its steps'
    left_for_import: bool = False    # finished while its own .blend was not open: waits for Import

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


@dataclasses.dataclass
class State:
    engine: object = None
    settings: object = None          # bridge Settings snapshot shared with the workers
    online: bool = False             # refreshed on the main thread, read by the workers
    jobs: dict = dataclasses.field(default_factory=dict)        # job_id -> JobView
    order: list = dataclasses.field(default_factory=list)       # newest first
    messages: collections.deque = dataclasses.field(
        default_factory=lambda: collections.deque(maxlen=30))  # (level, text, time)
    wallet: str = ""
    wallet_error: str = ""
    wallet_error_told: str = ""       # the balance error last put in the messages
    wallet_due: bool = False         # fetch the balance on the next tick (start, a job ended)
    wallet_thread: object = None     # the fetch under way, joined when the engine stops
    hidden: dict = dataclasses.field(default_factory=dict)  # jobs the user cleared, oldest first
    chains: dict = dataclasses.field(default_factory=dict)  # chain id -> its steps' job ids
    pending_imports: collections.deque = dataclasses.field(default_factory=collections.deque)
    rows_dirty: bool = True          # the WindowManager job rows need rebuilding
    restart_needed: bool = False     # the journal folder changed since the engine started


STATE = State()

#: Overrides for the next engine created (tests inject a clock, a home, workers).
ENGINE_OPTIONS: dict = {}


def add_message(level: str, text: str) -> None:
    STATE.messages.append((level, text, time.time()))
    print(f"AI Studio: {level}: {text}")


def refresh_settings(context=None) -> object:
    """Re-read preferences into the shared settings snapshot (main thread only).

    Updated in place, so clients the engine builds later see a changed key or URL.
    """
    fresh = preferences.current_settings(context, home=ENGINE_OPTIONS.get("home"))
    if STATE.settings is None:
        STATE.settings = fresh
    else:
        moved = str(fresh.home) != str(STATE.settings.home)
        changed = _credentials(fresh) != _credentials(STATE.settings)
        for field in dataclasses.fields(fresh):
            setattr(STATE.settings, field.name, getattr(fresh, field.name))
        if STATE.engine is not None:
            if moved:   # another journal: another engine (apply_changed_credentials)
                STATE.restart_needed = True
            elif changed:   # the same engine builds new clients; jobs waiting for a key go on
                STATE.engine.credentials_changed()
                STATE.wallet_due = True
    STATE.online = online.network_allowed()
    return STATE.settings


def _credentials(settings) -> tuple:
    return (settings.api_key, settings.api_url, settings.image3d_token, settings.image3d_url,
            settings.rate_limit, settings.poll_interval)


def apply_changed_credentials() -> None:
    """Restart the engine after the journal folder changed (a key or URL change needs no
    restart: :func:`refresh_settings` hands it to the running engine)."""
    if STATE.restart_needed and STATE.engine is not None:
        stop_engine()
        start_engine()
        STATE.wallet_due = True  # a new key or service: its balance
    STATE.restart_needed = False


def _client_factory(provider, settings, clock, cancel):
    # Runs in a worker thread: uses only the snapshot, never bpy.
    return client.client_for(provider, STATE.settings or settings, clock=clock, cancel=cancel,
                             online_check=lambda: STATE.online)


def start_engine(context=None):
    """Create and start the session's engine (resumes unfinished journal jobs)."""
    if STATE.engine is not None:
        return STATE.engine
    settings = refresh_settings(context)
    home = Path(ENGINE_OPTIONS.get("home") or settings.home)
    # The journal creates its (private) folder and says which one when it cannot.
    engine = JobEngine(
        settings, home=home, clock=ENGINE_OPTIONS.get("clock", SYSTEM_CLOCK),
        client_factory=ENGINE_OPTIONS.get("client_factory", _client_factory),
        online_check=lambda: STATE.online, workers=ENGINE_OPTIONS.get("workers", 2))
    engine.start()
    STATE.engine = engine
    STATE.restart_needed = False
    load_known_jobs()
    return engine


def resume_on_start(context=None) -> None:
    """At register(): follow unfinished jobs, but only if a journal already exists.

    Nothing is created before first use: a fresh install writes no folder and
    no journal until the first job is submitted.
    """
    STATE.wallet_due = True  # the balance is fetched at start (when online, with a key)
    prefs = preferences.get_prefs(context)
    if prefs is not None and not prefs.resume_on_start:
        return
    settings = refresh_settings(context)
    home = Path(ENGINE_OPTIONS.get("home") or settings.home)
    if (home / JOURNAL_FILENAME).is_file():
        start_engine(context)


def follow_journal(context=None) -> None:
    """The journal folder preference changed: follow the new journal now, not at the next submit.

    The engine on the old journal stops (its jobs stay there, resumable); the
    job list shows the new journal's jobs (local jobs stay), so
    ``aistudio.import_result`` finds them at once. Nothing is created: with
    no journal there yet, the engine starts on the first submit as always.
    """
    settings = refresh_settings(context)
    home = Path(ENGINE_OPTIONS.get("home") or settings.home)
    if STATE.engine is not None and Path(STATE.engine.home) == home:
        return
    if STATE.engine is not None:
        stop_engine()
        for job_id in [j for j, view in STATE.jobs.items() if view.kind != "local"]:
            del STATE.jobs[job_id]
        kept = [j for j in STATE.pending_imports if j in STATE.jobs]
        STATE.pending_imports.clear()
        STATE.pending_imports.extend(kept)
        STATE.order[:] = [j for j in STATE.order if j in STATE.jobs]
        STATE.chains.clear()
        STATE.rows_dirty = True
    STATE.wallet_due = True
    if (home / JOURNAL_FILENAME).is_file():
        start_engine(context)


def stop_engine() -> None:
    engine, STATE.engine = STATE.engine, None
    if engine is not None:
        engine.shutdown(timeout=2.0)
    thread, STATE.wallet_thread = STATE.wallet_thread, None
    if thread is not None:
        thread.cancel.set()  # stops its retries; a late answer is dropped
        thread.join(2.0)


def reset_cache() -> None:
    STATE.jobs.clear()
    STATE.order.clear()
    STATE.messages.clear()
    STATE.pending_imports.clear()
    STATE.chains.clear()
    STATE.wallet = STATE.wallet_error = STATE.wallet_error_told = ""
    STATE.rows_dirty = True


def engine():
    return STATE.engine if STATE.engine is not None else start_engine()


def view_from_record(record, view: JobView | None = None) -> JobView:
    view = view or JobView(record.job_id)
    meta = record.meta or {}
    view.label = record.label or view.label
    view.model = meta.get("model", view.model) or record.provider or ""
    view.kind = record.kind or view.kind
    view.state = record.state or view.state
    view.progress = int(record.progress or 0)
    low, high = record.credits_low, record.credits_high
    if low is not None:
        view.credits = f"{low}" if low == high or high is None else f"{low}–{high}"
        view.cost = (int(low), int(high if high is not None else low))
    view.download = bool(getattr(record, "download", True))
    view.error = record.error or ""
    view.task_id = record.task_id or ""
    view.files = list(record.files or [])
    view.output_dir = str(record.output_dir or "")
    view.imported = view.imported or bool(meta.get("imported"))
    view.meta = dict(meta)
    if view.state == "DONE" and view.volume is None:
        view.volume = volumes.read_report(view.files)
    return view


HIDDEN_FILE = "addon_cleared_jobs.json"
HIDDEN_KEPT = 5000


def _hidden_path() -> Path | None:
    return Path(STATE.engine.home) / HIDDEN_FILE if STATE.engine is not None else None


def _load_hidden() -> None:
    path = _hidden_path()
    try:
        STATE.hidden = dict.fromkeys(json.loads(path.read_text(encoding="utf-8"))) if path else {}
    except (OSError, ValueError, TypeError):
        STATE.hidden = {}  # none cleared yet, or an unreadable file: show everything


def clear_finished() -> int:
    """Drop ended jobs from the list (not from disk, not from the journal); how many went.

    Remembered beside the journal, so the list stays cleared after a restart.
    """
    gone = [j for j in STATE.order if j not in STATE.pending_imports
            and not getattr(STATE.jobs.get(j), "active", False)]
    for job_id in gone:
        view = STATE.jobs.pop(job_id, None)
        for step in STATE.chains.pop((view.meta or {}).get("chain", "") if view else "", ()):
            STATE.jobs.pop(step, None)   # a chain's earlier steps go with its row
    STATE.order[:] = [j for j in STATE.order if j in STATE.jobs]
    STATE.hidden.update(dict.fromkeys(gone))
    STATE.rows_dirty = True
    path = _hidden_path()
    if path is not None and gone:
        try:
            path.write_text(json.dumps(list(STATE.hidden)[-HIDDEN_KEPT:]), encoding="utf-8")
        except OSError as exc:
            add_message("WARNING", f"The cleared list could not be saved ({exc}); it returns after a restart.")
    return len(gone)


#: Called with the journal's records when the list is filled from it (at start).
#: A list the listeners join, so this module needs to know none of them.
HISTORY_LISTENERS: list = []


def load_known_jobs(limit: int = 200) -> None:
    """Fill the cache from the journal once (at start), newest first."""
    if STATE.engine is None:
        return
    _load_hidden()
    records = STATE.engine.jobs(limit=limit)
    for record in records:
        if record.job_id in STATE.hidden and not record.active:
            continue
        if record.job_id not in STATE.jobs:
            add_view(view_from_record(record), front=False)
    STATE.rows_dirty = True
    for listener in HISTORY_LISTENERS:   # e.g. copies that finished while nobody listened
        listener(records)


def track(job_id: str, label: str, model: str, kind: str, credits: str,
          meta: dict | None = None) -> JobView:
    """Show a just-submitted job at once, before the engine's first event."""
    view = STATE.jobs.get(job_id) or JobView(job_id)
    view.label, view.model, view.kind, view.credits = label, model, kind, credits
    view.meta = dict(meta or view.meta)
    STATE.jobs[job_id] = view
    if job_id not in STATE.order:
        STATE.order.insert(0, job_id)
        STATE.rows_dirty = True
    return view


def active_jobs() -> list[JobView]:
    """The list's running rows (a chain counts once)."""
    return [v for v in STATE.jobs.values() if v.active and not is_inner_step(v)]


def newest_jobs(sources, limit: int) -> list[JobView]:
    """The newest jobs whose meta ``source`` is one of *sources*, newest first (panels' results)."""
    found = []
    for job_id in STATE.order:
        view = STATE.jobs.get(job_id)
        if view is not None and view.meta.get("source") in sources:
            found.append(view)
            if len(found) >= limit:
                break
    return found


def is_inner_step(view) -> bool:
    """A chain's step before its last: shown inside its chain's row, never as a row itself."""
    meta = getattr(view, "meta", None) or {}
    return bool(meta.get("chain")) and int(meta.get("chain_step") or 0) < int(meta.get("chain_steps") or 0)


def add_view(view: JobView, front: bool = True) -> JobView:
    """Keep a job's view; it is a row of the list unless it is an inner step of a chain."""
    STATE.jobs[view.job_id] = view
    chain = (view.meta or {}).get("chain")
    if chain and view.job_id not in STATE.chains.setdefault(chain, []):
        STATE.chains[chain].append(view.job_id)
    if not is_inner_step(view) and view.job_id not in STATE.order:
        if front:
            STATE.order.insert(0, view.job_id)
        else:
            STATE.order.append(view.job_id)
        STATE.rows_dirty = True
    return view


def chain_views(view) -> list[JobView]:
    """The steps of *view*'s chain, first to last ([view] for a job on its own)."""
    chain = (getattr(view, "meta", None) or {}).get("chain")
    if not chain:
        return [view]
    steps = [STATE.jobs[j] for j in STATE.chains.get(chain, ()) if j in STATE.jobs]
    return sorted(steps, key=lambda v: int(v.meta.get("chain_step") or 0)) or [view]


def job_record(job_id: str):
    """The engine's journal record of *job_id* (None without an engine, or when unknown)."""
    return STATE.engine.job(job_id) if STATE.engine is not None else None


def track_chain(job_ids: list[str]) -> JobView:
    """Show a just-submitted chain at once: one row (its last step), its steps behind it."""
    for job_id in job_ids:
        record = job_record(job_id)
        add_view(view_from_record(record, STATE.jobs.get(job_id)) if record else JobView(job_id))
    return STATE.jobs[job_ids[-1]]
