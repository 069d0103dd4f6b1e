"""Retexture, retopologize and bake scene meshes: from objects to the steps of a chain.

Texture edit, topology and bake read models by address only. Each mesh the
tool reads comes as its address on the service when it has a fresh one of
exactly this geometry (``meshaddress.py``: free), else as a GLB the helper
exports and one ``convert`` uploads (10 credits); ``bridge/api/mesh_chains.py``
turns that into steps, with a ``convert`` of the address where the tool needs
another format (texture edit reads FBX). The operator and the panel's price
both come from :func:`plan`, so the price on the button is the price of the
steps sent.

Meshes travel in their own object coordinates — the frame their addresses
are in — and the result gets its source's rotation and scale back, beside
it. A bake matches the two meshes where they stand in the scene, like
Blender's Selected to Active: the high-poly goes in the low-poly's
coordinates (and reuses its own address only when both share a transform).
"""

from __future__ import annotations

import dataclasses
from typing import Callable, ClassVar

import bpy
from mathutils import Matrix

from ...bridge.api import chains, mesh_chains
from ...bridge.api.base import Credits
from ...bridge.api.tools import ConvertRequest
from ...bridge.errors import ValidationError
from ..blenderio import geometry, importers, meshaddress
from . import naming

TOOLS = ("RETEXTURE", "RETOPOLOGY", "BAKE")
#: The button's words ("Retexture · 90 credits").
BUTTON_WORDS = {"RETEXTURE": "Retexture", "RETOPOLOGY": "Retopology", "BAKE": "Bake"}
#: Quads survive only in a format that keeps them (GLB holds triangles).
QUAD_FORMAT = "fbx"
SAME_FRAME = 1e-5


@dataclasses.dataclass
class ChainRequest:
    """A chain of requests that the submit guard handles as one: one price, one check."""

    steps: list
    KIND: ClassVar[str] = "tool"
    LABEL: ClassVar[str] = "Model tool"

    @property
    def PROVIDER(self) -> str:   # noqa: N802  (read like a request's class attribute)
        return self.steps[-1].request.PROVIDER

    def credits(self) -> Credits:
        total = chains.total_credits(self.steps)
        if len(self.steps) > 1:
            return dataclasses.replace(total, note=chains.describe(self.steps))
        return total

    def validate(self) -> None:
        chains.check_chain(self.steps)

    def summary(self) -> str:
        return chains.describe(self.steps)

    def map_requests(self, change: Callable) -> "ChainRequest":
        """The same chain with each step's request passed through *change*."""
        return ChainRequest([dataclasses.replace(step, request=change(step.request))
                             for step in self.steps])


@dataclasses.dataclass
class Options:
    prompt: str | None = None
    image: str | None = None
    enable_pbr: bool | None = None
    polygon_type: str | None = None
    face_level: str | None = None
    original_url: str = ""
    retopo_url: str = ""


@dataclasses.dataclass
class Mesh:
    """One scene mesh the chain reads, and how it goes."""

    obj: object
    role: str = ""
    matrix: Matrix | None = None   # the frame it is sent in; None: its own coordinates
    fingerprint: str = ""
    url: str = ""                  # a fresh address of this geometry: nothing to upload
    upload: str = ""               # else the GLB the helper writes


@dataclasses.dataclass
class Plan:
    request: ChainRequest
    label: str
    meta: dict
    source: object                 # the object the result belongs beside


def _same_frame(matrix: Matrix) -> bool:
    identity = Matrix.Identity(4)
    return all(abs(matrix[r][c] - identity[r][c]) <= SAME_FRAME for r in range(4) for c in range(4))


def _mesh(obj, role: str, formats: tuple, matrix: Matrix | None, drawing: bool) -> Mesh:
    if drawing:   # the panel: only a mesh with an address is worth fingerprinting
        fingerprint = meshaddress.fingerprint_for_drawing(obj) if meshaddress.stored(obj) else ""
    else:
        fingerprint = geometry.fingerprint(obj)
    url = meshaddress.usable(obj, fingerprint, formats) if matrix is None and fingerprint else ""
    return Mesh(obj, role, matrix, fingerprint, url)


def _overlap(a, b) -> bool:
    (alo, ahi), (blo, bhi) = importers.world_bounds([a]), importers.world_bounds([b])
    return all(alo[i] <= bhi[i] and blo[i] <= ahi[i] for i in range(3))


def _bake_meshes(context, options: Options, drawing: bool) -> tuple[Mesh | str, Mesh | str]:
    """(high, low): a scene mesh each, or the address a script gave."""
    low_obj = context.active_object
    highs = [o for o in context.selected_objects if o is not low_obj and o.type == "MESH"]
    high: Mesh | str = options.original_url
    if not high:
        if len(highs) != 1:
            raise ValidationError("Bake needs two meshes: select the high-poly, then the low-poly "
                                  "last (active)." if not highs else
                                  f"Bake takes one high-poly; {len(highs)} other meshes are "
                                  "selected. Select the high-poly and the low-poly (active) only.")
        high_obj = highs[0]
        if not options.retopo_url and not _overlap(high_obj, low_obj):
            raise ValidationError(f"{high_obj.name} and {low_obj.name} do not overlap where they "
                                  "stand: move the low-poly onto the high-poly first (the bake "
                                  "matches them in the scene, like Selected to Active).")
        relative = low_obj.matrix_world.inverted_safe() @ high_obj.matrix_world
        high = _mesh(high_obj, "high-poly", mesh_chains.BAKE_HIGH_FORMATS,
                     None if _same_frame(relative) else relative, drawing)
    low: Mesh | str = options.retopo_url or _mesh(low_obj, "low-poly", mesh_chains.BAKE_LOW_FORMATS,
                                                  None, drawing)
    return high, low


