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

from ..bridge.api import images as images_api
from ..bridge.api import miniature as miniature_api
from ..bridge.api import tencent as tencent_api
from ..bridge.api import trellis as trellis_api
from ..bridge.api import tripo as tripo_api
from .jobs.request_factory import SERVICE_DEFAULT  # an option set to it is not sent
from .pictures import recipes
from .pictures.slots import EXTRA_VIEWS

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
    ("BAKE", "Bake Texture", "Bake the selected high-poly's look onto the active low-poly "
                             "(both where they stand in the scene, like Selected to Active)"),
    ("CONVERT", "Convert", "Convert the active mesh to another format"),
    ("RENDER", "Render", "Render a preview picture of the active mesh"),
    ("VOLUME", "Volume", "Calculate the printed volume of the active mesh"),
    ("RETEXTURE", "Retexture", "Paint a new texture on the active mesh from a prompt or a picture"),
    ("RETOPOLOGY", "Retopology", "A clean, lighter mesh of the active mesh's shape"),
)
#: Retopology's choices (the service's names are the scripting API's).
POLYGON_TYPES = (("triangle", "Triangles", "A triangle mesh"),
                 ("quadrilateral", "Quads", "Quads where the surface allows (arrives as FBX to keep them)"))
FACE_LEVELS = (("high", "High", "About half the faces"), ("medium", "Medium", "About a quarter"),
               ("low", "Low", "About a tenth"))
SEED_MAX = tripo_api.SEED_MAX  # also the largest value an IntProperty holds
_V3_FACES = tripo_api.TripoTextRequest.FACE_LIMIT
_P1_FACES = tripo_api.TripoP1TextRequest.FACE_LIMIT
# Left and right are the subject's own sides everywhere: capture, recipes, the services' views.
VIEW_LABELS = {"front": "Front", "back": "Back", "left": "Left (subject's left side)",
               "right": "Right (subject's right side)",
               **{v: v.replace("_", " ").title() for v in EXTRA_VIEWS}}


def _enum(values, labels=None):
    return tuple((v, (labels or {}).get(v, v.replace("_", " ").title()), "") for v in values)


def _service_enum(values, labels=None):
    """Choices led by "Service Default" (nothing sent), for options the service defaults."""
    return ((SERVICE_DEFAULT, "Service Default", "Not sent: the service decides"),
            *_enum(values, labels))


def _seed(name: str, description: str, high: int = SEED_MAX):
    return IntProperty(name=name, default=0, min=0, max=high, description=description)


class AISTUDIO_PG_picture(bpy.types.PropertyGroup):
    """A picture given as a file or as an image datablock (the datablock wins)."""

    filepath: StringProperty(name="File", subtype="FILE_PATH")
    image: PointerProperty(name="Image", type=bpy.types.Image)


class AISTUDIO_PG_multiview(bpy.types.PropertyGroup):
    front: PointerProperty(type=AISTUDIO_PG_picture)
    back: PointerProperty(type=AISTUDIO_PG_picture)
    left: PointerProperty(type=AISTUDIO_PG_picture)
    right: PointerProperty(type=AISTUDIO_PG_picture)
    # Tencent Pro 3.1 only
    top: PointerProperty(type=AISTUDIO_PG_picture)
    bottom: PointerProperty(type=AISTUDIO_PG_picture)
    left_front: PointerProperty(type=AISTUDIO_PG_picture)
    right_front: PointerProperty(type=AISTUDIO_PG_picture)


