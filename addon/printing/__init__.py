"""Local print preparation: check, repair, hollow, scale, decimate, clay, views.

Geometry lives in plain functions (one module per job) that tests call
directly; operators and the panel are thin layers over them. The add-on's
``register()`` registers ``registration.classes``; the settings group
(``properties.AISTUDIO_PG_print``) is registered by ``addon/properties.py``,
which nests it as ``Scene.aistudio.printing``.

Nothing is imported here: a package ``__init__`` that imports its submodules
would run them for anyone importing one submodule (and tie them in circles).
What Blender registers is listed in :mod:`.registration`.
"""
