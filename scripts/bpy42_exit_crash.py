"""Minimal reproducer of the bpy 4.2 LTS wheel's crash at exit, without this add-on.

Run it with the bpy 4.2 wheel's Python:   .venv-bpy42/bin/python scripts/bpy42_exit_crash.py
It exits with a segfault (rc 139) on bpy 4.2.23 and 0 on bpy 5.0.1.

One PropertyGroup with one Python callback on one property (here ``get``;
``set``, ``update`` or an ``items`` function do the same), registered and
unregistered again, is enough: after Python is finalized, the wheel's static
destructors (``SpaceType::~SpaceType`` while the space-type vector is freed)
call ``bpy_class_free``, which takes the GIL of an interpreter that no longer
exists (``PyGILState_Ensure`` → ``PyThreadState_New(interp=NULL)``, gdb).
Unregistering everything, removing timers and handlers and freeing previews
first changes nothing: the add-on cannot avoid it while its properties have
callbacks (Blender's own glTF add-on has them too, which is why running its
importer or exporter in the 4.2 wheel crashes at exit as well).
scripts/test_blender_lts.sh therefore ends its pytest process with
``os._exit`` after the verdict; tests/addon/test_bpy_exit.py watches this
reproducer so the cover goes the day the wheel stops crashing.
"""

import bpy
from bpy.props import StringProperty


def _get(_self):
    return ""


class REPRO_PG_callback(bpy.types.PropertyGroup):
    text: StringProperty(get=_get)


bpy.utils.register_class(REPRO_PG_callback)
bpy.utils.unregister_class(REPRO_PG_callback)
print("registered and unregistered; now exiting normally", flush=True)
