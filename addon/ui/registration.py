"""What of ``ui/`` Blender registers, in order (read by the add-on's ``register()``)."""

from ..blenderio import meshaddress
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
