"""Whether the user allows Blender to go online, checked in one function.

``bpy.app.online_access`` is read-only, so tests replace :func:`network_allowed`
instead; everything that would send a request asks this first. When Blender
was started with ``--offline-mode`` (``bpy.app.online_access_override``) the
preference cannot be changed in this session, so the message says how to
start Blender instead of pointing at a switch that does nothing.
"""

from __future__ import annotations

import bpy

OFFLINE_MESSAGE = ("Online access is disabled: turn it on in Preferences > System > Network > "
                   "Allow Online Access. Nothing was sent.")
OVERRIDDEN_MESSAGE = ("Blender was started in offline mode (--offline-mode): restart it without "
                      "that option to send jobs. Nothing was sent.")


def network_allowed() -> bool:
    return bool(getattr(bpy.app, "online_access", True))


def started_offline() -> bool:
    """True when the command line, not the preference, keeps Blender offline."""
    return bool(getattr(bpy.app, "online_access_override", False))


def offline_message() -> str:
    return OVERRIDDEN_MESSAGE if started_offline() else OFFLINE_MESSAGE


def offline_hint() -> tuple[str, str]:
    """Two short lines for a panel: what is off, and where to change it."""
    if started_offline():
        return "Blender was started offline", "Restart without --offline-mode"
    return "Online access is off", "Preferences > System > Network"
