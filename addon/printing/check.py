"""The print check: is the active mesh ready to slice, and how big is it?

Every figure a slicer would complain about, computed from a world-space copy
so object scale and modifiers count (and none depends on where the object
stands: volumes are measured from each shell's own centre), in the units a printer
uses (mm, ml) via the scene's unit scale (1 BU = 1 m × scale_length).
Topology is judged on the welded shape (see ``topology``): UV seams split
vertices but not the surface a printer prints. All of it runs on numpy
arrays and in Blender's own C++ (BVH overlap, a Raycast node), never per
element in Python, so a 500k-triangle result checks in about a second.
"""

from __future__ import annotations

import dataclasses
import math

import bpy
import numpy as np

from ...bridge.errors import PrintPrepError
from .meshdata import MeshArrays, world_mesh
from .surface import Probe, overhang_faces, probe_faces
from .topology import analyse, neighbours, weld_distance

DEFAULT_MIN_THICKNESS_MM = 0.8     # two 0.4 mm perimeters; resin walls want about the same
DEFAULT_OVERHANG_ANGLE = math.radians(45.0)
PLATE_TOLERANCE_MM = 0.05          # about one layer: faces this close to the bottom rest on the plate


def _faces(count: int) -> str:
    return f"{count:,} face" + ("" if count == 1 else "s")


def _no_faces() -> np.ndarray:
    return np.zeros(0, np.int64)


@dataclasses.dataclass
class PrintCheckReport:
    non_manifold_edges: int      # welded edges not shared by exactly two faces (boundary included)
    holes: int                   # boundary loops of the welded shape
    loose_parts: int             # separate pieces; a hollow's inner wall is not one
    self_intersections: int      # pairs of faces that cut each other (neighbours excluded)
    volume_bu3: float            # signed-sum volume in scene units³
    volume_ml: float
    height_mm: float
    faces: int
    seam_splits: int = 0         # vertex copies along UV seams / hard edges, welded for the check
    has_uvs: bool = False
    shells: int = 0              # connected pieces including cavities
    cavities: int = 0            # inward-facing shells inside another: the hollow inside
    inside_out: int = 0          # inward-facing shells that enclose nothing: flipped normals
    min_thickness_mm: float = 0.0            # the limit the thickness check used (0: not run)
    thin_faces: np.ndarray = dataclasses.field(default_factory=_no_faces)
    thinnest_mm: float = math.inf
    overhang_angle: float = DEFAULT_OVERHANG_ANGLE
    overhang_faces: np.ndarray = dataclasses.field(default_factory=_no_faces)
    overhang_area_fraction: float = 0.0

    @property
    def watertight(self) -> bool:
        return self.non_manifold_edges == 0 and self.holes == 0

    def as_dict(self) -> dict:
        """Plain JSON-ready values (face lists as lists), e.g. to cross a process boundary."""
        return {f.name: (getattr(self, f.name).tolist() if f.name.endswith("_faces")
                         else getattr(self, f.name)) for f in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, values: dict) -> "PrintCheckReport":
        return cls(**{k: np.asarray(v, np.int64) if k.endswith("_faces") else v
                      for k, v in values.items()})

    def lines(self) -> list[str]:
        parts = f"Loose parts: {self.loose_parts:,}"
        if self.cavities:
            parts += f" (+ {self.cavities} inner cavit{'y' if self.cavities == 1 else 'ies'}: hollow)"
        lines = ["Watertight: yes" if self.watertight else "Watertight: NO",
                 f"Non-manifold edges: {self.non_manifold_edges:,}",
                 f"Holes: {self.holes:,}",
                 parts]
        if self.inside_out:
            lines.append(f"Inside-out shells: {self.inside_out} (flipped normals)")
        lines.append(f"Self-intersections: {self.self_intersections:,}")
        if self.seam_splits:
            kind = "UV seam splits" if self.has_uvs else "Split vertices"
            lines.append(f"{kind}: {self.seam_splits:,} (welded for the check, not holes)")
        lines += [self.thickness_line(), self.overhang_line(),
                  f"Volume: {self.volume_ml:.2f} ml",
                  f"Height: {self.height_mm:.1f} mm"]
        return [line for line in lines if line]

    def thickness_line(self) -> str:
        if self.min_thickness_mm <= 0:
            return ""
        if not len(self.thin_faces):
            return f"Thin walls: none under {self.min_thickness_mm:g} mm"
        return (f"Thin walls: {_faces(len(self.thin_faces))} under {self.min_thickness_mm:g} mm "
                f"(thinnest {self.thinnest_mm:.2f} mm)")

    def overhang_line(self) -> str:
        degrees = math.degrees(self.overhang_angle)
        if not len(self.overhang_faces):
            return f"Overhangs: none past {degrees:.0f}°"
        return (f"Overhangs: {_faces(len(self.overhang_faces))} past {degrees:.0f}° "
                f"({self.overhang_area_fraction:.0%} of the surface)")


def unit_scale(scene: bpy.types.Scene | None = None) -> float:
    """Metres per Blender unit."""
    scene = scene or bpy.context.scene
    return float(scene.unit_settings.scale_length or 1.0)


def bu3_to_ml(volume_bu3: float, scale_length: float) -> float:
    # m³ → ml is ×1e6.
    return volume_bu3 * scale_length ** 3 * 1e6


