"""What results are called: after what the user gave, never after our own files.

An object or picture is named from the prompt (its first words), the
picture's name without its extension, or the source object's name plus what
a tool did to it ("Suzanne repaired"). Downloaded files are named
``<job id>_<asset>_<n>.<ext>`` and uploads get unique temporary names; when
a picture that came from a job is sent on (an accepted preparation, a
result image), the chain takes that job's name instead of the file's.
"""

from __future__ import annotations

import re
from pathlib import Path

import bpy

from . import session

FALLBACK = "AI Studio result"
#: Extensions a picture or model name may still carry (".png" never shows in a name).
_EXTENSIONS = re.compile(r"\.(png|jpe?g|webp|exr|tiff?|bmp|tga|hdr|glb|gltf|obj|fbx|stl|ply|zip)$",
                         re.IGNORECASE)
_DUPLICATE = re.compile(r"\.\d{3,}$")   # Blender's "Name.001"
#: A downloaded result: ``<12 hex job id>_<asset type>_<n>`` (``bridge/engine/files.result_name``).
_RESULT_FILE = re.compile(r"^(?P<job>[0-9a-f]{12})_(?P<asset>[a-z0-9_]+?)_(?P<n>\d+)(?P<rest>_grey)?$")
#: A temporary upload: ``<name>_<unix time>_<6 hex>`` (``imagesource._temp_path``).
_UPLOAD_FILE = re.compile(r"^(?P<name>.+?)_\d{9,11}_[0-9a-f]{6}$")
#: What each model tool does to the object it is given, for the result's name.
TOOL_WORDS = {"REPAIR": "repaired", "OPTIMIZE": "optimized", "CONVERT": "converted",
              "RENDER": "render", "VOLUME": "volume", "BAKE": "baked", "RETEXTURE": "retextured",
              "RETOPOLOGY": "retopo", "REMESH": "remeshed",
              # the local print tools, when their result arrives as an object of its own
              "MAKE_MANIFOLD": "manifold", "HOLLOW": "hollowed", "DECIMATE": "decimated"}
_VIEW_WORDS = re.compile(r"(^|[\s_(-]+)(front|back|left|right)( view)?\)?$", re.IGNORECASE)


def words(text: str, fallback: str, count: int = 6, chars: int = 48) -> str:
    """The first words of *text* (a prompt, a file name), one line, no path."""
    text = " ".join((text or "").split())
    if not text:
        return fallback
    return " ".join(text.split(" ")[:count])[:chars].strip() or fallback


def clean(name: str) -> str:
    """A datablock or file name without Blender's ".001" and without extensions."""
    name = (name or "").strip()
    while True:
        shorter = _EXTENSIONS.sub("", _DUPLICATE.sub("", name))
        if shorter == name:
            return name
        name = shorter


def job_name(job_id: str) -> str:
    """The name a job's results carry: what it was submitted as, else its label."""
    view = session.STATE.jobs.get(job_id)
    meta = dict(view.meta) if view is not None and view.meta else {}
    label = view.label if view is not None else ""
    if not meta.get("name") and session.STATE.engine is not None:
        record = session.STATE.engine.job(job_id)
        if record is not None:
            meta, label = dict(record.meta or {}), label or record.label or ""
            if not meta.get("name"):
                return from_request(record.request, label)
    return meta.get("name") or label


def from_stem(stem: str) -> str:
    """What a file's stem means to the user: a result's job name, an upload's own name."""
    stem = clean(stem)
    result = _RESULT_FILE.match(stem)
    if result is not None:
        name = job_name(result.group("job")) or result.group("asset").replace("_", " ")
        return f"{name} on grey" if result.group("rest") else name
    upload = _UPLOAD_FILE.match(stem)
    if upload is not None:
        return upload.group("name")
    if stem.endswith("_grey"):
        return f"{stem[:-5]} on grey"
    return stem


def of_file(path: str) -> str:
    return from_stem(Path(path).name) if path else ""


def of_image(image) -> str:
    """A picture datablock's name as the user knows it (a result picture: its job's name)."""
    if image is None:
        return ""
    name = clean(image.name)
    job_id = image.get("aistudio_local_job") if hasattr(image, "get") else None
    if job_id and _RESULT_FILE.match(name):
        return job_name(str(job_id)) or from_stem(name)
    return from_stem(name)


def of_render(scene=None) -> str:
    """A render's name: the camera it was rendered through (or the scene), not "Render"."""
    scene = scene or bpy.context.scene
    camera = getattr(scene, "camera", None)
    return f"{clean(camera.name) if camera is not None else clean(scene.name)} render"


def picture(filepath: str, image_name: str, use_render: bool, slot=None, scene=None) -> str:
    """What the picture is called to the user (not the temporary PNG it may be sent as)."""
    if use_render:
        return of_render(scene)
    if image_name:
        return of_image(bpy.data.images.get(image_name)) or clean(image_name)
    if filepath:
        return of_file(filepath)
    if slot is not None:
        return of_image(slot.image) if slot.image is not None else of_file(slot.filepath)
    return ""


def view_given(value: str) -> str:
    """A view given by a script (an image datablock's name or a file path), named."""
    if value in bpy.data.images:
        return of_image(bpy.data.images[value])
    return of_file(value)


def multiview(front: str) -> str:
    """A multi-view result, named after its front picture without the view's word."""
    return _VIEW_WORDS.sub("", front or "").strip(" _-") or "Multi-view"


def tool_result(object_name: str, tool: str) -> str:
    """"Suzanne repaired": the source object's name and what the tool made of it."""
    word = TOOL_WORDS.get(tool.upper(), tool.lower().replace("_", " "))
    return f"{object_name} {word}"[:60]


def from_request(request: dict | None, label: str = "") -> str:
    """A name for a job the add-on did not submit (the CLI, a batch): from what it was asked."""
    fields = (request or {}).get("fields") or {}
    prompt = fields.get("prompt")
    if isinstance(prompt, str) and prompt.strip():
        return words(prompt, FALLBACK)
    for key in ("image", "image_file", "image_url", "model_file", "file_url", "model_url"):
        value = fields.get(key)
        if isinstance(value, str) and value and not value.startswith("data:"):
            name = from_stem(Path(value.rsplit("/", 1)[-1]).name)
            return name if key.startswith("image") else tool_result(name, _tool_of(request))
    if label:
        return label.split(": ", 1)[-1] if ": " in label else label
    return FALLBACK


def _tool_of(request: dict | None) -> str:
    kind = str((request or {}).get("type", ""))
    return kind[:-len("Request")] if kind.endswith("Request") else kind


def result_pictures(name: str, paths: list, has_model: bool) -> list[str]:
    """Names for a job's result pictures: the job's name, numbered when it made several.

    Beside a model the pictures are extras ("Officer picture", "Officer
    thumbnail"); for a picture job they are the product ("a red fox",
    "a red fox 2").
    """
    kinds = []
    for path in paths:
        found = _RESULT_FILE.match(Path(path).stem)
        asset = found.group("asset") if found else "picture"
        kinds.append("thumbnail" if asset == "thumbnail" else
                     ("picture" if asset in ("image", "edited_image") else asset.replace("_", " ")))
    names, seen = [], {}
    for kind in kinds:
        seen[kind] = seen.get(kind, 0) + 1
        total = kinds.count(kind)
        base = name if (not has_model and kind == "picture") else f"{name} {kind}"
        names.append(f"{base} {seen[kind]}" if total > 1 else base)
    return names
