"""A distinct, deterministic model for every prompt.

Keywords (chair, table, robot, tree, vase, sword, character …) map to
assemblies of primitives a user recognises at a glance; any other prompt
picks one of several generic shapes by a hash of its text, with proportions
and colour from the same hash, so two prompts rarely look alike and the
same prompt always gives the same file.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from .mesh import Material, Part, box, cone, cylinder, lathe, part_from_triangles, sphere


def prompt_rng(text: str) -> np.random.Generator:
    seed = int.from_bytes(hashlib.sha256(text.strip().lower().encode("utf-8")).digest()[:8], "little")
    return np.random.default_rng(seed)


def _colour(rng: np.random.Generator) -> tuple[float, float, float, float]:
    r, g, b = rng.uniform(0.2, 0.9, 3)
    return (float(r), float(g), float(b), 1.0)


def _chair(rng):
    legs = [box((x, 0.22, z), (0.05, 0.44, 0.05)) for x in (-0.2, 0.2) for z in (-0.2, 0.2)]
    return [("wood", [*legs, box((0, 0.47, 0), (0.5, 0.06, 0.5)),
                      box((0, 0.8, -0.22), (0.5, 0.6, 0.05))])]


def _table(rng):
    w = rng.uniform(0.9, 1.6)
    legs = [box((x, 0.36, z), (0.07, 0.72, 0.07)) for x in (-w / 2 + 0.08, w / 2 - 0.08)
            for z in (-0.32, 0.32)]
    return [("wood", [*legs, box((0, 0.75, 0), (w, 0.06, 0.8))])]


def _robot(rng):
    body = [box((0, 0.75, 0), (0.5, 0.6, 0.3)), box((0, 1.22, 0), (0.32, 0.3, 0.28)),
            box((-0.34, 0.78, 0), (0.12, 0.5, 0.12)), box((0.34, 0.78, 0), (0.12, 0.5, 0.12)),
            box((-0.13, 0.22, 0), (0.15, 0.44, 0.15)), box((0.13, 0.22, 0), (0.15, 0.44, 0.15))]
    eyes = [box((x, 1.26, 0.145), (0.06, 0.05, 0.02)) for x in (-0.07, 0.07)]
    antenna = [cylinder((0, 1.37, 0), 0.015, 0.15, 8), sphere((0, 1.55, 0), 0.04, 6, 10)]
    return [("metal", body), ("accent", eyes + antenna)]


def _tree(rng):
    h = rng.uniform(0.5, 0.8)
    crown = [cone((0, h, 0), 0.55, 0.8), cone((0, h + 0.45, 0), 0.4, 0.65)]
    return [("bark", [cylinder((0, 0, 0), 0.09, h + 0.05, 12)]), ("leaves", crown)]


def _vase(rng):
    belly = rng.uniform(0.18, 0.28)
    profile = [(0.1, 0.0), (belly, 0.2), (belly * 0.9, 0.4), (0.07, 0.62), (0.06, 0.72), (0.1, 0.8)]
    return [("glaze", [lathe(profile, segments=32)])]


def _sword(rng):
    return [("steel", [box((0, 0.75, 0), (0.08, 1.0, 0.015)), cone((0, 1.25, 0), 0.04, 0.12, 4)]),
            ("grip", [box((0, 0.24, 0), (0.32, 0.04, 0.06)), cylinder((0, 0.0, 0), 0.025, 0.22, 12),
                      sphere((0, 0.0, 0), 0.045, 6, 12)])]


def _character(rng):
    body = [cylinder((x, 0, 0), 0.07, 0.8, 12) for x in (-0.1, 0.1)]
    body += [lathe([(0.15, 0.8), (0.2, 1.1), (0.24, 1.4), (0.08, 1.45)], segments=20)]
    body += [cylinder((x, 0.85, 0), 0.05, 0.55, 10) for x in (-0.3, 0.3)]
    return [("cloth", body), ("skin", [sphere((0, 1.6, 0), 0.16, 10, 16)])]


def _animal(rng):
    body = [box((0, 0.45, 0), (0.25, 0.25, 0.7))]
    body += [box((x, 0.17, z), (0.07, 0.34, 0.07)) for x in (-0.09, 0.09) for z in (-0.27, 0.27)]
    body += [box((0, 0.65, 0.4), (0.18, 0.18, 0.22)), box((0, 0.5, -0.42), (0.04, 0.04, 0.2))]
    return [("fur", body)]


def _car(rng):
    body = [box((0, 0.3, 0), (0.8, 0.25, 1.8)), box((0, 0.55, -0.1), (0.7, 0.25, 0.9))]
    wheels = [sphere((x, 0.18, z), 0.18, 8, 12) for x in (-0.4, 0.4) for z in (-0.6, 0.6)]
    return [("paint", body), ("tyre", wheels)]


# -- generic shapes, picked by hash ------------------------------------------------

def _blob(rng):
    phi = np.linspace(0, np.pi, 13)
    radius = 0.4 * np.sin(phi) * (1 + 0.25 * rng.uniform(-1, 1, 13))
    radius[0] = radius[-1] = 0.0
    return [("body", [lathe(np.stack([radius, 0.45 - 0.45 * np.cos(phi)], 1), segments=24)])]


def _tower(rng):
    parts, y, w = [], 0.0, 0.6
    for _ in range(int(rng.integers(3, 6))):
        h = float(rng.uniform(0.15, 0.35))
        parts.append(box((0, y + h / 2, 0), (w, h, w)))
        y, w = y + h, w * float(rng.uniform(0.6, 0.9))
    return [("stone", parts)]


def _mushroom(rng):
    h = rng.uniform(0.3, 0.6)
    cap = [(0.45, 0.0), (0.4, 0.12), (0.25, 0.25), (0.0, 0.3)]
    return [("stem", [cylinder((0, 0, 0), 0.1, h, 16)]), ("cap", [lathe(cap, (0, h, 0), 24)])]


def _crystal(rng):
    sides = int(rng.integers(5, 9))
    return [("crystal", [lathe([(0.0, 0.0), (0.25, 0.35), (0.25, 0.7), (0.0, 1.1)], segments=sides)])]


def _stack(rng):
    parts, y = [], 0.0
    for i in range(int(rng.integers(2, 5))):
        r, h = 0.45 - 0.1 * i, float(rng.uniform(0.1, 0.25))
        parts.append(cylinder((0, y, 0), r, h, 20))
        y += h
    return [("layers", parts)]


KEYWORD_SHAPES = {
    "chair": _chair, "stool": _chair, "seat": _chair,
    "table": _table, "desk": _table,
    "robot": _robot, "android": _robot, "mech": _robot,
    "tree": _tree, "pine": _tree, "plant": _tree,
    "vase": _vase, "pot": _vase, "bottle": _vase, "teapot": _vase,
    "sword": _sword, "blade": _sword, "dagger": _sword,
    "character": _character, "person": _character, "man": _character, "woman": _character,
    "human": _character, "knight": _character, "girl": _character, "boy": _character,
    "dog": _animal, "cat": _animal, "horse": _animal, "fox": _animal, "animal": _animal,
    "car": _car, "truck": _car, "vehicle": _car,
}
GENERIC_SHAPES = {"blob": _blob, "tower": _tower, "mushroom": _mushroom,
                  "crystal": _crystal, "stack": _stack}


def shape_for_prompt(prompt: str) -> tuple[str, list[Part]]:
    """(shape name, parts) for a prompt; the same prompt gives the same model."""
    rng = prompt_rng(prompt)
    words = re.findall(r"[a-z]+", prompt.lower())
    name = next((w for w in words if w in KEYWORD_SHAPES), None)
    if name is not None:
        builder = KEYWORD_SHAPES[name]
    else:
        name = sorted(GENERIC_SHAPES)[int(rng.integers(len(GENERIC_SHAPES)))]
        builder = GENERIC_SHAPES[name]
    parts = []
    for material_name, pieces in builder(rng):
        material = Material(material_name, _colour(rng))
        parts.append(part_from_triangles(np.concatenate(pieces), material, material_name))
    return name, parts


def generic_slab(material: Material, aspect: float = 1.0) -> list[Part]:
    """A rounded-corner-free plaque: the honest stand-in when a picture can't be read."""
    w = float(np.clip(aspect, 0.2, 5.0))
    return [part_from_triangles(box((0, 0.5, 0), (w, 1.0, 0.08)), material, "placeholder")]
