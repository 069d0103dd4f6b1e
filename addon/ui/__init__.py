"""The sidebar panels (3D viewport and Image Editor), the job list and the status-bar line."""

from .. import meshaddress
from . import image_panel, joblist, menus, panels, thumbnails

classes = (*joblist.classes, *panels.classes, *image_panel.classes, *menus.classes)


def register():
    meshaddress.register()   # the Tools panel's prices follow mesh edits
    thumbnails.register()
    panels.register()
    menus.register()


def unregister():
    menus.unregister()
    panels.unregister()
    thumbnails.unregister()
    meshaddress.unregister()
