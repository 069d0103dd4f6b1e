"""The balance shown in the panel: fetched on a thread, at start and after every job ends.

Operators never wait on the network, so a short-lived thread asks the
service (through the same per-key rate budget as the engine). Like every
worker, it never writes ``session.STATE``: it puts its answer on its own
queue, and the pump (main thread) takes it with :func:`apply_answers`.
"""

from __future__ import annotations

import dataclasses
import queue
import threading

from ...bridge import client as client_mod
from ...bridge import errors
from .. import preferences
from . import online, session


def refresh(context=None) -> str:
    """Start fetching the balance; '' when under way, else why not (offline, no key)."""
    if not online.network_allowed():
        return online.offline_message()
    # A copy: the thread must not see the main thread change the settings under it.
    settings = dataclasses.replace(session.refresh_settings(context))
    try:
        preferences.require_credential(settings)
    except errors.ConfigError as exc:
        return str(exc)
    running = session.STATE.wallet_thread
    if running is not None and running.is_alive():
        return ""  # one answer is on its way already
    # Set when the engine stops: the thread quits its retries and drops a late answer.
    cancel = threading.Event()
    answers: queue.SimpleQueue = queue.SimpleQueue()
    thread = threading.Thread(target=_fetch, args=(settings, cancel, answers), daemon=True,
                              name="aistudio-wallet")
    thread.cancel, thread.answers = cancel, answers
    session.STATE.wallet_thread = thread
    session.STATE.wallet_error = ""
    thread.start()
    return ""


def refresh_when_due() -> None:
    """Called by the pump: fetch if a job ended (or the session started) since the last fetch."""
    state = session.STATE
    if not state.wallet_due:
        return
    running = state.wallet_thread
    if running is not None and running.is_alive():
        return  # ask again once this answer is in: the job that just ended may not be in it
    state.wallet_due = False
    refresh()  # quietly: no key or offline simply means no balance to show


def apply_answers() -> bool:
    """Main thread (the pump): the fetch's answer into ``STATE``; True if one came.

    An answer of a fetch the engine's stop let go of is never read: that
    thread is no longer ``STATE.wallet_thread``.
    """
    answers = getattr(session.STATE.wallet_thread, "answers", None)
    changed = False
    while answers is not None:
        try:
            balance, error = answers.get_nowait()
        except queue.Empty:
            break
        if error:
            session.STATE.wallet_error = error   # the last balance stays shown beside it
        else:
            session.STATE.wallet = balance
        changed = True
    return changed


def _fetch(settings, cancel: threading.Event, answers: queue.SimpleQueue) -> None:
    # Worker thread: plain Python only, no bpy and no STATE; the answer goes on *answers*.
    try:
        wallet = client_mod.client_for("3daistudio", settings, cancel=cancel,
                                       online_check=lambda: session.STATE.online).wallet()
    except errors.BridgeError as exc:
        if not cancel.is_set():
            answers.put(("", str(exc)))
        return
    if not cancel.is_set():
        answers.put((str(wallet), ""))
