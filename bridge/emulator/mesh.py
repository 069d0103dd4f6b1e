"""Triangle meshes as numpy arrays, and the primitives the shapes are built from.

Every part is flat shaded (each triangle owns its three vertices): the
emulator's models only have to look recognisable and import cleanly, and
flat shading makes normals and winding trivially right. Coordinates follow
glTF: metres, +Y up, front faces +Z, counter-clockwise seen from outside.
"""

from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass
class Material:
    name: str = "Material"
    color: tuple[float, float, float, float] = (0.8, 0.8, 0.8, 1.0)
    texture_png: bytes | None = None
    metallic: float = 0.0
    roughness: float = 0.8
    metal_rough_png: bytes | None = None   # glTF layout: roughness in G, metalness in B
    normal_png: bytes | None = None        # tangent-space normal map


@dataclasses.dataclass
class Part:
    """One primitive: indexed triangles with one material."""

    positions: np.ndarray                  # (N, 3) float32
    normals: np.ndarray                    # (N, 3) float32
    uvs: np.ndarray                        # (N, 2) float32
    indices: np.ndarray                    # (M,) uint32, 3 per triangle
    material: Material
    name: str = "part"

    def triangles(self) -> np.ndarray:
        return self.positions[self.indices.reshape(-1, 3)]


def bounds(parts: list[Part]) -> tuple[np.ndarray, np.ndarray]:
    allpos = np.concatenate([p.positions for p in parts])
    return allpos.min(axis=0), allpos.max(axis=0)


def transformed(parts: list[Part], scale: float = 1.0, offset=(0.0, 0.0, 0.0)) -> list[Part]:
    """Uniformly scaled then moved copies (normals are unchanged by uniform scale)."""
    off = np.asarray(offset, dtype=np.float32)
    return [dataclasses.replace(p, positions=(p.positions * np.float32(scale) + off).astype(np.float32))
            for p in parts]


def merge_by_material(parts: list[Part]) -> list[Part]:
    """One part per material, so a GLB has as few primitives as possible."""
    groups: dict[int, list[Part]] = {}
    order: list[Material] = []
    for part in parts:
        key = id(part.material)
        if key not in groups:
            groups[key] = []
            order.append(part.material)
        groups[key].append(part)
    merged = []
    for material in order:
        group = groups[id(material)]
        offsets = np.cumsum([0] + [len(p.positions) for p in group[:-1]])
        merged.append(Part(
            positions=np.concatenate([p.positions for p in group]).astype(np.float32),
            normals=np.concatenate([p.normals for p in group]).astype(np.float32),
            uvs=np.concatenate([p.uvs for p in group]).astype(np.float32),
            indices=np.concatenate([p.indices + np.uint32(o) for p, o in zip(group, offsets)]
                                   ).astype(np.uint32),
            material=material, name=group[0].name))
    return merged


def face_normals(tris: np.ndarray) -> np.ndarray:
    n = np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0])
    length = np.linalg.norm(n, axis=1, keepdims=True)
    return n / np.where(length == 0, 1, length)


def part_from_triangles(tris: np.ndarray, material: Material, name: str = "part",
                        uvs: np.ndarray | None = None) -> Part:
    """A flat-shaded part from (T, 3, 3) triangles; UVs default to a front projection."""
    tris = np.asarray(tris, dtype=np.float64)
    area = np.linalg.norm(np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]), axis=1)
    keep = area > 1e-12  # pole triangles of a lathe collapse to nothing
    tris = tris[keep]
    positions = tris.reshape(-1, 3)
    normals = np.repeat(face_normals(tris), 3, axis=0)
    if uvs is None:
        lo, hi = positions.min(axis=0), positions.max(axis=0)
        span = np.where(hi - lo == 0, 1, hi - lo)
        uv = np.empty((len(positions), 2))
        uv[:, 0] = (positions[:, 0] - lo[0]) / span[0]
        uv[:, 1] = 1.0 - (positions[:, 1] - lo[1]) / span[1]
    else:
        uv = np.asarray(uvs, dtype=np.float64).reshape(-1, 3, 2)[keep].reshape(-1, 2)
    return Part(positions.astype(np.float32), normals.astype(np.float32), uv.astype(np.float32),
                np.arange(len(positions), dtype=np.uint32), material, name)


