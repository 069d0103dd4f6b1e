"""The helper Blender: heavy Blender work in a second, background Blender process.

Importers, exporters, the print tools and picture processing run there, so
Blender's main thread only writes data out (``bpy.data.libraries.write``)
and appends results back (``bpy.data.libraries.load``), tens of
milliseconds even for a 500k-triangle model.

- ``protocol``: the JSON lines both sides speak (plain Python)
- ``process``: one helper process: command line, scrubbed environment, pipes, kill
- ``service``: the owner thread, tasks (futures), deadlines, cancel, idle stop
- ``runtime``: the session's helper as the main thread sees it
- ``transfer``: main-thread write/append of objects and meshes
- ``inside/``: what runs in the helper: ``main`` (its script), ``tasks`` (what it can do)

The Blender work itself (``blenderio/importers``, ``exporters``,
``pictures/fileio``, ``pixels``, the print tools of ``printing/tools``) lives
with the rest of its kind; the helper and the in-process fallback share it.
"""