def _setting(scene, name: str, default: float) -> float:
    """A value from ``scene.aistudio.printing`` when the add-on's settings exist there."""
    printing = getattr(getattr(scene, "aistudio", None), "printing", None)
    return float(getattr(printing, name, default)) if printing is not None else default


def self_intersections(touching: np.ndarray, arr: MeshArrays, welded: np.ndarray) -> int:
    """Pairs of faces that cut each other, out of the pairs whose triangles overlap.

    Overlap tests report faces that merely touch at a shared vertex or edge
    too; those are neighbours, not cuts. Neighbours are judged on the welded
    vertices, so faces either side of a UV seam are neighbours as well (a
    fold between neighbours goes unseen, as in most print checks).
    """
    return int((~neighbours(touching, arr, welded)).sum()) if len(touching) else 0


def wall_thickness(probe: Probe, arr: MeshArrays, welded: np.ndarray) -> np.ndarray:
    """Per face: the thinnest wall its triangles' rays found; inf where none within the limit.

    A ray that lands on its own face or a neighbour (sharing a welded vertex)
    measured a fold or the corner of a sharp edge, often a boolean's sliver
    beside a rim, not a wall: it counts as no measurement. A thin fin or a
    hollow's wall spans more than one ring of faces, so it is still found.
    """
    thickness = np.full(len(arr.start), np.inf)
    hit = np.flatnonzero(probe.hit_face >= 0)
    pairs = np.stack([probe.owner[hit], probe.hit_face[hit]], axis=1)
    real = hit[~neighbours(pairs, arr, welded)]
    np.minimum.at(thickness, probe.owner[real], probe.distance[real])
    return thickness


def _overhangs(report: PrintCheckReport, arr: MeshArrays, mm_to_bu: float) -> None:
    if not len(arr.start) or not len(arr.corners):
        return
    z = arr.co[arr.corners, 2]
    report.overhang_faces = overhang_faces(arr.face_normal, arr.face_area,
                                           np.maximum.reduceat(z, arr.start), report.overhang_angle,
                                           float(z.min()), PLATE_TOLERANCE_MM * mm_to_bu)
    total = arr.face_area.sum()
    if total > 0:
        report.overhang_area_fraction = float(arr.face_area[report.overhang_faces].sum() / total)


def check_mesh(mesh: bpy.types.Mesh, scale_length: float, *,
               min_thickness_mm: float = DEFAULT_MIN_THICKNESS_MM,
               overhang_angle: float = DEFAULT_OVERHANG_ANGLE) -> PrintCheckReport:
    """The check of *mesh*, taken as world space."""
    arr = MeshArrays(mesh)
    topo = analyse(arr)
    mm_to_bu = 1.0 / (1000.0 * scale_length)
    limit = max(min_thickness_mm, 0.0) * mm_to_bu
    probe = probe_faces(mesh, weld_distance(arr.co) if topo.seam_splits else 0.0, limit,
                        triangulate=bool(len(arr.total)) and int(arr.total.max()) > 3)
    volume = abs(float(topo.shell_volume.sum()))   # each shell from its own centre
    report = PrintCheckReport(
        non_manifold_edges=topo.non_manifold_edges,
        holes=topo.holes,
        loose_parts=topo.shells - topo.cavities,
        self_intersections=self_intersections(probe.touching, arr, topo.welded),
        volume_bu3=volume,
        volume_ml=bu3_to_ml(volume, scale_length),
        height_mm=float(np.ptp(arr.co[:, 2])) * scale_length * 1000.0 if len(arr.co) else 0.0,
        faces=len(arr.start),
        seam_splits=topo.seam_splits,
        has_uvs=len(mesh.uv_layers) > 0,
        shells=topo.shells,
        cavities=topo.cavities,
        inside_out=topo.inside_out,
        min_thickness_mm=max(min_thickness_mm, 0.0),
        overhang_angle=overhang_angle,
    )
    if limit > 0:
        thickness = wall_thickness(probe, arr, topo.welded)
        report.thin_faces = np.flatnonzero(thickness < limit)
        if len(report.thin_faces):
            report.thinnest_mm = float(thickness[report.thin_faces].min()) / mm_to_bu
    _overhangs(report, arr, mm_to_bu)
    return report


def check_object(ob: bpy.types.Object, scene: bpy.types.Scene | None = None, *,
                 min_thickness_mm: float | None = None, overhang_angle: float | None = None,
                 evaluated: bool = True) -> PrintCheckReport:
    """The print check of a mesh object, in world space with modifiers applied.

    Thickness and overhang limits default to ``scene.aistudio.printing``
    (when the add-on's settings are there), else to the module defaults. With
    *evaluated* False the object's own mesh is judged (no modifiers), so the
    face indices in the report are the user's faces (for selecting them).
    """
    if ob is None or ob.type != "MESH":
        raise PrintPrepError("The print check needs a mesh object; select one and make it active.")
    scene = scene or bpy.context.scene
    if min_thickness_mm is None:
        min_thickness_mm = _setting(scene, "min_thickness_mm", DEFAULT_MIN_THICKNESS_MM)
    if overhang_angle is None:
        overhang_angle = _setting(scene, "overhang_angle", DEFAULT_OVERHANG_ANGLE)
    mesh = world_mesh(ob, evaluated)
    try:
        return check_mesh(mesh, unit_scale(scene), min_thickness_mm=min_thickness_mm,
                          overhang_angle=overhang_angle)
    finally:
        bpy.data.meshes.remove(mesh)
