"""Local emulator of 3D AI Studio and image3d.io (``python -m bridge.emulator``).

It validates request bodies against the wire contracts (unknown fields are
refused), charges credits, runs jobs on a scaled clock, and returns real
files: GLB models shaped by the prompt or the picture's silhouette, PNG
pictures, conversions to every format Blender reads back (FBX included),
coarser retopologies, prompt-recoloured textures, bakes, volumes; one job's
result URL can be the next job's input. Fault knobs make it fail the ways a
real service does. See docs/ARCHITECTURE.md, "Emulator".
"""

from .server import Emulator, check_loopback  # noqa: F401

__all__ = ["Emulator", "check_loopback"]
