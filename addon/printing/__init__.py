"""Local print preparation: check, repair, hollow, scale, decimate, clay, views.

Geometry lives in plain functions (one module per job) that tests call
directly; operators and the panel are thin layers over them. The add-on's
``register()`` registers :data:`classes`; the settings group
(``properties.AISTUDIO_PG_print``) is registered by ``addon/properties.py``,
which nests it as ``Scene.aistudio.printing``.
"""

from __future__ import annotations

from . import cloud, operators, panel, selection

# The settings group is not listed: the add-on's properties register it first,
# because the add-on's settings group points at it.
classes = (*operators.classes, *cloud.classes, *selection.classes, *panel.classes)
