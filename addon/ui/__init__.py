"""The sidebar panels (3D viewport and Image Editor), the job list and the status-bar line.

Nothing is imported here: a package ``__init__`` that imports its submodules
would run them for anyone importing one submodule (and tie them in circles).
What Blender registers is listed in :mod:`.registration`.
"""
