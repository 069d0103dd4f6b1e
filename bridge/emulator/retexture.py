"""The emulated texture edit: a new texture painted from a prompt or a reference picture.

A *palette* (main colour, second colour, pattern, metalness, roughness)
comes from the prompt's words — colour names, pattern words (stripes,
checker, dots, camo, marble, wood …), material words (gold, steel, rust …) —
or, for words it does not know, from a hash of the text; from a picture it
is the picture's two most common colours. The pattern is evaluated in 3D
over the model's bounding box and baked into its UV layout, so stripes read
as stripes on the model whatever its UVs. The main colour always covers most
of the surface (half, for a checker): "a red car" comes back visibly red. When the model keeps its
own UVs, the old texture's light and dark survive as shading in the new one.
"""

from __future__ import annotations

import dataclasses
import re

import numpy as np

from ..imagefile import sniff_image_type
from ..pngcodec import decode_png, encode_png
from .polymesh import PolyMesh
from .shapes import prompt_rng
from .texels import sample_texture

NAMED = {  # sRGB 0–255
    "red": (200, 30, 30), "crimson": (160, 20, 40), "maroon": (110, 20, 30), "green": (40, 160, 60),
    "lime": (140, 220, 50), "olive": (110, 110, 40), "blue": (40, 80, 200), "navy": (25, 35, 100),
    "cyan": (40, 200, 210), "teal": (30, 130, 130), "turquoise": (60, 200, 190),
    "yellow": (230, 200, 40), "orange": (235, 120, 30), "purple": (120, 50, 170),
    "violet": (140, 70, 200), "magenta": (200, 40, 160), "pink": (235, 120, 170),
    "brown": (120, 75, 40), "beige": (220, 200, 160), "black": (25, 25, 25), "white": (235, 235, 235),
    "grey": (128, 128, 128), "gray": (128, 128, 128), "gold": (212, 175, 55), "golden": (212, 175, 55),
    "silver": (192, 192, 200), "bronze": (180, 120, 60), "copper": (185, 100, 60), "brass": (200, 170, 80),
    "steel": (150, 155, 165), "iron": (100, 100, 105), "chrome": (210, 210, 215), "rust": (150, 70, 30),
    "rusty": (150, 70, 30), "wood": (140, 95, 55), "wooden": (140, 95, 55), "stone": (130, 125, 115),
    "marble": (230, 228, 220), "ice": (200, 230, 245), "lava": (220, 70, 20), "grass": (70, 140, 50),
    "sand": (210, 185, 130),
}
METALS = {"metal", "metallic", "steel", "iron", "gold", "golden", "silver", "chrome", "copper",
          "bronze", "brass", "aluminium", "aluminum"}
GLOSSY = {"glossy", "shiny", "polished", "glass", "lacquered", "wet", "chrome", "ceramic"}
MATTE = {"matte", "rough", "worn", "rusty", "rust", "stone", "fabric", "cloth", "wood", "wooden", "sand"}
PATTERNS = {"stripe": "stripes", "stripes": "stripes", "striped": "stripes", "check": "checker",
            "checker": "checker", "checkered": "checker", "chequered": "checker", "plaid": "checker",
            "dot": "dots", "dots": "dots", "dotted": "dots", "polka": "dots", "spots": "dots",
            "spotted": "dots", "camo": "camo", "camouflage": "camo", "marble": "marble",
            "wood": "wood", "wooden": "wood", "rust": "camo", "rusty": "camo"}
SECOND_SHARE = 0.3              # the second colour's share of the surface, at most


@dataclasses.dataclass
class Palette:
    primary: np.ndarray         # sRGB 0..1
    secondary: np.ndarray
    pattern: str = "mottled"
    metallic: float = 0.0
    roughness: float = 0.55
    source: str = "prompt"


def palette_from_prompt(prompt: str) -> Palette:
    words = re.findall(r"[a-z]+", prompt.lower())
    colours = [np.array(NAMED[w], dtype=np.float64) / 255.0 for w in words if w in NAMED]
    source = "prompt words" if colours else "prompt hash"
    if not colours:
        colours = [prompt_rng(prompt).uniform(0.15, 0.85, 3)]
    primary = colours[0]
    distinct = [c for c in colours[1:] if np.abs(c - primary).max() > 0.1]
    secondary = distinct[0] if distinct else np.clip(primary * 0.55 + 0.02, 0, 1)
    pattern = next((PATTERNS[w] for w in words if w in PATTERNS), "mottled")
    roughness = 0.2 if GLOSSY & set(words) else 0.85 if MATTE & set(words) else 0.55
    return Palette(primary, secondary, pattern, 1.0 if METALS & set(words) else 0.0, roughness, source)


