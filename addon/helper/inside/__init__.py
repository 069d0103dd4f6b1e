"""What runs inside the helper Blender: its entry script and its task dispatch.

Nothing here is imported by the add-on's main thread.
"""
