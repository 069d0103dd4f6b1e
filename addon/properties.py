"""Per-scene choices under one pointer, ``Scene.aistudio``, plus the runtime job list.

Scene settings are what a user would expect to find again in the .blend
(model, options, last prompt, pictures). The job list is session state drawn
from the engine, so it hangs off the window manager, which is never saved.
"""

import bpy
from bpy.props import (
    BoolProperty,
    CollectionProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)

from ..bridge.api import miniature as miniature_api
from . import recipelist

try:
    from .printing.properties import AISTUDIO_PG_print
except ModuleNotFoundError as exc:  # the print tools are built separately and may be absent
    if not (exc.name or "").endswith("printing"):
        raise
    AISTUDIO_PG_print = None

MODELS = (
    ("TENCENT_RAPID", "Tencent Rapid", "Hunyuan 3D rapid: text or picture, quick"),
    ("TENCENT_PRO", "Tencent Pro", "Hunyuan 3D Pro 3.0/3.1: text, picture or multi-view"),
    ("TRELLIS2", "TRELLIS.2", "Picture to 3D, optional PBR textures"),
    ("TRIPO", "Tripo", "Tripo v3.0/v3.1: text, picture or multi-view"),
    ("TRIPO_P1", "Tripo P1", "Tripo P1: low face counts"),
    ("IMAGE3D", "image3d.io", "image3d.io (second provider): text or picture"),
)
TOOLS = (
    ("REPAIR", "Repair", "Make the active mesh watertight and printable"),
    ("OPTIMIZE", "Optimize", "Reduce the active mesh and its textures"),
    ("BAKE", "Bake Texture", "Bake the selected high-poly's texture onto the active low-poly"),
    ("CONVERT", "Convert", "Convert the active mesh to another format"),
    ("RENDER", "Render", "Render a preview picture of the active mesh"),
    ("VOLUME", "Volume", "Calculate the printed volume of the active mesh"),
)
VIEWS = ("front", "back", "left", "right")
# Left and right are the subject's own sides everywhere: capture, recipes, the services' views.
VIEW_LABELS = {"front": "Front", "back": "Back", "left": "Left (subject's left side)",
               "right": "Right (subject's right side)"}


def _enum(values, labels=None):
    return tuple((v, (labels or {}).get(v, v.replace("_", " ").title()), "") for v in values)


class AISTUDIO_PG_picture(bpy.types.PropertyGroup):
    """A picture given as a file or as an image datablock (the datablock wins)."""

    filepath: StringProperty(name="File", subtype="FILE_PATH")
    image: PointerProperty(name="Image", type=bpy.types.Image)


class AISTUDIO_PG_multiview(bpy.types.PropertyGroup):
    front: PointerProperty(type=AISTUDIO_PG_picture)
    back: PointerProperty(type=AISTUDIO_PG_picture)
    left: PointerProperty(type=AISTUDIO_PG_picture)
    right: PointerProperty(type=AISTUDIO_PG_picture)


class AISTUDIO_PG_model_options(bpy.types.PropertyGroup):
    tencent_version: EnumProperty(name="Version", items=_enum(("3.0", "3.1")), default="3.0")
    enable_pbr: BoolProperty(name="PBR Materials", default=False)
    face_count: IntProperty(name="Faces", default=500_000, min=40_000, max=1_500_000)
    generate_type: EnumProperty(name="Type", items=_enum(("Normal", "LowPoly", "Geometry", "Sketch")),
                                default="Normal")
    trellis_resolution: EnumProperty(name="Resolution", items=_enum(("512", "1024", "1536")), default="1024")
    trellis_textures: BoolProperty(name="PBR Textures", default=False)
    tripo_version: EnumProperty(name="Version", items=_enum(("3.0", "3.1")), default="3.0")
    tripo_texture: BoolProperty(name="Texture", default=True)
    tripo_pbr: BoolProperty(name="PBR", default=True)
    face_limit: IntProperty(name="Face Limit", default=0, min=0, max=500_000,
                            description="0 lets the service decide")
    image3d_quality: EnumProperty(name="Quality", items=_enum(("fast", "standard", "pro", "ultra")),
                                  default="pro")
    image3d_mesh_only: BoolProperty(name="Mesh Only", default=False,
                                    description="Untextured and cheaper")


class AISTUDIO_PG_miniature(bpy.types.PropertyGroup):
    picture: PointerProperty(type=AISTUDIO_PG_picture)
    preset: EnumProperty(name="Preset", items=_enum(miniature_api.PRESETS),
                         default="miniature_human_full_body")
    edition: EnumProperty(name="Edition", items=(
        ("default", "Default", "300 credits, 5–8 minutes"),
        ("fast", "Fast", "200 credits, 3–5 minutes")), default="default")
    scale: EnumProperty(name="Print Scale", items=(
        ("none", "None", "No scaled model"),
        *((k, f"{k.upper()} (1:{v:g})", "") for k, v in miniature_api.SCALES.items()),
        ("custom", "Custom Height", "Give the printed height in cm")), default="none")
    # No hard max: a height over the service's 100 cm is refused with a message
    # by the request's validation, not clamped silently by the field.
    scale_height_cm: FloatProperty(name="Height (cm)", default=10.0, min=0.1, soft_max=100.0,
                                   description="Printed height (the service makes up to 100 cm)")
    subject_height_cm: FloatProperty(
        name="Real Height (cm)", default=0.0, min=0.0, soft_max=1000.0,
        description="Real-world height of the subject a 1:N scale applies to. 0: the preset's "
                    "assumption (a 175 cm adult for full human figures; other presets need it)")


