"""Scene meshes for the address tools' tests, and how to read their results in Blender."""

import bpy
import numpy as np
from colour_checks import is_blue, is_red  # noqa: F401  (the address tools' tests read colours)
from service_paths import BAKE, CONVERT, TEXTURE_EDIT, TOPOLOGY  # noqa: F401


def ball(name: str, segments: int = 48, rings: int = 24, location=(0.0, 0.0, 0.0)):
    """A UV sphere (radius 0.5, with UVs) as the active, only selected object."""
    bpy.ops.mesh.primitive_uv_sphere_add(segments=segments, ring_count=rings, radius=0.5,
                                         location=location)
    obj = bpy.context.active_object
    obj.name = obj.data.name = name
    return obj


def two_colour_ball(name: str, location=(0.0, 0.0, 0.0)):
    """A ball red above its equator and blue below (one material each)."""
    obj = ball(name, location=location)
    for colour in ((0.8, 0.02, 0.02, 1.0), (0.02, 0.05, 0.8, 1.0)):
        material = bpy.data.materials.new(f"{name} {'red' if colour[0] > 0.5 else 'blue'}")
        material.diffuse_color = colour
        if material.node_tree is None:   # Blender 5 gives every material its nodes
            material.use_nodes = True
        material.node_tree.nodes["Principled BSDF"].inputs["Base Color"].default_value = colour
        obj.data.materials.append(material)
    for poly in obj.data.polygons:
        poly.material_index = 0 if poly.center.z > 0 else 1
    return obj


def select(*objects, active):
    for obj in bpy.context.view_layer.objects:
        obj.select_set(False)
    for obj in objects:
        obj.select_set(True)
    bpy.context.view_layer.objects.active = active


def triangles(obj) -> int:
    return sum(len(p.vertices) - 2 for p in obj.data.polygons)


def _image_of(obj):
    principled = next(n for n in obj.active_material.node_tree.nodes if n.type == "BSDF_PRINCIPLED")
    links = principled.inputs["Base Color"].links
    assert links, f"nothing drives the base colour of {obj.name}"
    return links[0].from_node.image


def face_colours(obj) -> tuple[np.ndarray, np.ndarray]:
    """(sRGB 0–255 texture colour at each face's UV centre, the face centre's height above the
    object's centre), as a renderer would show it."""
    image = _image_of(obj)
    width, height = image.size
    flat = np.empty(width * height * 4, dtype=np.float32)
    image.pixels.foreach_get(flat)
    pixels = np.flipud(flat.reshape(height, width, 4))[..., :3] * 255.0
    uv_layer = obj.data.uv_layers.active.data
    zs = [corner[2] for corner in obj.bound_box]
    middle = (min(zs) + max(zs)) / 2
    colours, heights = [], []
    for poly in obj.data.polygons:
        uv = np.mean([uv_layer[i].uv[:] for i in poly.loop_indices], axis=0)
        row = int((1.0 - uv[1]) * pixels.shape[0]) % pixels.shape[0]
        colours.append(pixels[row, int(uv[0] * pixels.shape[1]) % pixels.shape[1]])
        heights.append(poly.center.z - middle)
    return np.array(colours), np.array(heights)


def uploads(emulator) -> list:
    """Converts that carried a mesh file (an upload), as the service accepted them."""
    return [a for a in emulator.accepted if a.endpoint == CONVERT and a.files == ["model_file"]]


def endpoints(emulator, since: int = 0) -> list[str]:
    return [a.endpoint for a in emulator.accepted[since:]]


def paid(emulator, since: int = 0) -> int:
    return sum(a.price for a in emulator.accepted[since:])


def shown_price(context, tool: str) -> int:
    """The credits the Tools panel's button shows for *tool* on the selection."""
    from ai_studio_bridge.addon.jobs import meshtools
    text, _lines = meshtools.priced(context, tool, meshtools.panel_options(context.scene.aistudio.tools))
    word, _, price = text.partition(" · ")
    assert word and price.endswith(" credits"), text
    return int(price.split()[0])
