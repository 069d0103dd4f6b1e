"""Texels of UV triangles: which texel centres each triangle covers, and gutter filling.

Texture space is glTF's: u to the right, v down, so texel (row, col) has its
centre at ((col + 0.5) / size, (row + 0.5) / size). ``rasterise`` returns,
for every covered texel, the triangle and barycentric weights there, which
is what a bake or a recolour interpolates with; ``dilate`` spreads colours
into the empty texels around charts so bilinear filtering and mipmaps do
not pull in the background at seams.
"""

from __future__ import annotations

import numpy as np

_CHUNK_TEXELS = 4_000_000       # candidate texels handled at once (bounds memory, ~100 MB)


def rasterise(uv_tris: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(flat texel index, triangle, (N, 3) barycentrics) of every texel centre inside a triangle."""
    px = np.asarray(uv_tris, dtype=np.float64) * size - 0.5     # texel centres at integers
    x0 = np.clip(np.ceil(px[:, :, 0].min(axis=1)), 0, size).astype(np.int64)
    x1 = np.clip(np.floor(px[:, :, 0].max(axis=1)), -1, size - 1).astype(np.int64)
    y0 = np.clip(np.ceil(px[:, :, 1].min(axis=1)), 0, size).astype(np.int64)
    y1 = np.clip(np.floor(px[:, :, 1].max(axis=1)), -1, size - 1).astype(np.int64)
    width, height = np.maximum(x1 - x0 + 1, 0), np.maximum(y1 - y0 + 1, 0)
    counts = width * height
    out = ([], [], [])
    bounds = np.searchsorted(np.cumsum(counts), np.arange(1, counts.sum() // _CHUNK_TEXELS + 1)
                             * _CHUNK_TEXELS)
    for tris in np.split(np.arange(len(px)), np.unique(bounds)):
        n = counts[tris]
        tri = np.repeat(tris, n)
        local = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
        x = x0[tri] + local % width[tri]
        y = y0[tri] + local // np.maximum(width[tri], 1)
        a, b, c = px[tri, 0], px[tri, 1], px[tri, 2]
        v0, v1 = b - a, c - a
        v2 = np.stack([x, y], axis=1) - a
        den = v0[:, 0] * v1[:, 1] - v1[:, 0] * v0[:, 1]
        den = np.where(np.abs(den) < 1e-12, np.inf, den)
        w1 = (v2[:, 0] * v1[:, 1] - v1[:, 0] * v2[:, 1]) / den
        w2 = (v0[:, 0] * v2[:, 1] - v2[:, 0] * v0[:, 1]) / den
        bary = np.stack([1 - w1 - w2, w1, w2], axis=1)
        inside = (bary >= -1e-9).all(axis=1) & np.isfinite(den)
        out[0].append((y * size + x)[inside])
        out[1].append(tri[inside])
        out[2].append(bary[inside])
    return tuple(np.concatenate(part) if part else np.zeros((0,) + shape)
                 for part, shape in zip(out, ((), (), (3,))))


_NEIGHBOURS = [((slice(1, None), slice(None)), (slice(None, -1), slice(None))),
               ((slice(None, -1), slice(None)), (slice(1, None), slice(None))),
               ((slice(None), slice(1, None)), (slice(None), slice(None, -1))),
               ((slice(None), slice(None, -1)), (slice(None), slice(1, None)))]


def dilate(image: np.ndarray, filled: np.ndarray, steps: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """``image`` (H, W, C) with empty texels (``filled`` False) near filled ones given their mean.

    Each step grows the filled area by one texel (4-neighbourhood). Returns
    the image and the grown ``filled`` mask."""
    image = image.astype(np.float64).copy()
    filled = filled.copy()
    for _ in range(steps):
        if filled.all():
            break
        weighted = image * filled[..., None]
        total = np.zeros_like(image)
        count = np.zeros(filled.shape)
        for target, source in _NEIGHBOURS:
            total[target] += weighted[source]
            count[target] += filled[source]
        grow = ~filled & (count > 0)
        image[grow] = total[grow] / count[grow][:, None]
        filled |= grow
    return image, filled


def surface_texels(mesh, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(flat texel index, 3D point) of every texel a mesh's UV layout covers."""
    texel, tri, bary = rasterise(mesh.uvs, size)
    return texel, np.einsum("nk,nkj->nj", bary, mesh.triangles[tri])


def texture_image(texel: np.ndarray, colours: np.ndarray, size: int) -> np.ndarray:
    """(size, size, C) uint8 from per-texel colours in 0..1, gutters filled, unused texels the mean."""
    channels = colours.shape[1]
    image = np.zeros((size * size, channels))
    filled = np.zeros(size * size, dtype=bool)
    image[texel], filled[texel] = colours, True
    image, filled = dilate(image.reshape(size, size, channels), filled.reshape(size, size), steps=4)
    image[~filled] = colours.mean(axis=0) if len(colours) else 0.5
    return np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)


def srgb_to_linear(c: np.ndarray) -> np.ndarray:
    c = np.asarray(c, dtype=np.float64)
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def linear_to_srgb(c: np.ndarray) -> np.ndarray:
    c = np.clip(np.asarray(c, dtype=np.float64), 0.0, 1.0)
    return np.where(c <= 0.0031308, c * 12.92, 1.055 * c ** (1 / 2.4) - 0.055)


def sample_texture(pixels: np.ndarray, uv: np.ndarray) -> np.ndarray:
    """(N, 3) sRGB colours in 0..1 at glTF UVs (nearest texel, repeat wrapping)."""
    height, width = pixels.shape[:2]
    col = np.floor(uv[:, 0] * width).astype(np.int64) % width
    row = np.floor(uv[:, 1] * height).astype(np.int64) % height
    rgb = pixels[row, col][:, :3] if pixels.ndim == 3 else np.repeat(pixels[row, col][:, None], 3, 1)
    return rgb.astype(np.float64) / 255.0
