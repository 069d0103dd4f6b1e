"""Load the repository as the extension package, the way Blender loads the zip.

In the installed zip ``addon`` and ``bridge`` are subpackages of one package
(``bl_ext.<repo>.ai_studio_bridge``) and the add-on imports the bridge
relatively. The repository root holds the same ``__init__.py``, so the add-on
tiers import it under :data:`PACKAGE` (a legacy-style add-on module name,
so Blender's preferences know it) and call its ``register()``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "ai_studio_bridge"


def load():
    """The extension package (imported once; it imports bpy)."""
    module = sys.modules.get(PACKAGE)
    if module is not None:
        return module
    spec = importlib.util.spec_from_file_location(PACKAGE, ROOT / "__init__.py",
                                                  submodule_search_locations=[str(ROOT)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[PACKAGE]
        raise
    return module
