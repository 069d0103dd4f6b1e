"""Boolean operations through the Boolean modifier, applied on an evaluated copy.

Modifiers are evaluated through the depsgraph and the result copied into new
mesh data, so no operator context (edit mode, selection) is needed and this
works the same in background mode.
"""

from __future__ import annotations

import bpy

from .compat import best_boolean_solver


def temp_object(name: str, mesh: bpy.types.Mesh) -> bpy.types.Object:
    ob = bpy.data.objects.new(name, mesh)
    bpy.context.scene.collection.objects.link(ob)
    return ob


def remove_object(ob: bpy.types.Object) -> None:
    mesh = ob.data
    bpy.data.objects.remove(ob, do_unlink=True)
    if mesh is not None and mesh.users == 0:
        bpy.data.meshes.remove(mesh)


def apply_boolean(target: bpy.types.Object, operands: list[bpy.types.Object],
                  operation: str) -> str:
    """Replace *target*'s mesh by ``target <operation> operands``; returns the solver used.

    All objects must share the world frame of *target* (callers build the
    operands in its local space or with matching matrices).
    """
    solver = best_boolean_solver()
    collection = bpy.data.collections.new("AISTUDIO_bool_operands")
    for ob in operands:
        collection.objects.link(ob)
    mod = target.modifiers.new("AISTUDIO_boolean", "BOOLEAN")
    mod.operation = operation
    mod.operand_type = "COLLECTION"
    mod.collection = collection
    mod.solver = solver
    # Keep the user's other modifiers out of the result: ours goes first.
    while target.modifiers.find(mod.name) > 0:
        target.modifiers.move(target.modifiers.find(mod.name), target.modifiers.find(mod.name) - 1)
    try:
        others = [m for m in target.modifiers if m != mod]
        states = [m.show_viewport for m in others]
        for m in others:
            m.show_viewport = False
        depsgraph = bpy.context.evaluated_depsgraph_get()
        depsgraph.update()
        evaluated = target.evaluated_get(depsgraph)
        result = bpy.data.meshes.new_from_object(evaluated, depsgraph=depsgraph)
        for m, state in zip(others, states):
            m.show_viewport = state
    finally:
        target.modifiers.remove(mod)
        bpy.data.collections.remove(collection)
    old = target.data
    result.materials.clear()
    for mat in old.materials:
        result.materials.append(mat)
    target.data = result
    if old.users == 0:
        bpy.data.meshes.remove(old)
    return solver
