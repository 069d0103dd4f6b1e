"""AI Studio Bridge: the Blender side.

``register()`` registers the submodules in order (preferences, properties,
operators, panels, and the print-preparation tools when present), starts the
session's job engine, and registers the pump timer last. ``unregister()``
undoes it in reverse: pump first, then the engine, then the classes.
The package imports the plain-Python ``bridge`` through ``bridgelink``.
"""

from __future__ import annotations

import importlib

import bpy

from . import operators, preferences, properties, ui

_MODULES = [preferences, properties, operators, ui]
# Created by register() when the add-on was not enabled through Blender's
# add-on manager (tests call register() directly): preferences need an entry.
_OWN_PREFS_ENTRY = False


def _optional_modules() -> list:
    """The print-preparation tools, built separately; registered only if present."""
    try:
        printing = importlib.import_module(f"{__name__}.printing")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.endswith("printing"):
            return []
        raise
    return [printing] if hasattr(printing, "classes") else []


def _modules() -> list:
    return _MODULES + _optional_modules()


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
    from . import pump, session
    for module in _modules():
        for cls in getattr(module, "classes", ()):
            bpy.utils.register_class(cls)
        if hasattr(module, "register"):
            module.register()
    _ensure_prefs_entry()
    session.start_engine()
    pump.start()  # last: nothing may tick before everything above exists


def unregister() -> None:
    from . import pump, session
    pump.stop()  # first: no tick may run against half-removed classes
    try:
        session.stop_engine()
    finally:
        # Whatever the engine did, leave Blender clean so the add-on can be enabled again.
        session.reset_cache()
        for module in reversed(_modules()):
            if hasattr(module, "unregister"):
                module.unregister()
            for cls in reversed(getattr(module, "classes", ())):
                bpy.utils.unregister_class(cls)
        _drop_prefs_entry()
