"""AI Studio Bridge, the Blender extension: this folder is the extension's package.

Blender imports it as ``bl_ext.<repository>.ai_studio_bridge`` and calls
``register()``. Its two subpackages are siblings, as in the installed zip:
``addon`` (the Blender side) and ``bridge`` (plain Python: clients, job
engine, CLI), which the add-on imports relatively (``from ..bridge import
errors``). The tests load this folder as a package the same way
(``tests/extension_package.py``).

The add-on is imported when Blender registers it, not when this file is
imported: pytest imports a rootdir ``__init__.py`` under whatever name the
clone's folder has (often not a package name at all), and that must not
drag Blender in.
"""


def register():
    from .addon import register as register_addon
    register_addon()


def unregister():
    from .addon import unregister as unregister_addon
    unregister_addon()
