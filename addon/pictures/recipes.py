"""The picture-preparation recipes, read once and kept for enums and drawing.

Blender calls an EnumProperty's item callback on every redraw, and a
StringProperty getter too, so the recipes file (shipped ``recipes.json``
plus the user's override, ``$AISTUDIO_RECIPES``) is read once and cached;
``reload()`` picks up edits. Blender also keeps only pointers to the enum
item strings, so the item tuples must live as long as the cache does.
"""

from __future__ import annotations

from ...bridge import errors
from ...bridge import recipes as recipes_mod

#: The bridge's edit models; their ids are the enum identifiers too.
EDIT_MODELS = (
    ("gemini-3-pro", "Gemini 3 Pro", "Best at keeping the character identical (50 credits)"),
    ("gemini-3.1-flash", "Gemini 3.1 Flash", "Faster and cheaper (10–25 credits)"),
    ("gemini-2.5-flash", "Gemini 2.5 Flash", "Cheapest Gemini (5 credits)"),
    ("seedream", "Seedream", "Seedream v5 lite (10 credits)"),
)
#: Recipes that make another view of the subject, and the multi-view slot each fills.
VIEW_SLOTS = {"view_back": "BACK", "view_left": "LEFT", "view_right": "RIGHT"}

_cache: dict = {}
_items: list = []
_error: list = []


def recipes() -> dict:
    """Recipes by id; after a broken override file, the shipped ones and a note."""
    if not _cache:
        try:
            _cache.update(recipes_mod.load_recipes())
        except errors.ConfigError as exc:
            # A typo in the user's file must not empty the menu: fall back and say why.
            _error[:] = [f"{exc} Using the shipped recipes."]
            _cache.update(recipes_mod.load_recipes(recipes_mod.SHIPPED))
        _items[:] = [(r.id, r.label, r.description or r.prompt[:120]) for r in _cache.values()]
    return _cache


def load_error() -> str:
    return _error[0] if _error else ""


def reload() -> dict:
    _cache.clear()
    _error.clear()
    return recipes()


def enum_items(_self=None, _context=None) -> list:
    recipes()
    return _items


def prompt_of(recipe_id: str) -> str:
    recipe = recipes().get(recipe_id)
    return recipe.prompt if recipe is not None else ""


def default_slot(recipe_id: str) -> str:
    """Where an accepted result goes unless the user picks: its view, else the source."""
    return VIEW_SLOTS.get(recipe_id, "SOURCE")
