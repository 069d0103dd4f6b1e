"""Imported results as assets: marked, described, catalogued, previewed from files,
and kept in the cross-project "AI Studio" asset library.

- ``marking``: ``after_import(plan, top)`` and the save handler (main thread)
- ``metadata`` (plain): description, tags, author and kind of a result
- ``catalogs`` (plain): ``blender_assets.cats.txt`` read and added to, never clobbered
- ``previews``: an asset's preview from a picture file, never rendered
- ``library``: the library's preferences entry and the .blend written per result

Nothing is imported here (see docs/CONTRIBUTING.md).
"""
