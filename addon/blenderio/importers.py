"""Blender's importers on a downloaded model, and what the add-on does to the result.

Runs inside the helper Blender (into its empty scene), and on the main
thread only when the helper is unavailable (the in-process fallback): one
code path, so both give the same objects. The scene part that must happen
in the user's file (collection, cursor, selection, undo) is ``importing.py``'s.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import bpy
from mathutils import Matrix, Vector

from ...bridge.errors import ImportFailedError

#: The model files Blender imports, most preferred first (GLB keeps materials best).
MODEL_EXTS = (".glb", ".gltf", ".fbx", ".obj", ".ply", ".stl")

_SECRET_KEYS = {"api_key", "token", "image3d_token", "authorization"}
#: Metres per unit, for model files whose numbers carry no unit (the job says which).
METRES_PER_UNIT = {"mm": 0.001, "cm": 0.01, "m": 1.0, "in": 0.0254}
UNITLESS = (".stl", ".obj", ".ply")


def clean_request(record: dict | None) -> dict:
    """The request for a custom property: no secrets, no base64 pictures."""
    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if str(k).lower() not in _SECRET_KEYS}
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, str) and value.startswith("data:"):
            return "<inline picture>"
        return value
    return clean(record or {})


def tags_for(job_id: str, task_id: str, provider: str, request: dict | None) -> dict:
    """The custom properties a result carries: where it came from, secrets removed."""
    return {"aistudio_job": task_id or job_id, "aistudio_local_job": job_id,
            "aistudio_provider": provider or "",
            "aistudio_request": json.dumps(clean_request(request))}


def window_override() -> dict:
    wm = bpy.context.window_manager
    if wm is not None and wm.windows:
        window = wm.windows[0]
        return {"window": window, "screen": window.screen}
    return {}


@contextlib.contextmanager
def in_window():
    """Run operators in Blender's window: a timer's context may have none.

    The override is made only when it is needed (no window in the context, one in the
    window manager): inside ``temp_override`` every context lookup an operator makes
    reads a Python dict, and Blender does that without the GIL, which ``bpy.ops``
    released. If one of our threads runs Python meanwhile, the allocator is corrupted
    and the process dies (caught with PYTHONMALLOC=debug: ``stl_export`` →
    ``CTX_data_main`` → ``BPY_context_member_get``).
    """
    override = window_override() if bpy.context.window is None else {}
    if not override:
        yield
        return
    with bpy.context.temp_override(**override):
        yield


def _call_importer(path: Path) -> set:
    ext = path.suffix.lower()
    with in_window():
        if ext in (".glb", ".gltf"):
            return bpy.ops.import_scene.gltf(filepath=str(path))
        if ext == ".obj":
            return bpy.ops.wm.obj_import(filepath=str(path))
        if ext == ".stl":
            return bpy.ops.wm.stl_import(filepath=str(path))
        if ext == ".ply":
            return bpy.ops.wm.ply_import(filepath=str(path))
        if ext == ".fbx":
            return bpy.ops.import_scene.fbx(filepath=str(path))
    raise ImportFailedError(f"No importer for {path.name}.")


DRACO = "KHR_draco_mesh_compression"


def gltf_extensions(path: Path) -> set:
    """The extensions a .glb or .gltf file says it uses (empty when it cannot be read)."""
    import json
    import struct
    try:
        with open(path, "rb") as fh:
            head = fh.read(20)
            if head[:4] == b"glTF" and len(head) == 20:
                length, kind = struct.unpack("<II", head[12:20])
                text = fh.read(min(length, 64 << 20)) if kind == 0x4E4F534A else b"{}"
            else:
                text = head + fh.read(64 << 20)
        data = json.loads(text.decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return set()
    if not isinstance(data, dict):
        return set()
    return {e for key in ("extensionsUsed", "extensionsRequired")
            for e in (data.get(key) or []) if isinstance(e, str)}


def draco_available() -> bool:
    """Whether this Blender's glTF importer can decode Draco meshes (some Linux builds lack
    the library: Debian's Blender 4.3 ships none)."""
    try:
        from io_scene_gltf2.io.com import draco
        return Path(draco.dll_path()).exists()
    except (ImportError, AttributeError, OSError):
        return False


