"""The layout a newcomer relies on: no import circles, no late imports hiding one,
package ``__init__`` files that import nothing, and a short top level.

Read from the source (tests/core/import_graph.py), so it runs without Blender.
"""

import ast

import import_graph
import pytest
from import_graph import Edge, circles, edges, module_files

#: The add-on's top level: each module has a reason to be there, not in a folder.
TOP_LEVEL = {
    "addon": "register() and unregister(): the order everything is set up and torn down",
    "addon.preferences": "Blender finds the add-on's preferences by the package's own name",
    "addon.properties": "Scene.aistudio: every scene setting under one pointer",
    "addon.sidebar": "the tab every panel is in (ui/ and printing/ both draw into it)",
}


def test_there_is_no_import_circle():
    found = circles(edges())
    assert found == [], "import circles (break them; see docs/CONTRIBUTING.md):\n" + "\n".join(
        " ↔ ".join(group) for group in found)


def test_the_circle_check_sees_a_circle_through_a_late_import():
    graph = [Edge("addon.a", "addon.b", 1, False), Edge("addon.b", "addon.c", 3, True),
             Edge("addon.c", "addon.a", 5, False), Edge("addon.c", "addon.d", 6, False)]
    assert circles(graph) == [["addon.a", "addon.b", "addon.c"]]


def test_importing_a_submodule_counts_as_importing_its_package(tmp_path, monkeypatch):
    # pkg/__init__ imports pkg.panel, which needs top; top imports pkg.slots: importing
    # pkg.slots runs pkg/__init__ first, so this is a circle at run time.
    for rel, text in {"addon/__init__.py": "", "addon/top.py": "from .pkg import slots\n",
                      "addon/pkg/__init__.py": "from . import panel\n",
                      "addon/pkg/panel.py": "from .. import top\n",
                      "addon/pkg/slots.py": "", "bridge/__init__.py": ""}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    monkeypatch.setattr(import_graph, "ROOT", tmp_path)
    assert circles(edges()) == [["addon.pkg", "addon.pkg.panel", "addon.top"]]


def test_our_modules_are_imported_at_the_top_of_a_module():
    """An import inside a function is how a circle hides; with none left, a new one says so."""
    late = sorted(f"{e.source} line {e.line}: {e.target}" for e in edges() if e.in_function)
    assert late == [], "imports of our own modules inside functions:\n" + "\n".join(late)


@pytest.mark.parametrize("package", sorted(
    name for name, path in module_files().items()
    if path.name == "__init__.py" and name.startswith("addon.")))
def test_a_package_init_imports_nothing(package):
    """Importing addon.jobs.session must not run every module of addon/jobs/."""
    tree = ast.parse(module_files()[package].read_text(encoding="utf-8"))
    imports = [node.lineno for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert imports == [], f"{package}/__init__.py imports (lines {imports}); list what Blender " \
                          "registers in its registration.py instead"


def test_the_top_level_of_the_addon_is_short_and_each_module_says_why():
    top = {name for name in module_files() if name.startswith("addon") and name.count(".") <= 1
           and module_files()[name].name != "__init__.py" or name == "addon"}
    assert top == set(TOP_LEVEL), ("a new top-level module: put it in the folder it belongs to "
                                   "(docs/CONTRIBUTING.md), or say here why it is top level")


def test_every_module_says_what_it_is_for():
    silent = [name for name, path in module_files().items()
              if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))]
    assert silent == []


def test_every_test_module_that_needs_blender_is_marked():
    """``-m "not blender"`` is the fast tier: a module that imports bpy must say it needs Blender."""
    root = import_graph.ROOT / "tests"
    unmarked = []
    for path in sorted(root.rglob("test_*.py")):
        text = path.read_text(encoding="utf-8")
        needs = "import bpy" in text or path.parent.name in ("addon", "printing")
        if needs and "pytest.mark.blender" not in text:
            unmarked.append(str(path.relative_to(root)))
    assert unmarked == []
