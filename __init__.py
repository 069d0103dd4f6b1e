"""AI Studio Bridge, the Blender extension: this folder is the extension's package.

Blender imports it as ``bl_ext.<repository>.ai_studio_bridge`` and calls
``register()``. Its two subpackages are siblings, as in the installed zip:
``addon`` (the Blender side) and ``bridge`` (plain Python: clients, job
engine, CLI), which the add-on imports relatively (``from ..bridge import
errors``). The tests load this folder as a package the same way
(``tests/extension_package.py``).
"""

from .addon import register, unregister  # noqa: F401
