"""The sidebar panels (3D viewport and Image Editor), the job list and the status-bar line."""

from . import image_panel, joblist, panels

classes = (*joblist.classes, *panels.classes, *image_panel.classes)


def register():
    panels.register()


def unregister():
    panels.unregister()
