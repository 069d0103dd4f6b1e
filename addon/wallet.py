"""The balance shown in the panel: fetched on a thread, at start and after every job ends.

Operators never wait on the network, so a short-lived thread asks the
service (through the same per-key rate budget as the engine) and leaves the
answer in ``session.STATE``; the pump notices ``wallet_changed`` and redraws.
"""

from __future__ import annotations

import dataclasses
import threading

from ..bridge import errors
from . import online, session


def refresh(context=None) -> str:
    """Start fetching the balance; '' when under way, else why not (offline, no key)."""
    if not online.network_allowed():
        return online.offline_message()
    # A copy: the thread must not see the main thread change the settings under it.
    settings = dataclasses.replace(session.refresh_settings(context))
    from .operators.submit import require_credential
    try:
        require_credential(settings)
    except errors.ConfigError as exc:
        return str(exc)
    running = session.STATE.wallet_thread
    if running is not None and running.is_alive():
        return ""  # one answer is on its way already
    # Set when the engine stops: the thread quits its retries and drops a late answer.
    cancel = threading.Event()
    thread = threading.Thread(target=_fetch, args=(settings, cancel), daemon=True,
                              name="aistudio-wallet")
    thread.cancel = cancel
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


def _fetch(settings, cancel: threading.Event) -> None:
    # Worker thread: plain Python only; the pump notices STATE.wallet_changed.
    from ..bridge import client as client_mod
    try:
        wallet = client_mod.client_for("3daistudio", settings, cancel=cancel,
                                       online_check=lambda: session.STATE.online).wallet()
    except errors.BridgeError as exc:
        if not cancel.is_set():
            session.STATE.wallet_error = str(exc)
            session.STATE.wallet_changed = True
        return
    if not cancel.is_set():
        session.STATE.wallet = str(wallet)
        session.STATE.wallet_changed = True
