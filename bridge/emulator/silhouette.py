"""A model from a picture: its silhouette, extruded, textured with the picture.

The outline comes from the alpha channel when the picture has one, else
from the difference to its border colour (product shots on a plain
background). The mask is sampled on a grid of at most ``MAX_CELLS`` cells
along the long side; each filled cell becomes a front and a back quad, and
every edge between a filled and an empty cell a side wall, so the result is
a closed solid whose volume and bounding box mean something.
"""

from __future__ import annotations

import numpy as np

from ..pngcodec import PngError, decode_png, encode_png
from .mesh import Material, Part, face_normals

MAX_CELLS = 80
THICKNESS = 0.15          # of the figure's height
BORDER_DIFFERENCE = 40    # 0..255 per channel: what counts as "not background"
MAX_TEXTURE = 1024        # long side of the embedded texture, in pixels


def silhouette_mask(pixels: np.ndarray) -> np.ndarray:
    """True where the subject is."""
    if pixels.shape[2] == 4 and int(pixels[..., 3].min()) < 250:
        return pixels[..., 3] > 127
    rgb = pixels[..., :3].astype(np.int16)
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    background = np.median(border, axis=0)
    return np.abs(rgb - background).max(axis=2) > BORDER_DIFFERENCE


def _downsample_texture(pixels: np.ndarray) -> np.ndarray:
    step = int(np.ceil(max(pixels.shape[:2]) / MAX_TEXTURE))
    return pixels[::step, ::step] if step > 1 else pixels


def _grid(mask: np.ndarray) -> tuple[np.ndarray, int, int, int]:
    """Occupied cells of the mask's bounding box: (cells, cell size px, top, left)."""
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    crop = mask[top:bottom, left:right]
    k = max(1, int(np.ceil(max(crop.shape) / MAX_CELLS)))
    h, w = -(-crop.shape[0] // k), -(-crop.shape[1] // k)
    padded = np.zeros((h * k, w * k), dtype=np.float32)
    padded[:crop.shape[0], :crop.shape[1]] = crop
    cells = padded.reshape(h, k, w, k).mean(axis=(1, 3)) >= 0.5
    return cells, k, int(top), int(left)


def extrude_mask(cells: np.ndarray, cell_px: int, top: int, left: int, image_size: tuple[int, int],
                 material: Material, height: float = 1.0) -> Part:
    """Closed solid of the filled cells, standing on y=0, ``height`` tall, centred in x and z."""
    # Trim empty border cells so the figure stands on y=0 and its box is tight.
    filled_rows = np.flatnonzero(cells.any(axis=1))
    filled_cols = np.flatnonzero(cells.any(axis=0))
    cells = cells[filled_rows[0]:filled_rows[-1] + 1, filled_cols[0]:filled_cols[-1] + 1]
    top += int(filled_rows[0]) * cell_px
    left += int(filled_cols[0]) * cell_px
    rows, cols = cells.shape
    unit = height / rows
    depth = THICKNESS * height
    img_h, img_w = image_size
    width = cols * unit
    r, c = np.nonzero(cells)

    def corner(rr, cc, z):
        """Position and UV of grid corner (row rr, col cc) on the face at depth z."""
        x = cc * unit - width / 2
        y = (rows - rr) * unit
        u = (left + cc * cell_px) / img_w
        v = (top + rr * cell_px) / img_h
        zz = np.full(np.shape(rr), z, dtype=np.float64)
        return np.stack([x, y, zz], -1), np.stack([u, v], -1)

    quads, quad_uvs, normals = [], [], []

    def add(corner_rows, corner_cols, zs, normal):
        pos, uv = zip(*(corner(rr, cc, z) for rr, cc, z in zip(corner_rows, corner_cols, zs)))
        quads.append(np.stack(pos, axis=1))
        quad_uvs.append(np.stack(uv, axis=1))
        normals.append(np.broadcast_to(np.asarray(normal, float), (len(corner_rows[0]), 3)))

    f, b = depth / 2, -depth / 2
    add((r + 1, r + 1, r, r), (c, c + 1, c + 1, c), (f, f, f, f), (0, 0, 1))
    add((r + 1, r, r, r + 1), (c, c, c + 1, c + 1), (b, b, b, b), (0, 0, -1))
    padded = np.pad(cells, 1)
    walls = (((-1, 0), (r, r), (c, c + 1), (0, 1, 0)),       # empty above: wall on the top edge
             ((1, 0), (r + 1, r + 1), (c, c + 1), (0, -1, 0)),
             ((0, -1), (r, r + 1), (c, c), (-1, 0, 0)),
             ((0, 1), (r, r + 1), (c + 1, c + 1), (1, 0, 0)))
    for (dr, dc), (ra, rb), (ca, cb), normal in walls:
        open_side = ~padded[r + 1 + dr, c + 1 + dc]
        ra, rb, ca, cb = ra[open_side], rb[open_side], ca[open_side], cb[open_side]
        pos = [corner(ra, ca, f)[0], corner(rb, cb, f)[0], corner(rb, cb, b)[0], corner(ra, ca, b)[0]]
        uv = [corner(ra, ca, f)[1], corner(rb, cb, f)[1], corner(rb, cb, b)[1], corner(ra, ca, b)[1]]
        quads.append(np.stack(pos, axis=1))
        quad_uvs.append(np.stack(uv, axis=1))
        normals.append(np.broadcast_to(np.asarray(normal, float), (len(ra), 3)))

    quad_arr = np.concatenate(quads)
    uv_arr = np.concatenate(quad_uvs)
    want = np.concatenate(normals)
    tris = np.concatenate([quad_arr[:, [0, 1, 2]], quad_arr[:, [0, 2, 3]]])
    tri_uv = np.concatenate([uv_arr[:, [0, 1, 2]], uv_arr[:, [0, 2, 3]]])
    want = np.concatenate([want, want])
    # Walls were listed without regard to winding: flip any triangle facing inwards.
    flip = np.einsum("ij,ij->i", face_normals(tris), want) < 0
    tris[flip] = tris[flip][:, ::-1]
    tri_uv[flip] = tri_uv[flip][:, ::-1]
    positions = tris.reshape(-1, 3)
    return Part(positions.astype(np.float32), np.repeat(want, 3, axis=0).astype(np.float32),
                tri_uv.reshape(-1, 2).astype(np.float32),
                np.arange(len(positions), dtype=np.uint32), material, "figure")


def model_from_png(png: bytes, height: float = 1.0) -> tuple[list[Part], dict]:
    """(parts, metadata) of the picture's extruded silhouette; raises PngError if unreadable."""
    pixels = decode_png(png)
    mask = silhouette_mask(pixels)
    if not mask.any():
        raise PngError("The picture has no visible subject (it is fully transparent or uniform).")
    cells, k, top, left = _grid(mask)
    texture = _downsample_texture(pixels)
    material = Material("picture", (1.0, 1.0, 1.0, 1.0), texture_png=encode_png(texture))
    part = extrude_mask(cells, k, top, left, mask.shape, material, height)
    rows = np.flatnonzero(mask.any(axis=1))
    cols = np.flatnonzero(mask.any(axis=0))
    meta = {"source": "silhouette", "mask": "alpha" if pixels.shape[2] == 4 and
            int(pixels[..., 3].min()) < 250 else "border colour",
            "silhouette_px": [int(cols[-1] - cols[0] + 1), int(rows[-1] - rows[0] + 1)]}
    return [part], meta
