"""Clay preview: show a model in one neutral grey material, and put it back exactly.

The original slot materials are remembered on the object (a custom property,
so it survives save and reload) and given a fake user while hidden, because
a material with no users is dropped when the file is saved.
"""

from __future__ import annotations

import json

import bpy

CLAY_NAME = "AI Studio Clay"
STORE_KEY = "aistudio_clay_original"


def clay_material() -> bpy.types.Material:
    mat = bpy.data.materials.get(CLAY_NAME)
    if mat is None:
        mat = bpy.data.materials.new(CLAY_NAME)
        mat.diffuse_color = (0.5, 0.5, 0.5, 1.0)
        mat.roughness = 0.8
        if bpy.app.version < (5, 0, 0):   # 5.0 materials always have nodes
            mat.use_nodes = True
        bsdf = mat.node_tree.nodes.get("Principled BSDF")
        if bsdf is not None:
            bsdf.inputs["Base Color"].default_value = (0.5, 0.5, 0.5, 1.0)
            bsdf.inputs["Roughness"].default_value = 0.8
    return mat


def is_clay(ob: bpy.types.Object) -> bool:
    return STORE_KEY in ob.keys()


def set_clay(ob: bpy.types.Object) -> None:
    if is_clay(ob):
        return
    clay = clay_material()
    slots = [{"material": s.material.name if s.material else "",
              "link": s.link,
              "fake_user": bool(s.material.use_fake_user) if s.material else False}
             for s in ob.material_slots]
    ob[STORE_KEY] = json.dumps(slots)
    for slot in ob.material_slots:
        if slot.material is not None:
            slot.material.use_fake_user = True
        slot.material = clay
    if not slots:
        ob.data.materials.append(clay)


def restore_materials(ob: bpy.types.Object) -> None:
    if not is_clay(ob):
        return
    slots = json.loads(ob[STORE_KEY])
    if not slots:
        ob.data.materials.clear()
    for slot, saved in zip(ob.material_slots, slots):
        mat = bpy.data.materials.get(saved["material"]) if saved["material"] else None
        slot.link = saved["link"]
        slot.material = mat
        if mat is not None:
            mat.use_fake_user = saved["fake_user"]
    del ob[STORE_KEY]


def toggle_clay(ob: bpy.types.Object) -> bool:
    """Switch clay on or off; returns True when the object now shows clay."""
    if is_clay(ob):
        restore_materials(ob)
        return False
    set_clay(ob)
    return True
