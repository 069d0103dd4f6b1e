"""The session's one helper Blender, as the add-on's main thread sees it.

``get()`` hands out the :class:`service.Helper` (created on first use; its
owner thread starts the process when the first task arrives, never the main
thread), ``shutdown()`` kills it (unregister), and :data:`OPTIONS` lets
tests and benchmarks swap the command or shorten the deadlines. The helper
can be switched off with the add-on preference "Helper Blender" or
``AISTUDIO_HELPER=off``; then every job runs on the main thread as before.
"""

from __future__ import annotations

import os

import bpy

from ...bridge.errors import HelperUnavailableError
from .. import preferences
from . import process, service

#: Overrides for the next helper created: argv, idle_s, deadline_s, start_timeout_s, enabled.
OPTIONS: dict = {}

_HELPER: service.Helper | None = None
_SAID_UNAVAILABLE = False


def enabled() -> bool:
    if "enabled" in OPTIONS:
        return bool(OPTIONS["enabled"])
    if os.environ.get("AISTUDIO_HELPER", "").strip().lower() in ("0", "off", "no", "false"):
        return False
    prefs = preferences.get_prefs()
    return bool(getattr(prefs, "use_helper", True)) if prefs is not None else True


def _log_path():
    try:
        return preferences.user_folder("helper") / "helper.log"
    except (OSError, ValueError):
        return None


def get() -> service.Helper:
    """The session's helper (raises HelperUnavailableError when it is switched off)."""
    global _HELPER
    if not enabled():
        raise HelperUnavailableError("The helper Blender is switched off in the preferences.")
    if _HELPER is None:
        argv = OPTIONS.get("argv") or process.command(bpy.app.binary_path)
        _HELPER = service.Helper(
            argv, log_path=_log_path(),
            idle_s=OPTIONS.get("idle_s", service.DEFAULT_IDLE_S),
            start_timeout_s=OPTIONS.get("start_timeout_s", service.DEFAULT_START_TIMEOUT_S),
            deadline_s=OPTIONS.get("deadline_s", service.DEFAULT_DEADLINE_S))
    return _HELPER


def current() -> service.Helper | None:
    return _HELPER


def shutdown() -> None:
    """Kill the helper and forget it (unregister; the next get() makes a new one)."""
    global _HELPER, _SAID_UNAVAILABLE
    helper, _HELPER = _HELPER, None
    _SAID_UNAVAILABLE = False
    if helper is not None:
        helper.shutdown()


def first_unavailable_notice() -> bool:
    """True the first time the helper is found unavailable this session: say it once."""
    global _SAID_UNAVAILABLE
    if _SAID_UNAVAILABLE:
        return False
    _SAID_UNAVAILABLE = True
    return True
