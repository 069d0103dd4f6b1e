"""Operators: the buttons of the panel and the add-on's scripting API.

Nothing is imported here: a package ``__init__`` that imports its submodules
would run them for anyone importing one submodule (and tie them in circles).
What Blender registers is listed in :mod:`.registration`.
"""
