"""AI Studio Bridge: the Blender side.

``register()`` registers the submodules in order (preferences, properties,
operators, panels, the print-preparation tools), resumes unfinished jobs
when a journal exists (the engine otherwise starts on the first submit), and
registers the pump timer last. ``unregister()`` undoes it in
reverse: pump first, then the engine and the helper Blender, then the classes.
``addon`` and the plain-Python ``bridge`` are sibling subpackages of the
extension's package, so the add-on imports the bridge relatively
(``from ..bridge import errors``), in the tests as in the installed zip.
"""

from __future__ import annotations

import bpy

from ..bridge.errors import BridgeError
from . import preferences, properties
from .assets import marking as assets
from .helper import runtime
from .jobs import localjobs, pump, session
from .operators import registration as operators
from .printing import registration as printing
from .ui import registration as ui

_MODULES = [preferences, properties, operators, ui, printing]
# Created by register() when the add-on was not enabled through Blender's
# add-on manager (tests call register() directly): preferences need an entry.
_OWN_PREFS_ENTRY = False


def _ensure_prefs_entry() -> None:
    global _OWN_PREFS_ENTRY
    addons = bpy.context.preferences.addons
    if addons.get(preferences.ADDON_ID) is None:
        addons.new().module = preferences.ADDON_ID
        _OWN_PREFS_ENTRY = True


def _drop_prefs_entry() -> None:
    global _OWN_PREFS_ENTRY
    if _OWN_PREFS_ENTRY:
        entry = bpy.context.preferences.addons.get(preferences.ADDON_ID)
        if entry is not None:
            bpy.context.preferences.addons.remove(entry)
        _OWN_PREFS_ENTRY = False


def register() -> None:
    for module in _MODULES:
        for cls in getattr(module, "classes", ()):
            bpy.utils.register_class(cls)
        if hasattr(module, "register"):
            module.register()
    _ensure_prefs_entry()
    assets.register()   # the "AI Studio" asset library (needs the preferences entry)
    try:
        session.resume_on_start()  # only when a journal exists: nothing is created here
    except BridgeError as exc:  # a damaged or unwritable journal: enable anyway, say why
        session.add_message("ERROR", str(exc))
    pump.start()  # last: nothing may tick before everything above exists


def unregister() -> None:
    pump.stop()  # first: no tick may run against half-removed classes
    try:
        session.stop_engine()
    finally:
        runtime.shutdown()  # no helper Blender outlives the add-on
        localjobs.reset()
        # Whatever the engine did, leave Blender clean so the add-on can be enabled again.
        session.reset_cache()
        assets.unregister()
        for module in reversed(_MODULES):
            if hasattr(module, "unregister"):
                module.unregister()
            for cls in reversed(getattr(module, "classes", ())):
                bpy.utils.unregister_class(cls)
        _drop_prefs_entry()