# -- primitives: each returns (T, 3, 3) triangles, outward and counter-clockwise ----

_BOX_FACES = (  # corners as (x, y, z) bits, counter-clockwise seen from outside
    ((0, 0, 0), (0, 0, 1), (0, 1, 1), (0, 1, 0)),
    ((1, 0, 0), (1, 1, 0), (1, 1, 1), (1, 0, 1)),
    ((0, 0, 0), (1, 0, 0), (1, 0, 1), (0, 0, 1)),
    ((0, 1, 0), (0, 1, 1), (1, 1, 1), (1, 1, 0)),
    ((0, 0, 0), (0, 1, 0), (1, 1, 0), (1, 0, 0)),
    ((0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)),
)


def quads_to_tris(quads: np.ndarray) -> np.ndarray:
    """(Q, 4, 3) quads → (2Q, 3, 3) triangles, keeping the winding."""
    return np.concatenate([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]])


def box(center, size) -> np.ndarray:
    c = np.asarray(center, dtype=np.float64)
    s = np.asarray(size, dtype=np.float64)
    corners = np.array(_BOX_FACES, dtype=np.float64)  # (6, 4, 3) of 0/1
    return quads_to_tris(c + (corners - 0.5) * s)


def lathe(profile, center=(0.0, 0.0, 0.0), segments: int = 24) -> np.ndarray:
    """Revolve a bottom-to-top profile of (radius, y) points about the vertical axis.

    Ends with a non-zero radius get a flat cap, so the solid is closed.
    """
    prof = np.asarray(profile, dtype=np.float64)
    theta = np.linspace(0.0, 2 * np.pi, segments + 1)[:-1]
    sin, cos = np.sin(theta), np.cos(theta)
    ring = np.stack([prof[:, 0:1] * sin, np.repeat(prof[:, 1:2], segments, axis=1),
                     prof[:, 0:1] * cos], axis=-1)  # (P, S, 3)
    nxt = np.roll(np.arange(segments), -1)
    a, b = ring[:-1], ring[:-1][:, nxt]
    c, d = ring[1:][:, nxt], ring[1:]
    quads = np.stack([a, b, c, d], axis=2).reshape(-1, 4, 3)
    tris = [quads_to_tris(quads)]
    if prof[0, 0] > 0:
        centre = np.array([0.0, prof[0, 1], 0.0])
        tris.append(np.stack([np.broadcast_to(centre, ring[0].shape), ring[0][nxt], ring[0]], axis=1))
    if prof[-1, 0] > 0:
        centre = np.array([0.0, prof[-1, 1], 0.0])
        tris.append(np.stack([np.broadcast_to(centre, ring[-1].shape), ring[-1], ring[-1][nxt]], axis=1))
    return np.concatenate(tris) + np.asarray(center, dtype=np.float64)


def cylinder(center, radius: float, height: float, segments: int = 24) -> np.ndarray:
    """Vertical cylinder standing on ``center`` (its bottom centre)."""
    return lathe([(radius, 0.0), (radius, height)], center, segments)


def cone(center, radius: float, height: float, segments: int = 24) -> np.ndarray:
    return lathe([(radius, 0.0), (0.0, height)], center, segments)


def sphere(center, radius: float, rings: int = 10, segments: int = 20) -> np.ndarray:
    phi = np.linspace(0.0, np.pi, rings + 1)
    profile = np.stack([radius * np.sin(phi), -radius * np.cos(phi)], axis=1)
    profile[0, 0] = profile[-1, 0] = 0.0
    return lathe(profile, center, segments)


def signed_volume(tris: np.ndarray) -> float:
    """Volume enclosed by a closed, outward-wound triangle soup (signed tetrahedra)."""
    t = np.asarray(tris, dtype=np.float64)
    return float(np.einsum("ij,ij->i", t[:, 0], np.cross(t[:, 1], t[:, 2])).sum() / 6.0)
