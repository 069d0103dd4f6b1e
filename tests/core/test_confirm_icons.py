"""Every confirmation the add-on asks names an icon Blender's confirm dialog takes."""

import ast
from pathlib import Path

ADDON = Path(__file__).resolve().parents[2] / "addon"
#: What ``WindowManager.invoke_confirm(icon=...)`` accepts in Blender 4.2 to 5.0.
BLENDER_CONFIRM_ICONS = {"NONE", "WARNING", "QUESTION", "ERROR", "INFO"}


def _ask_icons():
    for path in ADDON.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "ask":
                for kw in node.keywords:
                    if kw.arg == "icon":
                        yield path.name, ast.literal_eval(kw.value)


def test_every_asked_icon_is_one_blender_shows():
    icons = list(_ask_icons())
    assert icons, "no ask(..., icon=...) found: the test reads the wrong place"
    assert [(f, i) for f, i in icons if i not in BLENDER_CONFIRM_ICONS] == []