def palette_from_picture(data: bytes) -> Palette:
    """The picture's two most common colours (background and transparent pixels left out)."""
    if sniff_image_type(data) != "png":
        colour = np.random.default_rng(len(data)).uniform(0.2, 0.8, 3)
        return Palette(colour, colour * 0.55, source="picture not decoded (only PNG is)")
    pixels = decode_png(data)
    rgb = pixels[..., :3].reshape(-1, 3).astype(np.float64)
    keep = pixels[..., 3].reshape(-1) > 127 if pixels.shape[2] == 4 else np.ones(len(rgb), bool)
    border = np.concatenate([pixels[0, :, :3], pixels[-1, :, :3], pixels[:, 0, :3], pixels[:, -1, :3]])
    background = np.median(border.astype(np.float64), axis=0)
    subject = keep & (np.abs(rgb - background).max(axis=1) > 30)
    if subject.mean() > 0.05:
        keep = subject
    rgb = rgb[keep] if keep.any() else rgb
    bins = (rgb // 64).astype(np.int64) @ [16, 4, 1]
    ranked = np.argsort(-np.bincount(bins, minlength=64), kind="stable")
    primary = rgb[bins == ranked[0]].mean(axis=0) / 255.0
    secondary = primary * 0.55
    for b in ranked[1:]:
        if (bins == b).any():
            candidate = rgb[bins == b].mean(axis=0) / 255.0
            if np.abs(candidate - primary).max() > 0.15:
                secondary = candidate
                break
    return Palette(primary, secondary, source="picture")


def _noise(points: np.ndarray, rng: np.random.Generator, cells: int) -> np.ndarray:
    """Smooth 3D value noise in 0..1 at points given in 0..1 (trilinear over a random lattice)."""
    lattice = rng.random((cells + 1,) * 3)
    x = np.clip(points, 0, 1) * cells
    i = np.minimum(np.floor(x).astype(np.int64), cells - 1)
    f = x - i
    f = f * f * (3 - 2 * f)
    out = np.zeros(len(points))
    for corner in np.ndindex(2, 2, 2):
        weight = np.prod(np.where(np.array(corner), f, 1 - f), axis=1)
        out += weight * lattice[i[:, 0] + corner[0], i[:, 1] + corner[1], i[:, 2] + corner[2]]
    return out


def pattern_mix(pattern: str, p: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(second-colour mask 0..1, brightness variation) at points normalised to the unit cube."""
    noise = _noise(p, rng, 6)
    fine = _noise(p, rng, 24)
    if pattern == "stripes":
        mask = (np.mod(p[:, 1] * 8 + 0.15 * noise, 1.0) < SECOND_SHARE).astype(float)
    elif pattern == "checker":
        mask = (np.floor(p * 6).sum(axis=1) % 2).astype(float)
    elif pattern == "dots":
        cell = np.mod(p * 8, 1.0) - 0.5
        mask = (np.linalg.norm(cell, axis=1) < 0.38).astype(float)
    elif pattern == "marble":
        mask = np.clip(1 - np.abs(np.sin((p[:, 0] + p[:, 1]) * 9 + 6 * noise)) * 6, 0, 1)
    elif pattern == "wood":
        rings = np.linalg.norm(p[:, [0, 2]] - 0.5, axis=1) * 14 + 3 * noise
        mask = (np.mod(rings, 1.0) < SECOND_SHARE).astype(float)
    elif pattern == "camo":
        mask = (noise > 0.6).astype(float)
    else:                                                    # mottled
        mask = np.clip((noise - 0.62) * 4, 0, 1)
    return mask, 0.88 + 0.24 * fine


def paint(mesh: PolyMesh, texel: np.ndarray, points: np.ndarray, palette: Palette, seed_text: str,
          old_texture: np.ndarray | None = None, size: int = 512) -> tuple[np.ndarray, np.ndarray]:
    """(texel colours sRGB 0..1, texel second-colour mask) for the covered texels."""
    lo, hi = mesh.bounds()
    unit = (points - lo) / np.where(hi - lo == 0, 1, hi - lo)
    mask, shade = pattern_mix(palette.pattern, unit, prompt_rng(seed_text))
    colours = palette.primary * (1 - mask[:, None]) + palette.secondary * mask[:, None]
    colours = colours * shade[:, None]
    if old_texture is not None:
        uv = np.stack([(texel % size + 0.5) / size, (texel // size + 0.5) / size], axis=1)
        light = sample_texture(old_texture, uv) @ [0.2126, 0.7152, 0.0722]
        colours *= np.clip(0.65 + 0.35 * light / max(light.mean(), 1e-3), 0.5, 1.3)[:, None]
    return np.clip(colours, 0, 1), mask


def pbr_maps(image: np.ndarray, mask: np.ndarray, palette: Palette) -> tuple[bytes, bytes]:
    """(metallic-roughness PNG, normal-map PNG) matching a painted texture.

    glTF packs roughness in green and metalness in blue; the normal map is
    the painted texture's brightness read as a gentle height field."""
    height = image.astype(np.float64).mean(axis=2) / 255.0
    rough = np.clip(palette.roughness + 0.15 * (0.5 - height) + 0.1 * mask, 0.05, 1.0)
    metal = np.where(mask > 0.5, palette.metallic * 0.3, palette.metallic) * np.ones_like(height)
    mr = np.stack([np.ones_like(height), rough, metal], axis=2) * 255.0
    dx = np.roll(height, -1, axis=1) - np.roll(height, 1, axis=1)
    dy = np.roll(height, -1, axis=0) - np.roll(height, 1, axis=0)
    normal = np.stack([-dx * 2.0, dy * 2.0, np.ones_like(height)], axis=2)
    normal /= np.linalg.norm(normal, axis=2, keepdims=True)
    return encode_png(mr), encode_png((normal * 0.5 + 0.5) * 255.0)