def check_readable(path: Path) -> None:
    """Refuse, in words, what this Blender's importer cannot read before it half-reads it."""
    if path.suffix.lower() in (".glb", ".gltf") and DRACO in gltf_extensions(path) \
            and not draco_available():
        raise ImportFailedError(
            f"{path.name} is Draco-compressed, and this Blender's glTF importer has no Draco "
            "library (some Linux distributions' Blender builds leave it out). Open it in a "
            "Blender from blender.org, or send it through the Convert tool to FBX or OBJ. "
            f"The file stays in {path.parent}.")


def run_importer(path: Path) -> None:
    check_readable(path)
    try:
        result = _call_importer(path)
    except RuntimeError as exc:  # what bpy.ops raises when an importer fails
        raise ImportFailedError(f"Blender could not import {path.name}: "
                                f"{str(exc).strip()[:200]}") from None
    if "FINISHED" not in result:
        raise ImportFailedError(f"Blender could not import {path.name}.")


def import_objects(path: Path, name: str, collection) -> tuple[bpy.types.Object, list]:
    """Import *path* into *collection*; the one top-level object (named *name*) and all new ones."""
    before = set(bpy.data.objects)
    run_importer(path)
    new = [o for o in bpy.data.objects if o not in before]
    if not new:
        raise ImportFailedError(f"{path.name} contained no objects.")
    for obj in new:
        for other in list(obj.users_collection):
            other.objects.unlink(obj)
        collection.objects.link(obj)
    tops = [o for o in new if o.parent is None or o.parent not in new]
    if len(tops) == 1:
        top = tops[0]
    else:
        # Several roots: one empty gives the user a single thing to move.
        top = bpy.data.objects.new(name, None)
        collection.objects.link(top)
        for obj in tops:
            obj.parent = top
        new.append(top)
    top.name = name
    if top.type == "MESH" and top.data.users == 1:
        top.data.name = name   # not the downloaded file's name (STL, PLY name it after the file)
    return top, new


def world_bounds(objects) -> tuple[Vector, Vector] | None:
    lo = Vector((float("inf"),) * 3)
    hi = Vector((float("-inf"),) * 3)
    found = False
    for obj in objects:
        if obj.type != "MESH":
            continue
        for corner in obj.bound_box:
            world = obj.matrix_world @ Vector(corner)
            lo = Vector(map(min, lo, world))
            hi = Vector(map(max, hi, world))
            found = True
    return (lo, hi) if found else None


def scale_to_height(top, objects, height_cm: float, scale_length: float) -> None:
    """Scale *top* so the meshes under it stand *height_cm* tall in the user's units."""
    bpy.context.view_layer.update()  # matrix_world of just-parented objects
    bounds = world_bounds(objects)
    if bounds is None:
        return
    current = bounds[1].z - bounds[0].z
    if current <= 0:
        return
    # One Blender unit shows as scale_length metres, so divide to get units.
    target = (height_cm / 100.0) / (scale_length or 1.0)
    top.scale = top.scale * (target / current)


def unit_factor(path: Path, unit: str | None, scale_length: float) -> float:
    """How much an importer's numbers must grow to be the model's true size in scene units.

    STL, OBJ and PLY hold bare numbers (Blender reads one as one unit); a job
    that sent an STL in mm gets one back in mm. glTF is metres and its importer
    honours the scene's unit scale itself; FBX names its unit.
    """
    if not unit or unit not in METRES_PER_UNIT or Path(path).suffix.lower() not in UNITLESS:
        return 1.0
    return METRES_PER_UNIT[unit] / (scale_length or 1.0)


def apply_factor(top, objects, factor: float) -> None:
    """Scale the result by *factor*: into a lone mesh's vertices (object scale stays 1), else *top*."""
    if factor == 1.0:
        return
    lone = top.type == "MESH" and len(objects) == 1 and top.data.users == 1
    if lone:
        top.data.transform(Matrix.Scale(factor, 4))
    else:
        top.scale = top.scale * factor
    top.location = top.location * factor


def result_bounds(top, objects) -> list | None:
    """The result's world bounds relative to *top*'s location: where its geometry sits."""
    bpy.context.view_layer.update()
    bounds = world_bounds(objects)
    if bounds is None:
        return None
    origin = top.matrix_world.translation
    return [list(bounds[0] - origin), list(bounds[1] - origin)]


def tag(obj, tags: dict) -> None:
    for key, value in tags.items():
        obj[key] = value