class AISTUDIO_PG_model_options(bpy.types.PropertyGroup):
    """Every documented option of the 3D models; each field bounded as the contract bounds it."""

    tencent_version: EnumProperty(name="Version", items=_enum(tencent_api.PRO_MODELS), default="3.0")
    enable_pbr: BoolProperty(name="PBR Materials", default=False)
    face_count: IntProperty(name="Faces", default=500_000, min=40_000, max=1_500_000)
    generate_type: EnumProperty(name="Type", items=_enum(tencent_api.GENERATE_TYPES), default="Normal",
                                description="LowPoly and Sketch exist on 3.0 only; Sketch sends the "
                                            "picture with an optional prompt")
    polygon_type: EnumProperty(name="Polygons", items=_service_enum(tencent_api.POLYGON_TYPES),
                               default=SERVICE_DEFAULT, description="LowPoly only: triangles or quads")
    trellis_resolution: EnumProperty(name="Resolution", items=_enum(trellis_api.RESOLUTIONS),
                                     default="1024")
    trellis_textures: BoolProperty(name="PBR Textures", default=False)
    trellis_steps: IntProperty(name="Steps", default=12, min=1, max=50,
                               description="Sampling steps: more is slower and finer")
    trellis_texture_size: EnumProperty(name="Texture Size", default="2048", items=_enum(
        tuple(str(v) for v in trellis_api.TEXTURE_SIZES)), description="With PBR textures only")
    trellis_decimation_target: IntProperty(name="Decimation Target", default=1_000_000,
                                           min=1_000, max=16_000_000,
                                           description="Faces the mesh is reduced to")
    trellis_use_seed: BoolProperty(name="Fixed Seed", default=False,
                                   description="Off: a new random result each time")
    trellis_seed: _seed("Seed", "The same seed and picture give the same model")
    tripo_version: EnumProperty(name="Version", items=_enum(("3.0", "3.1")), default="3.0")
    tripo_texture: BoolProperty(name="Texture", default=True)
    tripo_pbr: BoolProperty(name="PBR", default=True)
    use_face_limit: BoolProperty(name="Limit Faces", default=False,
                                 description="Off: the service decides the face count")
    face_limit: IntProperty(name="Face Limit", default=10_000, min=_V3_FACES[0], max=_V3_FACES[1],
                            description="Tripo v3.0/v3.1: 500 to 500 000")
    p1_face_limit: IntProperty(name="Face Limit", default=5_000, min=_P1_FACES[0], max=_P1_FACES[1],
                               description="Tripo P1: 48 to 20 000")
    tripo_negative_prompt: StringProperty(name="Negative Prompt", maxlen=1024,
                                          description="What the model should avoid (P1: up to 255 characters)")
    tripo_texture_quality: EnumProperty(name="Texture Quality", items=_service_enum(tripo_api.QUALITIES),
                                        default=SERVICE_DEFAULT)
    tripo_geometry_quality: EnumProperty(name="Geometry Quality", items=_service_enum(tripo_api.QUALITIES),
                                         default=SERVICE_DEFAULT, description="Tripo v3.0/v3.1")
    tripo_quad: BoolProperty(name="Quad Mesh", default=False, description="Tripo v3.0/v3.1")
    tripo_smart_low_poly: BoolProperty(name="Smart Low Poly", default=False, description="Tripo v3.0/v3.1")
    tripo_generate_parts: BoolProperty(name="Generate Parts", default=False,
                                       description="Separate parts; needs Texture and PBR off")
    tripo_use_seeds: BoolProperty(name="Fixed Seeds", default=False,
                                  description="Off: a new random result each time")
    tripo_texture_seed: _seed("Texture Seed", "Seed of the texture pass")
    tripo_model_seed: _seed("Model Seed", "Tripo P1: seed of the geometry")
    tripo_image_seed: _seed("Image Seed", "Tripo P1 from text: seed of the picture made from the prompt")
    tripo_texture_alignment: EnumProperty(name="Texture Alignment", default=SERVICE_DEFAULT, items=_service_enum(
        tripo_api.TEXTURE_ALIGNMENTS), description="From pictures: follow the picture or the geometry")
    tripo_orientation: EnumProperty(name="Orientation", default=SERVICE_DEFAULT, items=_service_enum(
        tripo_api.ORIENTATIONS), description="From pictures: align the model to the picture")
    tripo_image_autofix: BoolProperty(name="Image Autofix", default=False,
                                      description="From one picture: let the service clean it up first")
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
        ("ratio", "1:N", "Any ratio: give N"),
        ("custom", "Custom Height", "Give the printed height in cm")), default="none")
    # No hard max: a height over the service's 100 cm is refused with a message
    # by the request's validation, not clamped silently by the field.
    scale_height_cm: FloatProperty(name="Height (cm)", default=10.0, min=0.1, soft_max=100.0,
                                   description="Printed height (the service makes up to 100 cm)")
    scale_ratio: FloatProperty(name="1:N", default=100.0, min=1.0, max=10_000.0,
                               description="N of the print scale 1:N")
    subject_height_cm: FloatProperty(
        name="Real Height (cm)", default=0.0, min=0.0, soft_max=1000.0,
        description="Real-world height of the subject a 1:N scale applies to. 0: the preset's "
                    "assumption (a 175 cm adult for full human figures; other presets need it)")
    use_face_count: BoolProperty(name="Set Face Count", default=False,
                                 description="Off: the service decides the face count")
    face_count: IntProperty(name="Faces", default=200_000, min=3_000, max=1_500_000)


