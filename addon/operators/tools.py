"""Model tools on the active object: repair, optimize, convert, render, volume — and
retexture, retopology and bake, which read models by address only.

Repair and the others send the active mesh as a GLB (``model_file``).
Retexture, retopology and bake run a chain (``meshtools.py``): the mesh's
fresh address when it has one, else one upload, then the tool. Results are
imported beside the source object.
"""

import bpy
from bpy.props import BoolProperty, EnumProperty, StringProperty
from mathutils import Matrix

from ...bridge.errors import ValidationError
from ..blenderio import uploads
from ..jobs import meshtools, naming, request_factory
from ..properties import FACE_LEVELS, POLYGON_TYPES, TOOLS
from .submit import Prepared, SubmitMixin, mesh_problem


class AISTUDIO_OT_mesh_tool(SubmitMixin, bpy.types.Operator):
    """Send the active mesh to one of the service's model tools"""

    bl_idname = "aistudio.mesh_tool"
    bl_label = "Run Mesh Tool"
    bl_options = {"REGISTER"}

    tool: EnumProperty(name="Tool", items=TOOLS)
    original_url: StringProperty(name="High-poly URL",
                                 description="Bake only: the textured high-poly's address, instead "
                                             "of the selected high-poly")
    retopo_url: StringProperty(name="Low-poly URL",
                               description="Bake only: the low-poly's address, instead of the "
                                           "active object")
    prompt: StringProperty(name="Prompt", description="Retexture: the new look, e.g. weathered red "
                                                      "paint (or give a picture)")
    filepath: StringProperty(name="Picture File", subtype="FILE_PATH",
                             description="Retexture: a picture file whose look the texture follows")
    image: StringProperty(name="Picture", description="Retexture: an image datablock's name whose "
                                                      "look the texture follows")
    enable_pbr: BoolProperty(name="PBR Maps", description="Retexture: also metallic-roughness and "
                                                          "normal maps")
    polygon_type: EnumProperty(name="Polygons", items=POLYGON_TYPES, default="triangle",
                               description="Retopology: triangles or quads")
    face_level: EnumProperty(name="Faces", items=FACE_LEVELS, default="medium",
                             description="Retopology: how many faces the new mesh has")

    NEEDS_MESH = True

    def _given(self, name: str) -> bool:
        return self.properties.is_property_set(name)

    def chain_options(self, context, tool: str) -> meshtools.Options:
        """What the chain tools are asked: this call's properties, else the Tools panel's."""
        tools = context.scene.aistudio.tools
        prompt, image = None, None
        if tool == "RETEXTURE":
            if self._given("prompt") or self._given("filepath") or self._given("image"):
                prompt = self.prompt.strip() or None
                if self.filepath or self.image:
                    image = uploads.resolve(self.filepath, self.image)
            elif tools.retexture_from == "PROMPT":
                prompt = tools.retexture_prompt.strip() or None
            else:
                image = uploads.resolve(fallback=tools.retexture_picture)
            if not prompt and not image:
                raise ValidationError("Retexture needs the new look: a prompt (prompt=…) or a "
                                      "picture (filepath=… or image=…), or the Tools panel's.")
        pick = (lambda name: getattr(self, name) if self._given(name) else getattr(tools, name))
        return meshtools.Options(prompt=prompt, image=image,
                                 enable_pbr=True if pick("enable_pbr") else None,
                                 polygon_type=pick("polygon_type"), face_level=pick("face_level"),
                                 original_url=self.original_url.strip(),
                                 retopo_url=self.retopo_url.strip())

    def prepare(self, context) -> Prepared:
        tools = context.scene.aistudio.tools
        tool = self.tool if self._given("tool") else tools.tool
        active = context.active_object
        problem = mesh_problem(context)  # the same reason the greyed-out button gives
        if problem:
            raise ValidationError(problem)
        if tool in meshtools.TOOLS:
            def upload(mesh):   # in its own coordinates (or the low-poly's, for a bake)
                return uploads.export_glb(context, mesh.obj, matrix=mesh.matrix or Matrix.Identity(4))
            plan = meshtools.plan(context, tool, self.chain_options(context, tool), upload)
            return Prepared(plan.request, plan.label, tool, plan.meta)
        model_file = uploads.export_glb(context, active)
        request = request_factory.tool_request(tool, model_file, tools)
        meta = {"source": "tool", "tool": tool, "placement": "beside", "source_object": active.name}
        return Prepared(request, naming.tool_result(active.name, tool), tool, meta)


classes = (AISTUDIO_OT_mesh_tool,)
