"""Menu entries, so F3 search finds the operators where Blender users look for them.

File › Import › "AI Studio Result…" and "AI Studio Task by ID…", an "AI Studio" submenu in the 3D
viewport's Object menu and in the Image Editor's Image menu, and "Remove from AI Studio Library"
in the Asset Browser's context menu while it shows that library.
"""

import bpy

from ..assets import library

#: How our entries run, however their menu was opened: a menu called as a popup (a context
#: menu, ``wm.call_menu``) runs its entries with EXEC by default, skipping the question every
#: operator that spends credits or deletes files asks in its invoke (seen in a real window).
INVOKE = "INVOKE_REGION_WIN"


class AISTUDIO_MT_object(bpy.types.Menu):
    bl_idname = "AISTUDIO_MT_object"
    bl_label = "AI Studio"

    def draw(self, context):
        layout = self.layout
        layout.operator_context = INVOKE   # credits are spent only after the usual question
        layout.operator("aistudio.text_to_3d", text="Text to 3D", icon="FONT_DATA")
        layout.operator("aistudio.image_to_3d", text="Image to 3D", icon="IMAGE_DATA")
        layout.operator("aistudio.multiview_to_3d", text="Multi-view to 3D", icon="MOD_ARRAY")
        layout.operator("aistudio.miniature", text="Make Miniature", icon="OUTLINER_OB_ARMATURE")
        layout.separator()
        layout.operator_menu_enum("aistudio.mesh_tool", "tool", text="Cloud Mesh Tool", icon="MODIFIER")
        if hasattr(bpy.types, "AISTUDIO_OT_print_cloud"):  # the print tools may be absent
            layout.operator_menu_enum("aistudio.print_cloud", "step", text="Print Step in Cloud",
                                      icon="MOD_SOLIDIFY")
        layout.separator()
        layout.operator("aistudio.import_result", text="Import Result…", icon="IMPORT")
        layout.operator("aistudio.import_task", text="Import Task by ID…", icon="URL")
        layout.operator("aistudio.refresh_wallet", text="Refresh Balance", icon="FUND")
        layout.operator("aistudio.clear_finished_jobs", text="Clear Finished Jobs", icon="BRUSH_DATA")


class AISTUDIO_MT_image(bpy.types.Menu):
    bl_idname = "AISTUDIO_MT_image"
    bl_label = "AI Studio"

    def draw(self, context):
        layout = self.layout
        layout.operator_context = INVOKE
        layout.operator("aistudio.text_to_image", text="Text to Image", icon="FONT_DATA")
        layout.operator("aistudio.prepare_picture", text="Prepare Picture", icon="BRUSH_DATA")
        layout.operator("aistudio.remove_background", text="Remove Background", icon="IMAGE_ALPHA")


def draw_import(self, context):
    self.layout.operator("aistudio.import_result", text="AI Studio Result…")
    self.layout.operator("aistudio.import_task", text="AI Studio Task by ID…")


def draw_object(self, context):
    self.layout.separator()
    self.layout.menu("AISTUDIO_MT_object", icon="EXPERIMENTAL")


def draw_image(self, context):
    self.layout.separator()
    self.layout.menu("AISTUDIO_MT_image", icon="EXPERIMENTAL")


def draw_asset_context(self, context):
    params = getattr(context.space_data, "params", None)
    if getattr(params, "asset_library_reference", "") != library.NAME:
        return   # another library's assets are not ours to delete
    self.layout.separator()
    column = self.layout.column()
    column.operator_context = "INVOKE_DEFAULT"   # this popup menu runs entries unasked otherwise
    column.operator("aistudio.remove_from_library", icon="TRASH")


#: (Blender menu, our draw function) pairs appended on register, removed on unregister.
HOOKS = (("TOPBAR_MT_file_import", draw_import), ("VIEW3D_MT_object", draw_object),
         ("IMAGE_MT_image", draw_image), ("ASSETBROWSER_MT_context_menu", draw_asset_context))
classes = (AISTUDIO_MT_object, AISTUDIO_MT_image)


def register():
    for menu, draw in HOOKS:
        getattr(bpy.types, menu).append(draw)


def unregister():
    for menu, draw in HOOKS:
        getattr(bpy.types, menu).remove(draw)