class AISTUDIO_PG_tools(bpy.types.PropertyGroup):
    tool: EnumProperty(name="Tool", items=TOOLS, default="REPAIR")
    output_format: EnumProperty(name="Format", default="glb", items=(
        ("glb", "GLB", ""), ("obj", "OBJ", "OBJ with its MTL and textures (sent for as a zip)"),
        ("stl", "STL", ""), ("ply", "PLY", ""), ("fbx", "FBX", "")))
    hollow: BoolProperty(name="Hollow", default=False)
    target_height_cm: FloatProperty(name="Target Height (cm)", default=0.0, min=0.0,
                                    description="0 keeps the current size")
    render_angle: EnumProperty(name="Angle", items=_enum(
        ("3/4", "front", "back", "left", "right", "top", "isometric")), default="3/4")
    retexture_from: EnumProperty(name="From", default="PROMPT", items=(
        ("PROMPT", "Prompt", "Describe the new look"),
        ("PICTURE", "Picture", "A picture whose look the texture follows")))
    retexture_prompt: StringProperty(name="Prompt", description="The new look, e.g. weathered red paint")
    retexture_picture: PointerProperty(type=AISTUDIO_PG_picture)
    enable_pbr: BoolProperty(name="PBR Maps", default=False,
                             description="Retexture: also metallic-roughness and normal maps")
    polygon_type: EnumProperty(name="Polygons", items=POLYGON_TYPES, default="triangle")
    face_level: EnumProperty(name="Faces", items=FACE_LEVELS, default="medium")


def _prompt_get(self) -> str:
    # Until the user edits it, the field shows the chosen recipe's own prompt.
    return self.prompt_text if self.prompt_edited else recipes.prompt_of(self.recipe)


def _prompt_set(self, value: str) -> None:
    self.prompt_text, self.prompt_edited = value, True


def _recipe_changed(self, _context) -> None:
    self.prompt_edited = False  # refill the prompt with the new recipe's text


#: The version a reconstruct choice sends whatever the Generate panel holds (its label says it).
RECONSTRUCT_VERSION = {"TENCENT_PRO": "3.0"}


class AISTUDIO_PG_prepare(bpy.types.PropertyGroup):
    """Picture preparation: a recipe applied by an image-edit model to the source picture."""

    recipe: EnumProperty(name="Recipe", items=recipes.enum_items, update=_recipe_changed)
    prompt: StringProperty(name="Prompt", get=_prompt_get, set=_prompt_set,
                           description="What the edit model is asked; edit it before sending")
    prompt_text: StringProperty(options={"HIDDEN"})
    prompt_edited: BoolProperty(options={"HIDDEN"})
    model: EnumProperty(name="Edit Model", items=recipes.EDIT_MODELS, default="gemini-3-pro")
    reconstruct_model: EnumProperty(name="3D Model", items=(
        ("TENCENT_PRO", "Tencent Pro 3.0", "Multi-view Hunyuan 3D Pro 3.0 (the tutorial's choice)"),
        ("TRIPO", "Tripo", "Tripo multi-view, in the version chosen under Generate")),
        default="TENCENT_PRO")


