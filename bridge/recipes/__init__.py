"""The miniature tutorial's picture-preparation recipes, as editable data.

The prompts live in ``recipes.json`` so they can be tuned without touching
code; a user copy (``AISTUDIO_RECIPES`` or an explicit path) overrides the
shipped one recipe by recipe. ``build_edit_request`` turns a recipe and a
picture into the image-edit request of the chosen model.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

from ..api.images import (
    Gemini3ProEditRequest,
    Gemini25FlashEditRequest,
    Gemini31FlashEditRequest,
    SeedreamEditRequest,
)
from ..errors import ConfigError, ValidationError

SHIPPED = Path(__file__).with_name("recipes.json")
USER_ENV = "AISTUDIO_RECIPES"

EDIT_MODELS = {
    "gemini-3-pro": Gemini3ProEditRequest,
    "gemini-3.1-flash": Gemini31FlashEditRequest,
    "gemini-2.5-flash": Gemini25FlashEditRequest,
    "seedream": SeedreamEditRequest,
}


@dataclasses.dataclass(frozen=True)
class Recipe:
    id: str
    label: str
    prompt: str
    description: str = ""


def _read(path: Path) -> list[Recipe]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"Cannot read the recipes file {path}: {exc.strerror}.") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"The recipes file {path} is not valid JSON (line {exc.lineno}: "
                          f"{exc.msg}).") from None
    try:
        return [Recipe(id=r["id"], label=r.get("label", r["id"]), prompt=r["prompt"],
                       description=r.get("description", "")) for r in data["recipes"]]
    except (KeyError, TypeError):
        raise ConfigError(f"The recipes file {path} needs a 'recipes' list whose items "
                          "have 'id' and 'prompt'.") from None


def load_recipes(path: str | os.PathLike | None = None) -> dict[str, Recipe]:
    """Recipes by id: the shipped ones, overridden and extended by a user file.

    The user file is *path*, else ``$AISTUDIO_RECIPES``; it may hold only the
    recipes the user changed.
    """
    recipes = {r.id: r for r in _read(SHIPPED)}
    user = path or os.environ.get(USER_ENV)
    if user:
        recipes.update({r.id: r for r in _read(Path(user))})
    return recipes


def build_edit_request(recipe_id: str, image_path: str, model: str = "gemini-3-pro",
                       prompt_override: str | None = None, recipes: dict[str, Recipe] | None = None):
    """The image-edit request applying *recipe_id* to *image_path* with *model*."""
    recipes = recipes if recipes is not None else load_recipes()
    if recipe_id not in recipes:
        raise ValidationError(f"Unknown recipe {recipe_id!r}; choose one of {', '.join(recipes)}.")
    cls = EDIT_MODELS.get(model)
    if cls is None:
        raise ValidationError(f"model must be one of {', '.join(EDIT_MODELS)}; got {model!r}.")
    prompt = prompt_override or recipes[recipe_id].prompt
    if cls is SeedreamEditRequest:
        request = cls(prompt=prompt, image_urls=[image_path])
    else:
        request = cls(prompt=prompt, images=[image_path])
    request.validate()
    return request
