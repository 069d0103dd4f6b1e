"""The local print tools as jobs in the helper Blender.

The operator writes the object to a .blend (tens of milliseconds) and
returns; the helper runs the print function on that copy with the object's
world matrix and the scene's unit scale, so it computes what the function
would compute here. When it is done the pump applies the result in one
step: a new mesh replaces the object's mesh (one undo step), a check
fills the report, a scale factor scales the object, an export lands where
the user asked. If the object was deleted or its mesh changed meanwhile,
a new mesh arrives as a new object beside it and nothing is overwritten.

Without a helper, the same tool of :mod:`.tools` runs on the object here,
and its answer is applied the same way.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import bpy
from mathutils import Vector

from ...bridge.errors import BridgeError, PrintPrepError
from .. import preferences
from ..blenderio import importers
from ..helper import transfer
from ..jobs import localjobs, naming, session
from . import check, material, tools


def undo_step(message: str) -> None:
    # Background Blender has no undo stack worth a step (and the 4.2 module crashed on it).
    if not bpy.app.background and bpy.ops.ed.undo_push.poll():
        bpy.ops.ed.undo_push(message=message)


def replace_mesh(target: bpy.types.Object, mesh: bpy.types.Mesh) -> None:
    """*mesh* becomes the object's mesh (and that of every object sharing the old one)."""
    old = target.data
    for index, slot in enumerate(old.materials):
        if index < len(mesh.materials):
            mesh.materials[index] = slot
        else:
            mesh.materials.append(slot)
    name = old.name
    old.user_remap(mesh)
    if old.users == 0:
        bpy.data.meshes.remove(old)
    mesh.name = name


def new_object_beside(name: str, mesh: bpy.types.Mesh, materials: list, matrix,
                      source: bpy.types.Object | None) -> bpy.types.Object:
    """The result as an object of its own, one width to the right of where it came from."""
    for index, material_name in enumerate(materials):
        material = bpy.data.materials.get(material_name) if material_name else None
        if index < len(mesh.materials):
            mesh.materials[index] = material
        else:
            mesh.materials.append(material)
    ob = bpy.data.objects.new(name, mesh)
    collections = list(source.users_collection) if source is not None else []
    for collection in collections or [bpy.context.scene.collection]:
        collection.objects.link(ob)
    ob.matrix_world = matrix   # sets location, rotation and scale at once: no depsgraph update
    ob.location = ob.location + Vector((max(ob.dimensions.x, 1e-3), 0.0, 0.0))
    return ob


def _select(ob: bpy.types.Object) -> None:
    view_layer = bpy.context.view_layer
    for other in list(view_layer.objects.selected):
        other.select_set(False)
    if ob.name in view_layer.objects:
        ob.select_set(True)
        view_layer.objects.active = ob


def deliver(made: Path, dest: Path) -> Callable:
    """An owner-thread hook moving the helper's file to where the user asked for it."""
    def move(result: dict) -> dict:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(made), str(dest))
        result.setdefault("report", {})["path"] = str(dest)
        return result
    return move


def started_or_reported(operator, start: Callable[[], str]) -> str | None:
    """*start()* (write the object, queue the helper's work); on failure the operator
    reports why and None is returned."""
    try:
        return start()
    except BridgeError as exc:
        operator.report({"ERROR"}, str(exc))
    except OSError as exc:
        operator.report({"ERROR"}, f"The object could not be handed to the helper Blender: "
                                   f"{exc.strerror or exc}.")
    return None


