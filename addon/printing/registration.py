"""What of ``printing/`` Blender registers, in order (read by the add-on's ``register()``)."""

from __future__ import annotations

from . import cloud, operators, panel, selection

# The settings group is not listed: the add-on's properties register it first,
# because the add-on's settings group points at it.
classes = (*operators.classes, *cloud.classes, *selection.classes, *panel.classes)