class AISTUDIO_PG_tools(bpy.types.PropertyGroup):
    tool: EnumProperty(name="Tool", items=TOOLS, default="REPAIR")
    output_format: EnumProperty(name="Format", items=_enum(("glb", "obj", "stl", "ply", "fbx")),
                                default="glb")
    hollow: BoolProperty(name="Hollow", default=False)
    target_height_cm: FloatProperty(name="Target Height (cm)", default=0.0, min=0.0,
                                    description="0 keeps the current size")
    render_angle: EnumProperty(name="Angle", items=_enum(
        ("3/4", "front", "back", "left", "right", "top", "isometric")), default="3/4")


def _prompt_get(self) -> str:
    # Until the user edits it, the field shows the chosen recipe's own prompt.
    return self.prompt_text if self.prompt_edited else recipelist.prompt_of(self.recipe)


def _prompt_set(self, value: str) -> None:
    self.prompt_text, self.prompt_edited = value, True


def _recipe_changed(self, _context) -> None:
    self.prompt_edited = False  # refill the prompt with the new recipe's text


class AISTUDIO_PG_prepare(bpy.types.PropertyGroup):
    """Picture preparation: a recipe applied by an image-edit model to the source picture."""

    recipe: EnumProperty(name="Recipe", items=recipelist.enum_items, update=_recipe_changed)
    prompt: StringProperty(name="Prompt", get=_prompt_get, set=_prompt_set,
                           description="What the edit model is asked; edit it before sending")
    prompt_text: StringProperty(options={"HIDDEN"})
    prompt_edited: BoolProperty(options={"HIDDEN"})
    model: EnumProperty(name="Edit Model", items=recipelist.EDIT_MODELS, default="gemini-3-pro")
    reconstruct_model: EnumProperty(name="3D Model", items=(
        ("TENCENT_PRO", "Tencent Pro 3.0", "Multi-view Hunyuan 3D Pro (the tutorial's choice)"),
        ("TRIPO", "Tripo", "Tripo multi-view")), default="TENCENT_PRO")


class AISTUDIO_PG_settings(bpy.types.PropertyGroup):
    model: EnumProperty(name="Model", items=MODELS, default="TENCENT_RAPID")
    prompt: StringProperty(name="Prompt", description="What to generate (up to 1024 characters)")
    source: EnumProperty(name="Picture From", items=(
        ("FILE", "File", "A picture file"),
        ("IMAGE", "Image", "An image datablock"),
        ("RENDER", "Render", "The current render result")), default="FILE")
    picture: PointerProperty(type=AISTUDIO_PG_picture)
    options: PointerProperty(type=AISTUDIO_PG_model_options)
    multiview: PointerProperty(type=AISTUDIO_PG_multiview)
    miniature: PointerProperty(type=AISTUDIO_PG_miniature)
    tools: PointerProperty(type=AISTUDIO_PG_tools)
    prepare: PointerProperty(type=AISTUDIO_PG_prepare)


if AISTUDIO_PG_print is not None:
    AISTUDIO_PG_settings.__annotations__["printing"] = PointerProperty(type=AISTUDIO_PG_print)


class AISTUDIO_PG_job_row(bpy.types.PropertyGroup):
    # Only the id: the UI list looks everything else up in the pump's cache.
    job_id: StringProperty()


class AISTUDIO_PG_runtime(bpy.types.PropertyGroup):
    jobs: CollectionProperty(type=AISTUDIO_PG_job_row)
    active_job: IntProperty(default=0)


# A group is registered after every group it points at.
classes = (
    AISTUDIO_PG_picture, AISTUDIO_PG_multiview, AISTUDIO_PG_model_options,
    AISTUDIO_PG_miniature, AISTUDIO_PG_tools, AISTUDIO_PG_prepare,
    *((AISTUDIO_PG_print,) if AISTUDIO_PG_print is not None else ()),
    AISTUDIO_PG_settings, AISTUDIO_PG_job_row, AISTUDIO_PG_runtime,
)


def register():
    bpy.types.Scene.aistudio = PointerProperty(type=AISTUDIO_PG_settings)
    bpy.types.WindowManager.aistudio = PointerProperty(type=AISTUDIO_PG_runtime)


def unregister():
    del bpy.types.WindowManager.aistudio
    del bpy.types.Scene.aistudio
