"""Local print preparation: check, repair, hollow, scale, decimate, clay, views.

Geometry lives in plain functions (one module per job) that tests call
directly; operators and the panel are thin layers over them. The add-on's
``register()`` registers :data:`classes` and then calls :func:`register`,
which adds ``Scene.aistudio_print``.
"""

from __future__ import annotations

from . import operators, panel, properties

classes = (properties.AISTUDIO_PG_print, *operators.classes, *panel.classes)


def register():
    properties.register()


def unregister():
    properties.unregister()
