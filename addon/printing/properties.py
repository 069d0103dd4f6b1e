"""Settings of the print tools: one PropertyGroup, ``Scene.aistudio.printing``.

The add-on's own settings group (``addon/properties.py``) holds it as a
pointer, so every setting hangs off one ``Scene.aistudio``; that module also
registers this class, before the group that points at it.
"""

from __future__ import annotations

import bpy
from bpy.props import BoolProperty, EnumProperty, FloatProperty, IntProperty, StringProperty

from .check import DEFAULT_MIN_THICKNESS_MM, DEFAULT_OVERHANG_ANGLE
from .material import PLA_DENSITY, PLA_PRICE_PER_KG, RESIN_DENSITY, RESIN_PRICE_PER_L

_WHERE = [("LOCAL", "Local", "Run in Blender, free"),
          ("CLOUD", "Cloud", "Send to the 3D AI Studio tool (costs credits)")]
_SCALES = [("z", "Z 1:220", ""), ("n", "N 1:160", ""), ("tt", "TT 1:120", ""),
           ("h0", "H0 1:87", ""), ("o", "O 1:48", ""), ("g", "G 1:22.5", ""),
           ("ratio", "1:N", "Any ratio"), ("custom", "Height (mm)", "A printed height in mm")]


def _where(step: str):
    return EnumProperty(name=f"{step} via", items=_WHERE, default="LOCAL")


class AISTUDIO_PG_print(bpy.types.PropertyGroup):
    where_check: _where("Check")
    where_repair: _where("Repair")
    where_hollow: _where("Hollow")
    where_decimate: _where("Decimate")

    wall_thickness_mm: FloatProperty(name="Wall (mm)", default=2.0, min=0.3, max=50.0)
    drain_holes: IntProperty(name="Drain holes", default=0, min=0, max=4)
    drain_diameter_mm: FloatProperty(name="Drain ⌀ (mm)", default=3.0, min=0.5, max=30.0)

    scale: EnumProperty(name="Scale", items=_SCALES, default="h0")
    ratio: FloatProperty(name="1:N", default=100.0, min=1.0, max=10000.0)
    custom_height_mm: FloatProperty(name="Height (mm)", default=32.0, min=1.0, soft_max=1000.0)
    subject_height_cm: FloatProperty(
        name="Real height (cm)", default=175.0, min=1.0, max=10000.0,
        description="Height of the real subject the scale applies to (175 cm: an adult; "
                    "give an animal's or object's own height)")
    stl_path: StringProperty(name="STL", subtype="FILE_PATH", default="//print.stl")

    material: EnumProperty(name="Material", items=[("RESIN", "Resin", ""), ("PLA", "PLA", "")])
    resin_density: FloatProperty(name="Resin g/ml", default=RESIN_DENSITY, min=0.5, max=3.0)
    resin_price: FloatProperty(name="Price / litre", default=RESIN_PRICE_PER_L, min=0.0)
    pla_density: FloatProperty(name="PLA g/cm³", default=PLA_DENSITY, min=0.5, max=3.0)
    pla_price: FloatProperty(name="Price / kg", default=PLA_PRICE_PER_KG, min=0.0)
    infill: FloatProperty(name="Infill", default=0.2, min=0.2, max=1.0, subtype="FACTOR")

    target_faces: IntProperty(name="Target faces", default=50_000, min=100)
    glb_path: StringProperty(name="GLB", subtype="FILE_PATH", default="//decimated.glb")
    draco: BoolProperty(name="Draco", default=True)

    views_folder: StringProperty(name="Views folder", subtype="DIR_PATH", default="//views/")
    views_resolution: IntProperty(name="Resolution", default=1024, min=64, max=4096)

    min_thickness_mm: FloatProperty(
        name="Min wall (mm)", default=DEFAULT_MIN_THICKNESS_MM, min=0.0, max=50.0,
        description="The check reports faces with less material than this behind them "
                    "(ray cast inward); 0 skips the thickness check")
    overhang_angle: FloatProperty(
        name="Overhang", subtype="ANGLE", default=DEFAULT_OVERHANG_ANGLE, min=0.0,
        max=1.5533, description="The check reports faces facing down more steeply than this "
                                "from vertical (build direction +Z): they need supports")

    last_report: StringProperty(name="Last check", default="")

