""""Run in Cloud" of the Print panel: a print step sent to the service's model tools.

It spends credits, so it goes through the one submit guard like every other
paid button (``SubmitMixin``: online access, key, validation, confirmation).
The mesh goes as an STL in millimetres (a GLB for Optimize), exported by the
helper Blender like every model tool's upload; the job's meta says which unit
was sent and that the result belongs beside its source, so the importer can
size and place what comes back.
"""

from __future__ import annotations

import bpy
from bpy.props import EnumProperty

from ...bridge.api import tools
from ...bridge.errors import ValidationError
from ..blenderio import uploads
from ..operators.submit import Prepared, SubmitMixin, mesh_problem

#: step → (button label, the service tool it runs, what the result is called after its source)
STEPS = {
    "check": ("Volume", "VOLUME", "volume"),
    "repair": ("Repair", "REPAIR", "repaired"),
    "hollow": ("Repair + hollow", "REPAIR", "repaired and hollowed"),
    "decimate": ("Optimize", "OPTIMIZE", "optimized"),
}


class AISTUDIO_OT_print_cloud(SubmitMixin, bpy.types.Operator):
    """Send this print step to the 3D AI Studio cloud tool (costs credits)"""

    bl_idname = "aistudio.print_cloud"
    bl_label = "Run in Cloud"
    bl_options = {"REGISTER"}
    NEEDS_MESH = True

    step: EnumProperty(name="Step", items=[(k, label, "") for k, (label, _tool, _word) in STEPS.items()])

    def prepare(self, context) -> Prepared:
        problem = mesh_problem(context)
        if problem:
            raise ValidationError(problem)
        ob = context.active_object
        props = context.scene.aistudio.printing
        # Written now (tens of ms), exported by the helper Blender: the job shows
        # "Preparing" and is submitted when the file exists. A fresh name per job,
        # so a second press never overwrites the file a queued job sends.
        # Turned and scaled as it stands (its printed size and orientation), but not
        # moved: the result's mesh sits around its own origin, not metres from it.
        standing = ob.matrix_world.copy()
        standing.translation = (0.0, 0.0, 0.0)
        if self.step == "decimate":
            glb = uploads.export_model(context, ob, "GLB", matrix=standing)
            request, unit = tools.OptimizeRequest(model_file=glb), "m"  # glTF is metres
        else:
            model = uploads.export_model(context, ob, "STL_MM", matrix=standing)
            unit = "mm"
            if self.step == "check":
                request = tools.VolumeRequest(model_file=model, unit=unit)
            else:
                hollowing = self.step == "hollow"
                request = tools.RepairRequest(
                    model_file=model, output_format="stl", unit=unit,
                    hollow=True if hollowing else None,
                    wall_thickness=props.wall_thickness_mm if hollowing else None)
        _label, tool, word = STEPS[self.step]
        meta = {"source": "print_cloud", "step": self.step, "tool": tool, "placement": "beside",
                "source_object": ob.name, "unit": unit}
        return Prepared(request, f"{ob.name} {word}"[:60], tool, meta)


classes = (AISTUDIO_OT_print_cloud,)
