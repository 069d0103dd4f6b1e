"""Whether the user allows Blender to go online, checked in one function.

``bpy.app.online_access`` is read-only, so tests replace :func:`network_allowed`
instead; everything that would send a request asks this first.
"""

from __future__ import annotations

import bpy

OFFLINE_MESSAGE = ("Online access is disabled: turn it on in Preferences > System > Network > "
                   "Allow Online Access. Nothing was sent.")


def network_allowed() -> bool:
    return bool(getattr(bpy.app, "online_access", True))
