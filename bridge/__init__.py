"""AI Studio Bridge, the part with no Blender in it.

Provider clients, the job engine and its journal, the CLI and the local
emulator of the service. House rule: nothing under ``bridge/`` imports
``bpy`` (a test checks it), so all of it runs in plain Python, in CI and in
worker threads that must never touch Blender data.
"""

__version__ = "0.1.0"
