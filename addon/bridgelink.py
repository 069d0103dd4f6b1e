"""The one place the add-on finds the ``bridge`` package.

As an installed extension, ``bridge`` sits next to ``addon`` inside the
extension package (``bl_ext.<repo>.ai_studio_bridge.bridge``), so it is
imported relatively. In the repository's tests ``addon`` is itself a
top-level package with the repository root on ``sys.path``, where a relative
import cannot climb above it, so we fall back to the top-level ``bridge``.
"""

from __future__ import annotations

import importlib

try:
    from .. import bridge  # noqa: F401  (extension layout)
except ImportError:
    import bridge  # noqa: F401  (repository layout: addon/ and bridge/ on sys.path)

BRIDGE = bridge.__name__


def bridge_module(name: str):
    """Import ``bridge.<name>`` lazily, e.g. ``bridge_module("engine")``."""
    return importlib.import_module(f"{BRIDGE}.{name}")
