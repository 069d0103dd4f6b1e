"""What the helper Blender can be asked to do, one function per task kind.

Each task gets the job's folder and plain arguments, reads and writes only
files inside that folder, and answers with a small dict. Data comes in as
a .blend the main thread wrote with ``bpy.data.libraries.write`` and goes
back the same way, so the main thread only appends. The Blender state is
reset after every task, so tasks never see each other's data.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import bpy
from mathutils import Matrix

from ....bridge.errors import HelperTaskError, ValidationError
from ...blenderio import exporters, geometry, importers, thumbnail
from ...pictures import fileio
from ...printing import multiview, tools


def reset() -> None:
    bpy.ops.wm.read_factory_settings(use_empty=True)


def peak_kb() -> int:
    """Peak resident memory of this process in kB (VmHWM on Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return int(peak / 1024) if sys.platform == "darwin" else int(peak)
    except (ImportError, OSError):
        return 0


def _inside(folder: Path, path: str, what: str) -> Path:
    """*path* resolved, refused unless it lies inside the job's *folder*."""
    resolved = Path(path).resolve()
    if os.path.commonpath([str(resolved), str(folder)]) != str(folder):
        raise HelperTaskError(f"The helper refused the {what} {resolved}: it is outside the job's "
                              f"folder {folder}.")
    return resolved


def run(request: dict, progress) -> dict:
    kind = request.get("task", "")
    handler = HANDLERS.get(kind)
    if handler is None:
        raise HelperTaskError(f"The helper Blender has no task {kind!r}.")
    folder = Path(request.get("folder") or ".").resolve()
    return handler(folder, request.get("args") or {}, progress)


def ping(folder: Path, args: dict, progress) -> dict:
    return {"version": bpy.app.version_string}


def import_model(folder: Path, args: dict, progress) -> dict:
    model = _inside(folder, args["model"], "model")
    out = _inside(folder, args["out"], "output")
    scene = bpy.context.scene
    scene.unit_settings.scale_length = float(args.get("scale_length") or 1.0)
    progress(5, "Importing")
    top, new = importers.import_objects(model, args.get("name") or model.stem, scene.collection)
    geometry.stamp_import(top, model)   # before any scaling: is it the file's own geometry?
    importers.apply_factor(top, new, importers.unit_factor(model, args.get("unit"),
                                                           scene.unit_settings.scale_length))
    if args.get("height_cm"):
        importers.scale_to_height(top, new, float(args["height_cm"]), scene.unit_settings.scale_length)
    importers.tag(top, args.get("tags") or {})
    bounds = importers.result_bounds(top, new)
    progress(80, "Handing over")
    bpy.data.libraries.write(str(out), set(new), path_remap="ABSOLUTE")
    answer = {"blend": str(out), "objects": [o.name for o in new], "top": top.name, "bounds": bounds}
    if args.get("thumbnail"):
        progress(90, "Thumbnail")
        answer["thumbnail"] = thumbnail.render(new, _inside(folder, args["thumbnail"], "thumbnail"))
    return answer


def _load_object(folder: Path, args: dict) -> bpy.types.Object:
    """The object the main thread wrote, in this scene with its world matrix."""
    blend = _inside(folder, args["blend"], "model")
    name = args["object"]
    with bpy.data.libraries.load(str(blend), link=False) as (source, target):
        if name not in source.objects:
            raise HelperTaskError(f"{name} is not in the file the add-on wrote.")
        target.objects = [name]
    ob = target.objects[0]
    scene = bpy.context.scene
    scene.unit_settings.scale_length = float(args.get("scale_length") or 1.0)
    scene.collection.objects.link(ob)
    ob.parent = None
    ob.matrix_world = Matrix(args["matrix"])
    bpy.context.view_layer.objects.active = ob
    ob.select_set(True)
    bpy.context.view_layer.update()
    return ob


def export_model(folder: Path, args: dict, progress) -> dict:
    ob = _load_object(folder, args)
    out = _inside(folder, args["out"], "output")
    progress(10, "Exporting")
    exporters.export_object(bpy.context, ob, out, args.get("format", "GLB"))
    return {"path": str(out), "bytes": out.stat().st_size}


def _hand_back_mesh(ob: bpy.types.Object, out: Path) -> dict:
    """Write the object's new mesh without its materials: the user's file has them already."""
    mesh = ob.data
    for index in range(len(mesh.materials)):
        mesh.materials[index] = None   # slots stay, so faces keep their material index
    bpy.data.libraries.write(str(out), {mesh}, path_remap="ABSOLUTE")
    return {"blend": str(out), "mesh": mesh.name, "vertices": len(mesh.vertices),
            "faces": len(mesh.polygons)}


def print_tool(folder: Path, args: dict, progress) -> dict:
    """A print tool of :data:`printing.tools.TOOLS` on the object the main thread wrote."""
    name, params = args["tool"], args.get("params") or {}
    found = tools.tool(name)   # before any work: an unknown tool is said at once
    ob = _load_object(folder, args)
    progress(10, "Working")
    answer = tools.run(name, ob, bpy.context.scene, params,
                       lambda path: _inside(folder, path, "output"))
    if found.replaces_mesh:
        progress(85, "Handing over")
        answer.update(_hand_back_mesh(ob, _inside(folder, args["out"], "output")))
    return answer


def capture_views(folder: Path, args: dict, progress) -> dict:
    """Front, back, left and right of the written objects, as the add-on renders them."""
    blend = _inside(folder, args["blend"], "model")
    out = _inside(folder, args["out"], "output")
    wanted = {item["name"]: item["matrix"] for item in args["objects"]}
    with bpy.data.libraries.load(str(blend), link=False) as (source, target):
        target.objects = [name for name in wanted if name in source.objects]
    scene = bpy.context.scene
    scene.unit_settings.scale_length = float(args.get("scale_length") or 1.0)
    objects = []
    for ob in target.objects:
        if ob is None:
            continue
        scene.collection.objects.link(ob)
        ob.parent = None   # a parent left out of the selection: keep where the object was
        ob.matrix_world = Matrix(wanted[ob.name])
        objects.append(ob)
    bpy.context.view_layer.update()
    done = []

    def rendered(view: str) -> None:
        done.append(view)
        progress(10 + 22 * len(done), f"Rendered {view}")

    paths = multiview.capture_views(objects, out, int(args.get("resolution") or 512), scene=scene,
                                    prefix=args.get("prefix", "view"), on_view=rendered)
    return {"paths": {view: str(path) for view, path in paths.items()}}


def over_grey(folder: Path, args: dict, progress) -> dict:
    try:
        return fileio.over_grey_file(_inside(folder, args["source"], "picture"),
                                       _inside(folder, args["dest"], "output"),
                                       name=args.get("name", ""))
    except ValidationError as exc:
        if args.get("optional"):
            return {"skipped": str(exc)}   # a result picture Blender cannot read keeps no grey copy
        raise


def picture_to_png(folder: Path, args: dict, progress) -> dict:
    return fileio.picture_to_png(_inside(folder, args["source"], "picture"),
                                   _inside(folder, args["dest"], "output"), name=args.get("name", ""))


def save_pixels(folder: Path, args: dict, progress) -> dict:
    return fileio.pixels_file_to_png(_inside(folder, args["pixels"], "pixels"),
                                       _inside(folder, args["dest"], "output"))


HANDLERS = {"ping": ping, "import_model": import_model, "export_model": export_model,
            "print_tool": print_tool, "over_grey": over_grey, "save_pixels": save_pixels,
            "picture_to_png": picture_to_png,
            "capture_views": capture_views}