IMAGE_MODELS = (
    ("GEMINI_3_PRO", "Gemini 3 Pro", "Best quality: 50 credits an image (80 at 4K)"),
    ("GEMINI_31_FLASH", "Gemini 3.1 Flash", "Fast: 10–25 credits an image by resolution"),
    ("GEMINI_25_FLASH", "Gemini 2.5 Flash", "Cheapest: 5 credits an image, one resolution"),
    ("SEEDREAM", "Seedream", "Seedream v5 lite: 10 credits an image, up to 6 at once"),
)
IMAGE_RESOLUTIONS = (
    ("DEFAULT", "Default", "The model's own size (Gemini 2.5 Flash has only this)"),
    ("512px", "512 px", "Gemini 3.1 Flash only"),
    ("1K", "1K", ""), ("2K", "2K", ""), ("4K", "4K", "Gemini 3 Pro / 3.1 Flash; Seedream: 3K"),
)
IMAGE_ASPECTS = tuple((r, "Auto" if r == "auto" else r, "Gemini 3.1 Flash only"
                       if r in images_api.FLASH31_EXTRA_RATIOS else "")
                      for r in (*images_api.ASPECT_RATIOS, *images_api.FLASH31_EXTRA_RATIOS))


class AISTUDIO_PG_text_image(bpy.types.PropertyGroup):
    """Text to image: a picture to send on (to 3D, the miniature flow, a slot)."""

    prompt: StringProperty(name="Prompt", description="What the picture shows")
    model: EnumProperty(name="Model", items=IMAGE_MODELS, default="GEMINI_31_FLASH")
    resolution: EnumProperty(name="Resolution", items=IMAGE_RESOLUTIONS, default="DEFAULT")
    aspect_ratio: EnumProperty(name="Aspect", items=IMAGE_ASPECTS, default="auto")
    num_images: IntProperty(name="Pictures", default=1, min=1, max=6,
                            description="Gemini makes up to 4 at once, Seedream up to 6")


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
    text_image: PointerProperty(type=AISTUDIO_PG_text_image)
    # Which .blend this is, for the jobs it sends: their results are imported only here (origin.py).
    file_id: StringProperty(options={"HIDDEN"})


if AISTUDIO_PG_print is not None:
    AISTUDIO_PG_settings.__annotations__["printing"] = PointerProperty(type=AISTUDIO_PG_print)


class AISTUDIO_PG_job_row(bpy.types.PropertyGroup):
    # Only the id: the UI list looks everything else up in the pump's cache.
    job_id: StringProperty()


class AISTUDIO_PG_runtime(bpy.types.PropertyGroup):
    jobs: CollectionProperty(type=AISTUDIO_PG_job_row)
    active_job: IntProperty(default=0)
    task_id: StringProperty(name="Task ID", description="A task made on the website or another "
                                                         "machine (within 24 hours): import it here")


# A group is registered after every group it points at.
classes = (
    AISTUDIO_PG_picture, AISTUDIO_PG_multiview, AISTUDIO_PG_model_options,
    AISTUDIO_PG_miniature, AISTUDIO_PG_tools, AISTUDIO_PG_prepare, AISTUDIO_PG_text_image,
    *((AISTUDIO_PG_print,) if AISTUDIO_PG_print is not None else ()),
    AISTUDIO_PG_settings, AISTUDIO_PG_job_row, AISTUDIO_PG_runtime,
)


def register():
    bpy.types.Scene.aistudio = PointerProperty(type=AISTUDIO_PG_settings)
    bpy.types.WindowManager.aistudio = PointerProperty(type=AISTUDIO_PG_runtime)


def unregister():
    del bpy.types.WindowManager.aistudio
    del bpy.types.Scene.aistudio
