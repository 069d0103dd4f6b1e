"""Bake a textured high-poly model's colours into a texture on a low-poly model.

Every texel the low-poly's UV layout covers is placed on the low-poly's
surface in 3D, and takes the colour of the nearest point of the high-poly's
surface (dense area-weighted samples of it, coloured from its material and
texture). The low-poly keeps its own UVs when they are inside the unit
square and do not overlap, and gets an atlas otherwise. Colours are mixed
in linear light and stored as sRGB, like any base-colour texture.
"""

from __future__ import annotations

import numpy as np

from ..pngcodec import decode_png, encode_png
from .mesh import Material
from .nearest import nearest
from .polymesh import PolyMesh
from .texels import linear_to_srgb, sample_texture, srgb_to_linear, surface_texels, texture_image
from .uv_atlas import atlas_uvs, usable_uvs

MAX_SAMPLES = 150_000
MIN_SAMPLES = 20_000


def _decoded_textures(mesh: PolyMesh) -> dict[int, np.ndarray]:
    textures = {}
    for index, material in enumerate(mesh.materials):
        if material.texture_png:
            textures[index] = decode_png(material.texture_png)
    return textures


def surface_samples(mesh: PolyMesh, count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3) points spread over the surface by area, and their (N, 3) linear RGB colours."""
    tris = mesh.triangles
    area = 0.5 * np.linalg.norm(np.cross(tris[:, 1] - tris[:, 0], tris[:, 2] - tris[:, 0]), axis=1)
    if area.sum() <= 0:
        raise ValueError("the high-poly model has no surface area to bake from")
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(tris), size=count, p=area / area.sum())
    a, b = rng.random((2, count))
    flip = a + b > 1
    a[flip], b[flip] = 1 - a[flip], 1 - b[flip]
    bary = np.stack([1 - a - b, a, b], axis=1)
    points = np.einsum("nk,nkj->nj", bary, tris[pick])
    materials = mesh.tri_materials[pick]
    factors = np.array([m.color[:3] for m in mesh.materials], dtype=np.float64)
    colours = factors[materials].copy()
    uvs = mesh.uvs
    for index, pixels in _decoded_textures(mesh).items():
        mine = materials == index
        if uvs is not None and mine.any():
            uv = np.einsum("nk,nkj->nj", bary[mine], uvs[pick[mine]])
            colours[mine] *= srgb_to_linear(sample_texture(pixels, uv))
    return points, colours


def bake(high: PolyMesh, low: PolyMesh, size: int) -> tuple[PolyMesh, dict]:
    """The low-poly with UVs and one material whose texture holds the high-poly's colours."""
    kept_uvs = usable_uvs(low)
    target = low if kept_uvs else atlas_uvs(low, size)
    texel, points = surface_texels(target, size)
    count = int(np.clip(2 * len(texel), MIN_SAMPLES, MAX_SAMPLES))
    samples, colours = surface_samples(high, count)
    texel_colours = linear_to_srgb(colours[nearest(samples, points)])
    png = encode_png(texture_image(texel, texel_colours, size))
    baked = Material("baked", (1.0, 1.0, 1.0, 1.0), png, metallic=0.0, roughness=0.8)
    result = target.replace(face_materials=np.zeros(target.face_count, np.int64), materials=[baked])
    return result, {"uvs": "kept" if kept_uvs else "generated atlas", "texels_baked": int(len(texel)),
                    "surface_samples": count}