class ToolRun:
    """One print tool on one object: what was sent, and how to apply what comes back."""

    def __init__(self, context, ob: bpy.types.Object, tool: str, params: dict,
                 apply: Callable[[dict, bpy.types.Object | None], str] | None,
                 dest: Path | None = None, label: str = "",
                 before_in_process: Callable[[bpy.types.Object], None] | None = None):
        self.tool, self.params, self.apply, self.dest = tool, params, apply, dest
        self.before_in_process = before_in_process
        self.name = ob.name
        # Only results that change the object (or point into its mesh) need to know
        # whether it changed meanwhile.
        self.fingerprint = transfer.fingerprint(ob) if tools.tool(tool).fingerprinted else ""
        self.matrix = ob.matrix_world.copy()
        self.materials = [m.name if m is not None else "" for m in ob.data.materials]
        self.label = label or f"{tools.tool(tool).label}: {ob.name}"
        self.job_id = localjobs.new_job_id()
        self.folder = preferences.user_folder("print") / self.job_id
        self.folder.mkdir(parents=True, exist_ok=True)
        args = transfer.write_object(ob, self.folder / "source.blend", context.scene)
        args.update(tool=tool, params=dict(params), out=str(self.folder / "result.blend"))
        after = None
        if dest is not None:
            made = self.folder / f"export{dest.suffix}"
            args["params"]["out"] = str(made)
            after = deliver(made, dest)
        self.step = localjobs.Step("print_tool", args, str(self.folder), after=after)

    def target(self) -> tuple[bpy.types.Object | None, bool]:
        """The object as it is now, and whether it is still what was sent.

        A mesh result only cares about the mesh (moving the object meanwhile is
        fine); a scale factor also about where and how big the object is.
        """
        ob = bpy.data.objects.get(self.name)
        if ob is not None and ob.mode == "EDIT" and self.tool == "select_faces":
            ob.update_from_editmode()   # the edits made meanwhile count
        unchanged = ob is not None and transfer.fingerprint(ob) == self.fingerprint
        if unchanged and self.tool == "scale":
            unchanged = ob.matrix_world == self.matrix
        return ob, unchanged

    def finish(self, results: list) -> str:
        answer = results[0]
        ob, unchanged = self.target()
        if tools.tool(self.tool).replaces_mesh:
            if ob is not None and ob.mode == "EDIT":
                view = localjobs.get(self.job_id) and localjobs.get(self.job_id).view()
                if view is not None:
                    view.stage = "Waiting for Object Mode"
                return localjobs.RETRY   # replace the mesh once the user leaves Edit Mode
            message = self._mesh_result(answer, ob, unchanged)
        else:
            message = self.apply(answer, ob if unchanged else None)
        transfer.discard(self.folder)
        return message

    def _mesh_result(self, answer: dict, ob, unchanged: bool) -> str:
        mesh = transfer.append_mesh(answer["blend"], answer["mesh"])
        if mesh is None:
            raise PrintPrepError("The helper's result came back empty; the object is unchanged.")
        summary = answer.get("report", {}).get("summary", "")
        warning = answer.get("report", {}).get("warning", "")
        if warning:   # e.g. drain holes that could not be cut: the summary says it, louder here
            session.add_message("WARNING", f"{self.label}: {warning}")
        if unchanged:
            replace_mesh(ob, mesh)
            undo_step(self.label)
            return summary
        result = new_object_beside(naming.tool_result(self.name, self.tool), mesh,
                                   self.materials, ob.matrix_world if ob else self.matrix, ob)
        _select(result)
        undo_step(self.label)
        why = "was deleted" if ob is None else "changed"
        return (f"{summary} {self.name} {why} meanwhile, so the result is the new object "
                f"{result.name} beside it.")

    def fallback(self) -> str:
        transfer.discard(self.folder)
        ob, _unchanged = self.target()
        if ob is None:
            raise PrintPrepError(f"{self.name} was deleted; there is nothing to work on.")
        params = dict(self.params, out=str(self.dest)) if self.dest is not None else self.params
        with importers.in_window():
            if self.before_in_process is not None:
                self.before_in_process(ob)
            answer = tools.run(self.tool, ob, bpy.context.scene, params)
            if not tools.tool(self.tool).changes_object:
                return self.apply(answer, ob)
        undo_step(self.label)
        return answer.get("report", {}).get("summary", "")

    def start(self) -> str:
        localjobs.track(self.job_id, self.label, {"source": "print", "tool": self.tool,
                                                  "object": self.name})
        localjobs.start(localjobs.Work(self.job_id, self.label, [self.step], self.finish,
                                       self.fallback, stage=tools.tool(self.tool).label,
                                       fail=lambda _message: transfer.discard(self.folder)))
        return self.job_id


# -- what each tool does with its answer, and its in-process fallback -------------

def check_lines(report: check.PrintCheckReport, props) -> str:
    est = material.estimate_for(props, report.volume_ml)
    props.last_report = "\n".join(report.lines() + [est.summary()])
    return "; ".join(report.lines()[:2])


def check_from_answer(answer: dict) -> check.PrintCheckReport:
    return check.PrintCheckReport.from_dict({k: v for k, v in answer["report"].items()
                                             if k != "summary"})


def run_check(context, ob, min_thickness_mm: float, overhang_angle: float) -> str:
    params = {"min_thickness_mm": min_thickness_mm, "overhang_angle": overhang_angle}

    def apply(answer, _ob):
        return check_lines(check_from_answer(answer), bpy.context.scene.aistudio.printing)
    return ToolRun(context, ob, "check", params, apply).start()


def run_mesh_tool(context, ob, tool: str, params: dict) -> str:
    return ToolRun(context, ob, tool, params, None).start()


def run_scale(context, ob, params: dict) -> str:
    def apply(answer, target):
        if target is None:
            raise PrintPrepError(f"{ob_name} moved, changed or was deleted while it was measured; "
                                 "run Scale to Miniature again.")
        factors = answer.get("scale") or [1.0, 1.0, 1.0]
        target.scale = [target.scale[i] * factors[i] for i in range(3)]
        undo_step(f"Scale to miniature: {target.name}")
        return answer.get("report", {}).get("summary", "")
    ob_name = ob.name
    return ToolRun(context, ob, "scale", params, apply).start()


def run_export(context, ob, tool: str, dest: Path, draco: bool = True) -> str:
    def apply(answer, _target):
        if tool == "export_stl":
            return f"STL written in mm: {dest}"
        return f"{answer.get('report', {}).get('message', 'GLB written.')} {dest}"
    return ToolRun(context, ob, tool, {"draco": draco}, apply, dest=dest).start()
