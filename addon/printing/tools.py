"""The print tools, listed once: what each does to an object, as a plain answer.

Both places a tool runs read this table: the helper Blender
(``helper/inside/tasks.py``, ``print_tool``) and the add-on's own fallback
when no helper can run (``printing/dispatch.py``). So the two cannot
disagree, and a new tool is one entry here (plus its operator and what the
pump does with its answer, in ``dispatch.py``).

A tool gets the object, the scene, its parameters and ``output(path)``,
which says where it may write a file (inside the job's folder, in the
helper); it answers with JSON values only, since the answer crosses a pipe.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Callable

from ...bridge.errors import ValidationError
from . import check, decimate, hollow, manifold, scaling


@dataclasses.dataclass(frozen=True)
class PrintTool:
    label: str
    run: Callable[..., dict]         # (ob, scene, params, output) -> answer
    replaces_mesh: bool = False      # the answer is a new mesh for the object
    changes_object: bool = False     # run here, it has changed the object itself already
    fingerprinted: bool = False      # its answer is good only for the mesh it was given


def report_dict(report) -> dict:
    """A report as plain JSON values (its own ``as_dict`` when it has one: numpy face lists)."""
    if hasattr(report, "as_dict"):
        data = report.as_dict()
    else:
        data = dataclasses.asdict(report) if dataclasses.is_dataclass(report) else {}
    data = {k: (str(v) if isinstance(v, Path) else v) for k, v in data.items()}
    summary = getattr(report, "summary", None)
    if callable(summary):
        data["summary"] = summary()
    return data


def _check(ob, scene, params, output) -> dict:
    return {"report": report_dict(check.check_object(
        ob, scene, min_thickness_mm=params.get("min_thickness_mm"),
        overhang_angle=params.get("overhang_angle")))}


def _select_faces(ob, scene, params, output) -> dict:
    """Thin-wall or overhang faces of the object's own mesh (no modifiers): the indices of
    the faces the user can select, and the check's line about them."""
    thin = params.get("kind") == "THIN"
    report = check.check_object(ob, scene, evaluated=False,
                                min_thickness_mm=params.get("min_thickness_mm") if thin else 0.0,
                                overhang_angle=params.get("overhang_angle"))
    line = report.thickness_line() if thin else report.overhang_line()
    faces = report.thin_faces if thin else report.overhang_faces
    return {"report": {"faces": [int(f) for f in faces], "line": line, "summary": line}}


def _make_manifold(ob, scene, params, output) -> dict:
    return {"report": report_dict(manifold.make_manifold(ob))}


def _hollow(ob, scene, params, output) -> dict:
    return {"report": report_dict(hollow.hollow(ob, params["thickness"],
                                                drain_holes=params.get("drain_holes", 0),
                                                drain_diameter=params.get("drain_diameter")))}


def _decimate(ob, scene, params, output) -> dict:
    return {"report": report_dict(decimate.decimate_to(ob, int(params["target_faces"])))}


def _scale(ob, scene, params, output) -> dict:
    before = ob.scale.copy()
    report = scaling.scale_to_miniature(ob, params["scale"], params.get("custom_height_mm"),
                                        params.get("subject_height_cm"))
    return {"report": report_dict(report),
            "scale": [ob.scale[i] / before[i] if before[i] else 1.0 for i in range(3)]}


def _export_stl(ob, scene, params, output) -> dict:
    path = scaling.export_stl_mm(ob, output(params["out"]), scene)
    return {"report": {"path": str(path), "summary": f"STL written in mm: {path}"}}


def _export_glb(ob, scene, params, output) -> dict:
    return {"report": report_dict(decimate.export_glb(ob, output(params["out"]),
                                                      params.get("draco", True)))}


TOOLS = {
    "check": PrintTool("Print check", _check),
    "select_faces": PrintTool("Find faces", _select_faces, fingerprinted=True),
    "make_manifold": PrintTool("Make manifold", _make_manifold, replaces_mesh=True,
                               changes_object=True, fingerprinted=True),
    "hollow": PrintTool("Hollow", _hollow, replaces_mesh=True, changes_object=True,
                        fingerprinted=True),
    "decimate": PrintTool("Decimate", _decimate, replaces_mesh=True, changes_object=True,
                          fingerprinted=True),
    "scale": PrintTool("Scale to miniature", _scale, changes_object=True, fingerprinted=True),
    "export_stl": PrintTool("Export STL", _export_stl),
    "export_glb": PrintTool("Export GLB", _export_glb),
}
#: Tools whose result replaces the object's mesh.
MESH_TOOLS = tuple(name for name, tool in TOOLS.items() if tool.replaces_mesh)


def tool(name: str) -> PrintTool:
    found = TOOLS.get(name)
    if found is None:
        raise ValidationError(f"Unknown print tool {name!r}.")
    return found


def run(name: str, ob, scene, params: dict, output: Callable[[str], Path] = Path) -> dict:
    """Tool *name* on *ob*: its answer (``{"tool": name, "report": {...}, ...}``)."""
    answer: dict = {"tool": name}
    answer.update(tool(name).run(ob, scene, params, output))
    return answer
