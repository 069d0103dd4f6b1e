"""Render front, back, left and right views of objects on flat #BEBEBE grey.

"left" and "right" are the subject's own sides (its left side, seen from
its left), the meaning the view recipes and the services' view names use.

All four cameras share one orthographic scale and one centre (from the
combined bounding box), so the views line up pixel for pixel, as multi-view
reconstruction expects. Workbench is used because it is fast and needs no
sampling; the scene's own camera, engine, world and output settings are put
back afterwards.
"""

from __future__ import annotations

from pathlib import Path

import bpy
from mathutils import Vector

from ...bridge.errors import PrintPrepError

GREY_SRGB = 190 / 255.0
# Camera direction per view: the vector from the object centre to the camera.
# The subject faces -Y (Blender's Front view; a glTF result's +Z front lands
# there), so its own left side is +X. "left" is the subject's left side, as
# in the view recipes and the services' multi-view slots; it is Blender's
# Right viewpoint (numpad 3), not its Left.
VIEWS = {"front": Vector((0, -1, 0)), "back": Vector((0, 1, 0)),
         "left": Vector((1, 0, 0)), "right": Vector((-1, 0, 0))}


def _srgb_to_linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def combined_bounds(objects) -> tuple[Vector, Vector]:
    corners = [ob.matrix_world @ Vector(c) for ob in objects for c in ob.bound_box]
    lo = Vector([min(c[k] for c in corners) for k in range(3)])
    hi = Vector([max(c[k] for c in corners) for k in range(3)])
    return lo, hi


class _SceneState:
    """Remembers and restores the render settings we touch."""

    def __init__(self, scene: bpy.types.Scene):
        r = scene.render
        self.scene = scene
        self.values = {
            "camera": scene.camera, "world": scene.world, "engine": r.engine,
            "res": (r.resolution_x, r.resolution_y, r.resolution_percentage),
            "film_transparent": r.film_transparent, "filepath": r.filepath,
            "format": (r.image_settings.file_format, r.image_settings.color_mode),
            "view_transform": scene.view_settings.view_transform,
            "look": scene.view_settings.look,
            "dither": r.dither_intensity,
            "shading": (scene.display.shading.light, scene.display.shading.color_type,
                        scene.display.shading.background_type),
        }

    def restore(self) -> None:
        s, r, v = self.scene, self.scene.render, self.values
        s.camera, s.world, r.engine = v["camera"], v["world"], v["engine"]
        r.resolution_x, r.resolution_y, r.resolution_percentage = v["res"]
        r.film_transparent, r.filepath = v["film_transparent"], v["filepath"]
        r.image_settings.file_format, r.image_settings.color_mode = v["format"]
        s.view_settings.view_transform, s.view_settings.look = v["view_transform"], v["look"]
        r.dither_intensity = v["dither"]
        (s.display.shading.light, s.display.shading.color_type,
         s.display.shading.background_type) = v["shading"]


def capture_views(objects, folder: str | Path, resolution: int = 512, margin: float = 1.15,
                  scene: bpy.types.Scene | None = None, prefix: str = "view",
                  on_view=None) -> dict[str, Path]:
    """Render the four side views of *objects*; returns ``{view: png path}``.

    *on_view(name)* is told after each picture (the helper's progress).
    """
    scene = scene or bpy.context.scene
    objects = [ob for ob in objects if ob is not None]
    if not objects:
        raise PrintPrepError("Select the object(s) to capture.")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lo, hi = combined_bounds(objects)
    centre = (lo + hi) / 2
    size = hi - lo
    # One scale for all views: the widest horizontal extent or the height.
    ortho = max(size.x, size.y, size.z) * margin
    distance = size.length + 1.0

    state = _SceneState(scene)
    cam_data = bpy.data.cameras.new("AISTUDIO_capture")
    cam_data.type = "ORTHO"
    cam_data.ortho_scale = ortho
    cam_data.clip_start = 0.01
    cam_data.clip_end = distance * 4
    cam = bpy.data.objects.new("AISTUDIO_capture", cam_data)
    scene.collection.objects.link(cam)
    world = bpy.data.worlds.new("AISTUDIO_capture_grey")
    grey = _srgb_to_linear(GREY_SRGB)
    world.color = (grey, grey, grey)
    # Hide everything else so only the chosen objects are in the pictures.
    hidden = [ob for ob in scene.objects if ob not in objects and ob is not cam
              and not ob.hide_render]
    for ob in hidden:
        ob.hide_render = True
    paths = {}
    try:
        r = scene.render
        scene.camera, scene.world = cam, world
        r.engine = "BLENDER_WORKBENCH"
        r.resolution_x = r.resolution_y = resolution
        r.resolution_percentage = 100
        r.film_transparent = False
        r.image_settings.file_format, r.image_settings.color_mode = "PNG", "RGB"
        r.dither_intensity = 0.0
        # Standard keeps the world colour at exactly #BEBEBE in the file.
        scene.view_settings.view_transform, scene.view_settings.look = "Standard", "None"
        shading = scene.display.shading
        shading.light, shading.color_type, shading.background_type = "STUDIO", "MATERIAL", "WORLD"
        for name, direction in VIEWS.items():
            cam.location = centre + direction * distance
            cam.rotation_euler = (-direction).to_track_quat("-Z", "Y").to_euler()
            bpy.context.view_layer.update()
            path = folder / f"{prefix}_{name}.png"
            r.filepath = str(path)
            bpy.ops.render.render(write_still=True)
            paths[name] = path
            if on_view is not None:
                on_view(name)
    finally:
        for ob in hidden:
            ob.hide_render = False
        state.restore()
        bpy.data.objects.remove(cam, do_unlink=True)
        bpy.data.cameras.remove(cam_data)
        bpy.data.worlds.remove(world)
    return paths
