"""The engine's parts stay separable: no import circle, nobody reaches into the engine."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "bridge" / "engine"


def _engine_imports(path: Path) -> set[str]:
    """Modules of bridge/engine that ``path`` imports (relative imports, any depth in the file)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:  # from . import a, b
                found.update(alias.name for alias in node.names)
    return {name for name in found if (ENGINE / f"{name}.py").exists()}


def _graph() -> dict[str, set[str]]:
    return {p.stem: _engine_imports(p) for p in sorted(ENGINE.glob("*.py"))
            if p.stem != "__init__"}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    colour: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        colour[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if colour.get(nxt) is None and (found := visit(nxt)):
                return found
        stack.pop()
        colour[node] = 2
        return None
    for node in sorted(graph):
        if colour.get(node) is None and (found := visit(node)):
            return found
    return None


def test_the_engine_package_has_no_import_circle():
    graph = _graph()
    assert len(graph) >= 10, graph           # the check looks at the real modules
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_cycle_finder_finds_a_circle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_part_imports_the_engine_or_touches_its_private_state():
    offenders = []
    for path in sorted(ENGINE.glob("*.py")):
        if path.stem in ("engine", "__init__"):
            continue
        if "engine" in _engine_imports(path):
            offenders.append(f"{path.name} imports engine")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and \
                    node.value.id in ("eng", "engine") and node.attr.startswith("_"):
                offenders.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
    assert offenders == []
