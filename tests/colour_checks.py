"""Colour tests the texture tools' results are judged by (sRGB 0–255, any leading shape)."""

import numpy as np


def is_red(rgb) -> np.ndarray:
    rgb = np.asarray(rgb, dtype=float)
    return (rgb[..., 0] > 1.8 * rgb[..., 1]) & (rgb[..., 0] > 1.8 * rgb[..., 2]) & (rgb[..., 0] > 80)


def is_blue(rgb) -> np.ndarray:
    rgb = np.asarray(rgb, dtype=float)
    return (rgb[..., 2] > 1.8 * rgb[..., 0]) & (rgb[..., 2] > 1.4 * rgb[..., 1]) & (rgb[..., 2] > 80)
