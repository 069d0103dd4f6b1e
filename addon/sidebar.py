"""Where every AI Studio panel lives (no imports: the print tools and the UI both use it)."""


class Sidebar:
    """Where every AI Studio panel lives: the 3D viewport's sidebar, one tab."""

    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "AI Studio"


class SidebarChild(Sidebar):
    """A section under the main AI Studio panel."""

    bl_parent_id = "AISTUDIO_PT_main"
