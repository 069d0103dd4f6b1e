"""Where an imported result stands: at the 3D cursor, in a row beside earlier results.

A result lands at the 3D cursor, like anything Blender adds. Artists make
variants: ten results on one cursor stand inside each other. So when earlier
AI Studio results already stand where the new one would, it moves along +X
to stand beside them, a small gap apart; a spot moved away from is free
again. A tool's result stands beside its source mesh instead.

Each result keeps where its geometry lies relative to its origin (its
bounds, measured at import) as ``aistudio_bounds``: finding a free spot then
reads a few numbers per earlier result, not their meshes, and needs no
depsgraph update (results placed in the same tick count as well).
"""

from __future__ import annotations

import bpy
from mathutils import Vector

from ..blenderio import importers

BOUNDS_KEY = "aistudio_bounds"
#: When the result's extent is unknown: a 1 m box around its origin.
UNKNOWN = ([-0.5, -0.5, 0.0], [0.5, 0.5, 1.0])


def place(top, meta: dict, scene, collection, bounds: list | None = None) -> None:
    """Stand *top* at the cursor (or beside earlier results there), or beside its source.

    *bounds* are where the result's geometry lies relative to its origin (a result
    in world coordinates, like a cloud STL, is not at its origin).
    """
    if bounds is not None:   # kept per unit of the top's scale: it follows a later rescale
        scale = [abs(s) or 1.0 for s in top.scale]
        top[BOUNDS_KEY] = [float(v) / s for corner in bounds for v, s in zip(corner, scale)]
    source = bpy.data.objects.get(meta.get("source_object") or "")
    if meta.get("placement") != "beside" or source is None:
        others = [footprint(o) for o in collection.objects if o.parent is None and o != top]
        top.location = free_spot(scene.cursor.location, bounds or UNKNOWN,
                                 [f for f in others if f is not None])
        return
    around = importers.world_bounds([source])
    if bounds is None or around is None:
        top.location = source.matrix_world.translation + Vector((source.dimensions.x or 1.0, 0, 0))
        return
    (lo, hi), (s_lo, s_hi) = (Vector(bounds[0]), Vector(bounds[1])), around
    top.location = Vector((s_hi.x - lo.x, (s_lo.y + s_hi.y - lo.y - hi.y) / 2, s_lo.z - lo.z))


def footprint(obj) -> tuple[Vector, Vector] | None:
    """Where an earlier result stands now (its recorded bounds, moved and scaled with it)."""
    values = obj.get(BOUNDS_KEY)
    if values is None or len(values) != 6:
        return None
    scale = [abs(s) for s in obj.scale]
    lo = Vector([v * s for v, s in zip(values[:3], scale)])
    hi = Vector([v * s for v, s in zip(values[3:], scale)])
    return obj.location + lo, obj.location + hi


def free_spot(cursor, bounds, others: list) -> Vector:
    """The cursor, or the first spot along +X from it where the result overlaps none of *others*."""
    lo, hi = Vector(bounds[0]), Vector(bounds[1])
    gap = max(0.05, 0.1 * (hi.x - lo.x))
    spot = Vector(cursor)
    for _ in range(len(others) + 1):   # each move clears at least one of them
        blocking = [o for o in others if _overlap(spot + lo, spot + hi, *o)]
        if not blocking:
            return spot
        spot.x = max(o[1].x for o in blocking) - lo.x + gap
    return spot


def _overlap(a_lo, a_hi, b_lo, b_hi, eps: float = 1e-6) -> bool:
    """Boxes that share space (a flat result, zero tall, still counts)."""
    return all(a_lo[i] < b_hi[i] + eps and b_lo[i] < a_hi[i] + eps for i in range(3))
