"""Keep the AI Studio asset library tidy: remove results from it, open its folder.

Blender's Asset Browser can't delete an asset from an external library
(only from the open file), and a library that only grows is one artists
stop using. *Remove from AI Studio Library* in the browser's context menu
takes the selected results out: it asks first, deletes their .blend files
(only files in the library's own folder) and refreshes the browser. Copies
already appended into other files stay theirs.
"""

from __future__ import annotations

import bpy
from bpy.props import StringProperty

from ...bridge import errors
from ..assets import library
from .submit import ask


def chosen(op, context) -> list[str]:
    """The library files to remove: *filepath* (scripts), else the browser's selected results."""
    if op.filepath:
        return [op.filepath]
    assets = getattr(context, "selected_assets", None) or []
    return [a.full_library_path for a in assets if library.inside(a.full_library_path)]


def _plural(count: int) -> str:
    return "1 result" if count == 1 else f"{count} results"


class AISTUDIO_OT_remove_from_library(bpy.types.Operator):
    """Delete the selected results from the AI Studio asset library (copies already in your files stay)"""

    bl_idname = "aistudio.remove_from_library"
    bl_label = "Remove from AI Studio Library"
    bl_options = {"REGISTER"}

    filepath: StringProperty(name="Result File", subtype="FILE_PATH", options={"SKIP_SAVE"},
                             description="A result's .blend in the AI Studio asset library "
                                         "(unset: the Asset Browser's selected results)")

    def invoke(self, context, event):
        paths = chosen(self, context)
        if not paths:
            self.report({"WARNING"}, "Select results of the AI Studio library in the Asset Browser.")
            return {"CANCELLED"}
        return ask(self, context, event, "Remove from the library?",
                   f"Delete {_plural(len(paths))} from the AI Studio asset library? "
                   "Copies already in your files stay.", "Remove", icon="WARNING")

    def execute(self, context):
        paths = chosen(self, context)
        if not paths:
            self.report({"WARNING"}, "Select results of the AI Studio library in the Asset Browser.")
            return {"CANCELLED"}
        try:
            removed = library.remove_results(paths)
        except errors.ValidationError as exc:
            self.report({"ERROR"}, str(exc))
            return {"CANCELLED"}
        if context.area is not None and context.area.type == "FILE_BROWSER" \
                and bpy.ops.asset.library_refresh.poll():
            bpy.ops.asset.library_refresh()
        self.report({"INFO"}, f"Removed {_plural(len(removed))} from the AI Studio asset library.")
        return {"FINISHED"}


classes = (AISTUDIO_OT_remove_from_library,)
