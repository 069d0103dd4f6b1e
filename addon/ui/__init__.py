"""The sidebar panels, the job list and the status-bar line."""

from . import joblist, panels

classes = (*joblist.classes, *panels.classes)


def register():
    panels.register()


def unregister():
    panels.unregister()