def _source(item, upload: Callable[[Mesh], str]) -> mesh_chains.ModelSource:
    if isinstance(item, str):   # an address given by a script: sent as it is
        return mesh_chains.ModelSource(url=item, as_is=True)
    if item.url:
        return mesh_chains.ModelSource(url=item.url, role=item.role)
    item.upload = upload(item)
    return mesh_chains.ModelSource(file=item.upload, role=item.role, pending=True)


def plan(context, tool: str, options: Options, upload: Callable[[Mesh], str],
         drawing: bool = False) -> Plan:
    """The chain for *tool* on the selection; *upload(mesh)* gives the file a mesh is sent as.

    Raises ValidationError for a selection the tool cannot use (nothing spent).
    """
    active = context.active_object
    if tool == "BAKE":
        high, low = _bake_meshes(context, options, drawing)
        meshes = [m for m in (high, low) if isinstance(m, Mesh)]
        high_source, low_source = _source(high, upload), _source(low, upload)
        steps = mesh_chains.bake_steps(high_source, low_source)
    elif tool in ("RETEXTURE", "RETOPOLOGY"):
        formats = (mesh_chains.TEXTURE_EDIT_FORMATS if tool == "RETEXTURE"
                   else mesh_chains.TOPOLOGY_FORMATS)
        meshes = [_mesh(active, "", formats, None, drawing)]
        source = _source(meshes[0], upload)
        if tool == "RETEXTURE":
            steps = mesh_chains.retexture_steps(source, options.prompt or None, options.image or None,
                                                options.enable_pbr)
        else:
            quads = options.polygon_type == "quadrilateral"
            steps = mesh_chains.retopology_steps(source, options.polygon_type, options.face_level,
                                                 QUAD_FORMAT if quads else None)
    else:
        raise ValidationError(f"{tool} is not one of the address tools ({', '.join(TOOLS)}).")
    name = naming.tool_result(active.name, tool)   # "<source> retextured"
    meta = {"source": "tool", "tool": tool, "placement": "beside", "source_object": active.name,
            "frame": "local", "copies": _copies(steps, meshes),
            "reused": [{"object": m.obj.name, "url": m.url} for m in meshes if m.url]}
    return Plan(ChainRequest(steps), name, meta, active)


def _copies(steps: list, meshes: list[Mesh]) -> dict:
    """Chain step (1-based, as the engine numbers them) → the mesh its convert copies.

    Only meshes sent in their own coordinates: a high-poly sent in the
    low-poly's frame is not the high-poly's own geometry anywhere else.
    """
    out = {}
    for n, step in enumerate(steps, 1):
        request = step.request
        if not isinstance(request, ConvertRequest):
            continue
        for mesh in meshes:
            if mesh.matrix is None and mesh.fingerprint and (
                    (mesh.upload and request.model_file == mesh.upload)
                    or (mesh.url and request.model_url == mesh.url)):
                out[str(n)] = {"object": mesh.obj.name, "geometry": mesh.fingerprint,
                               "format": request.output_format}
    return out


def drawing_upload(mesh: Mesh) -> str:
    """For the price on the button: a name, nothing written (it is only counted)."""
    return f"{mesh.obj.name}.glb"


def panel_options(tools) -> Options:
    """The Tools panel's choices, for pricing (the picture is not read: prices do not
    depend on it)."""
    picture = tools.retexture_from == "PICTURE"
    return Options(prompt=None if picture else (tools.retexture_prompt or None),
                   image="picture.png" if picture else None,
                   enable_pbr=True if tools.enable_pbr else None, polygon_type=tools.polygon_type,
                   face_level=tools.face_level)


def priced(context, tool: str, options: Options) -> tuple[str, list[str]]:
    """("Retexture · 90 credits", lines for the panel): the button and what it will do.

    The lines say which meshes go as kept addresses (nothing uploaded) and the
    steps with their prices; or, when the selection will not do, why.
    """
    word = BUTTON_WORDS.get(tool, "Run")
    try:
        found = plan(context, tool, options, drawing_upload, drawing=True)
    except ValidationError as exc:
        return word, [exc.message]
    request = found.request
    lines = [f"{entry['object']}: its copy on the service is reused"
             for entry in found.meta["reused"]]
    if len(request.steps) > 1:
        lines.append(request.summary())
    return f"{word} · {dataclasses.replace(request.credits(), note='')}", lines


def after_import(job_id: str, model_path, meta: dict, top) -> None:
    """An imported result: its file's address on it, and a tool's result turned like its source.

    A chain tool's result is in its source's own coordinates (``frame`` local):
    it gets the source's rotation and scale back, where the import placed it.
    """
    if top is None:
        return
    meshaddress.remember_import(job_id, model_path, top)
    source = bpy.data.objects.get(meta.get("source_object") or "")
    if meta.get("frame") == "local" and source is not None:
        _location, rotation, scale = source.matrix_world.decompose()
        if top.rotation_mode == "QUATERNION":
            top.rotation_quaternion = rotation
        elif top.rotation_mode == "AXIS_ANGLE":
            axis, angle = rotation.to_axis_angle()
            top.rotation_axis_angle = (angle, *axis)
        else:
            top.rotation_euler = rotation.to_euler(top.rotation_mode)
        top.scale = scale   # the location is the importer's: beside the source
