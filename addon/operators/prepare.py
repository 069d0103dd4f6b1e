"""Prepare the picture (the miniature tutorial's first steps): edit it in the cloud.

``prepare_picture`` applies a recipe (a prompt kept as data in
``bridge/recipes/recipes.json``) with an image-edit model to the source
picture; ``prepare_redo`` sends a finished preparation again with the current
prompt; ``remove_background`` sends the picture to the remove-bg tool, whose
result the importer puts on studio grey. All go through the same checks,
confirmation and hand-off as every other job (``SubmitMixin``).
"""

from pathlib import Path

import bpy
from bpy.props import BoolProperty, EnumProperty, StringProperty

from ...bridge import recipes as recipes_mod
from ...bridge.api import image_tools
from ...bridge.errors import ValidationError
from ..blenderio import uploads
from ..jobs import naming, session
from ..pictures import recipes
from .submit import Prepared, SubmitMixin

EMPTY_PROMPT = ("The prompt is empty: type what the picture should become, or pick the recipe "
                "again to get its prompt back.")


def _source_path(op, context) -> tuple[str, str]:
    """The picture to send (a file path) and what to call it, from the arguments or the scene."""
    settings = context.scene.aistudio
    scripted = bool(op.filepath or op.image or op.use_render)
    use_render = op.use_render or (not scripted and settings.source == "RENDER")
    path = uploads.resolve(op.filepath, op.image, use_render,
                               fallback=None if scripted else settings.picture)
    return path, naming.picture(op.filepath, op.image, use_render, settings.picture, context.scene)


def edit_prepared(recipe: str, model: str, prompt: str, path: str, name: str) -> Prepared:
    if not (prompt or "").strip():
        raise ValidationError(EMPTY_PROMPT)
    request = recipes_mod.build_edit_request(recipe, path, model=model, prompt_override=prompt,
                                             recipes=recipes.recipes())
    label = recipes.recipes()[recipe].label
    meta = {"source": "prepare", "recipe": recipe, "prompt": prompt, "picture": path,
            "edit_model": model, "picture_name": name}
    return Prepared(request, naming.words(f"{name} {label.lower()}", "Prepared picture"), model, meta)


def remove_bg_prepared(path: str, name: str) -> Prepared:
    request = image_tools.RemoveBackgroundRequest(image_file=path)
    meta = {"source": "remove_bg", "picture": path, "picture_name": name}
    return Prepared(request, naming.words(f"{name} no background", "Background removed"),
                    "REMOVE_BG", meta)


class _PictureArgs:
    filepath: StringProperty(name="File", subtype="FILE_PATH")
    image: StringProperty(name="Image", description="Name of an image datablock")
    use_render: BoolProperty(name="Use Render Result", default=False)


class AISTUDIO_OT_prepare_picture(_PictureArgs, SubmitMixin, bpy.types.Operator):
    """Apply a preparation recipe to the source picture with an image-edit model"""

    bl_idname = "aistudio.prepare_picture"
    bl_label = "Prepare Picture"
    bl_options = {"REGISTER"}

    recipe: EnumProperty(name="Recipe", items=recipes.enum_items)
    model: EnumProperty(name="Edit Model", items=recipes.EDIT_MODELS, default="gemini-3-pro")
    prompt: StringProperty(name="Prompt", description="Unset: the panel's prompt")

    def prepare(self, context) -> Prepared:
        prep = context.scene.aistudio.prepare
        is_set = self.properties.is_property_set
        recipe = self.recipe if is_set("recipe") else prep.recipe
        model = self.model if is_set("model") else prep.model
        if is_set("prompt"):
            prompt = self.prompt
        elif recipe == prep.recipe:
            prompt = prep.prompt  # what the panel shows, edits included
        else:
            prompt = recipes.prompt_of(recipe)
        if not prompt.strip():
            raise ValidationError(EMPTY_PROMPT)  # before saving any picture
        path, name = _source_path(self, context)
        return edit_prepared(recipe, model, prompt, path, name)


def _job_meta(job_id: str) -> dict:
    view = session.STATE.jobs.get(job_id)
    if view is not None and view.meta:
        return view.meta
    record = session.engine().job(job_id) if job_id else None
    if record is None:
        raise ValidationError(f"No such job: {job_id or '(none given)'}.")
    return dict(record.meta or {})


class AISTUDIO_OT_prepare_redo(SubmitMixin, bpy.types.Operator):
    """Send this preparation again: same recipe and picture, the current prompt"""

    bl_idname = "aistudio.prepare_redo"
    bl_label = "Redo"
    bl_options = {"REGISTER"}

    job_id: StringProperty(name="Job")
    prompt: StringProperty(name="Prompt", description="Unset: the panel's prompt")

    def prepare(self, context) -> Prepared:
        meta = _job_meta(self.job_id)
        source = meta.get("source")
        if source not in ("prepare", "remove_bg"):
            raise ValidationError(f"Job {self.job_id} is not a picture preparation; Redo works on "
                                  "the Prepare section's results.")
        path = meta.get("picture", "")
        if not Path(path).is_file():
            raise ValidationError(f"The picture this job started from is gone ({path}); choose it "
                                  "again and press Send.")
        name = meta.get("picture_name") or naming.of_file(path)
        if source == "remove_bg":
            return remove_bg_prepared(path, name)
        recipe = meta.get("recipe", "")
        prep = context.scene.aistudio.prepare
        if self.properties.is_property_set("prompt"):
            prompt = self.prompt
        elif prep.recipe == recipe:
            prompt = prep.prompt  # the user may have edited it since
        else:
            prompt = meta.get("prompt") or recipes.prompt_of(recipe)
        return edit_prepared(recipe, meta.get("edit_model") or prep.model, prompt, path, name)


class AISTUDIO_OT_remove_background(_PictureArgs, SubmitMixin, bpy.types.Operator):
    """Remove the source picture's background in the cloud; the result arrives on studio grey"""

    bl_idname = "aistudio.remove_background"
    bl_label = "Remove Background"
    bl_options = {"REGISTER"}

    def prepare(self, context) -> Prepared:
        return remove_bg_prepared(*_source_path(self, context))


class AISTUDIO_OT_prepare_reset_prompt(bpy.types.Operator):
    """Put the chosen recipe's own prompt back into the prompt field"""

    bl_idname = "aistudio.prepare_reset_prompt"
    bl_label = "Reset Prompt"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context):
        context.scene.aistudio.prepare.prompt_edited = False
        return {"FINISHED"}


class AISTUDIO_OT_reload_recipes(bpy.types.Operator):
    """Read the recipes again (the shipped ones and your $AISTUDIO_RECIPES file)"""

    bl_idname = "aistudio.reload_recipes"
    bl_label = "Reload Recipes"

    def execute(self, context):
        count = len(recipes.reload())
        problem = recipes.load_error()
        if problem:
            self.report({"WARNING"}, problem)
        else:
            self.report({"INFO"}, f"{count} recipes loaded.")
        return {"FINISHED"}


classes = (AISTUDIO_OT_prepare_picture, AISTUDIO_OT_prepare_redo, AISTUDIO_OT_remove_background,
           AISTUDIO_OT_prepare_reset_prompt, AISTUDIO_OT_reload_recipes)
