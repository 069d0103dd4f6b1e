"""Nearest sample point for many query points, with numpy only (no SciPy in Blender's Python).

Samples are bucketed on a uniform grid sized so an occupied cell holds a
few of them. A query looks in the 2×2×2 block of cells around the cell
corner nearest to it, which holds every sample within half a cell, and
keeps the closest candidate. Queries that find nothing there (far from the
surface, as a coarse retopology can be in places) try again on a grid three
times coarser over a ninth of the samples (the same count per cell), and so
on: every query gets an answer, exact when close, to about a cell when far.
"""

from __future__ import annotations

import itertools

import numpy as np

_PER_CELL = 8                    # candidates kept per cell; samples are dense, the rest are near twins
_BLOCK = np.array(list(itertools.product((0, 1), repeat=3)), dtype=np.int64)


class _Grid:
    def __init__(self, points: np.ndarray, cell: float):
        self.cell = cell
        self.lo = points.min(axis=0) - cell
        cells = np.floor((points - self.lo) / cell).astype(np.int64)
        self.dims = cells.max(axis=0) + 2
        keys = self._key(cells)
        order = np.argsort(keys, kind="stable")
        self.keys, starts, counts = np.unique(keys[order], return_index=True, return_counts=True)
        slot = np.arange(_PER_CELL)
        index = np.where(slot < counts[:, None], order[np.minimum(starts[:, None] + slot, len(order) - 1)], -1)
        # One row per occupied cell, plus a last row for "no cell": far-away coordinates never win.
        self.index = np.vstack([index, np.full((1, _PER_CELL), -1)])
        coords = np.where((index >= 0)[..., None], points[np.maximum(index, 0)], 1e18).astype(np.float32)
        self.coords = np.concatenate([coords, np.full((1, _PER_CELL, 3), 1e18, np.float32)])

    def _key(self, cells: np.ndarray) -> np.ndarray:
        return (cells[..., 0] * self.dims[1] + cells[..., 1]) * self.dims[2] + cells[..., 2]

    def query(self, queries: np.ndarray) -> np.ndarray:
        """Index of the nearest sample per query, or -1 where the block around it is empty."""
        base = np.floor((queries - self.lo) / self.cell - 0.5).astype(np.int64)
        valid = ((base >= 0) & (base < self.dims - 1)).all(axis=1)      # the whole block lies in the grid
        base_key = self._key(np.clip(base, 0, self.dims - 2))
        q = queries.astype(np.float32)[:, None, :]
        rows = np.arange(len(queries))
        best_d = np.full(len(queries), np.inf, dtype=np.float32)
        best_i = np.full(len(queries), -1, dtype=np.int64)
        for offset in _BLOCK:
            keys = base_key + self._key(offset)
            where = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
            row = np.where(valid & (self.keys[where] == keys), where, len(self.keys))
            distance = ((self.coords[row] - q) ** 2).sum(axis=2)
            pick = distance.argmin(axis=1)
            nearest_d = distance[rows, pick]
            closer = nearest_d < best_d
            best_d[closer] = nearest_d[closer]
            best_i[closer] = self.index[row[closer], pick[closer]]
        return best_i


def nearest(points: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """For each query, the index of the (approximately) nearest point."""
    points = np.asarray(points, dtype=np.float64)
    queries = np.asarray(queries, dtype=np.float64)
    extent = float(np.ptp(points, axis=0).max()) or 1.0
    # Samples lie on a surface, so about sqrt(N) cells span it: a few samples per occupied cell.
    cell = 2.0 * extent / max(np.sqrt(len(points)), 1.0)
    shuffled = np.random.default_rng(0).permutation(len(points))
    result = np.full(len(queries), -1, dtype=np.int64)
    pending = np.arange(len(queries))
    keep = len(points)
    while len(pending):
        subset = shuffled[:max(keep, 1)]
        found = _Grid(points[subset], cell).query(queries[pending])
        result[pending] = np.where(found >= 0, subset[np.maximum(found, 0)], -1)
        pending = pending[found < 0]
        cell, keep = cell * 3.0, keep // 9
    return result
