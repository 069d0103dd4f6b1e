"""Model tools on the active object: repair, optimize, bake, convert, render, volume.

The active mesh is exported to a temporary GLB and sent as ``model_file``;
the result is imported beside the source object.
"""

import bpy
from bpy.props import EnumProperty, StringProperty

from ...bridge.errors import ValidationError
from .. import imagesource, naming, request_factory
from ..properties import TOOLS
from .submit import Prepared, SubmitMixin, mesh_problem


class AISTUDIO_OT_mesh_tool(SubmitMixin, bpy.types.Operator):
    """Send the active mesh to one of the service's model tools"""

    bl_idname = "aistudio.mesh_tool"
    bl_label = "Run Mesh Tool"
    bl_options = {"REGISTER"}

    tool: EnumProperty(name="Tool", items=TOOLS)
    original_url: StringProperty(name="High-poly URL", description="Bake only: textured high-poly model")
    retopo_url: StringProperty(name="Low-poly URL", description="Bake only: low-poly model")

    NEEDS_MESH = True

    def prepare(self, context) -> Prepared:
        tools = context.scene.aistudio.tools
        tool = self.tool if self.properties.is_property_set("tool") else tools.tool
        active = context.active_object
        problem = mesh_problem(context)  # the same reason the greyed-out button gives
        if problem:
            raise ValidationError(problem)
        if tool == "BAKE":
            highs = [o for o in context.selected_objects if o is not active and o.type == "MESH"]
            if not highs:
                raise ValidationError("Bake needs two meshes: select the high-poly, then the low-poly "
                                      "last (active).")
            request = request_factory.tool_request(tool, "", tools, original_url=self.original_url,
                                                   retopo_url=self.retopo_url)
        else:
            model_file = imagesource.export_glb(context, active)
            request = request_factory.tool_request(tool, model_file, tools)
        meta = {"source": "tool", "tool": tool, "placement": "beside", "source_object": active.name}
        return Prepared(request, naming.tool_result(active.name, tool), tool, meta)


classes = (AISTUDIO_OT_mesh_tool,)
