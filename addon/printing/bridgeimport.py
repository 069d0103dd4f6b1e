"""Find the ``bridge`` package without relative imports above ``addon.printing``.

Installed as an extension, ``bridge`` is a sibling of ``addon`` inside the
extension package; in the repository it is a top-level package. Deriving the
name from ``__name__`` keeps this subpackage importable on its own.
"""

from __future__ import annotations

import importlib

_ROOT = __name__.rsplit(".addon.printing.", 1)[0] + "." if ".addon.printing." in __name__ else ""


def bridge_module(name: str):
    """``bridge.<name>``, e.g. ``bridge_module("api.miniature")``."""
    return importlib.import_module(f"{_ROOT}bridge.{name}")


BridgeError = bridge_module("errors").BridgeError


class PrintPrepError(BridgeError):
    """A local print-preparation step could not be done; the message says why."""
