"""The project's import graph, read from the source (no import is run).

Every import counts, at any depth: one inside a function still runs and still
ties the two modules together, so a circle "dodged" by a late import is still
a circle here. Only imports of our own packages (``addon``, ``bridge``) count.
Importing ``pkg.sub`` runs ``pkg/__init__`` first, so it is an edge to
``pkg`` too (a package ``__init__`` that imports its panels drags them in);
not from inside ``pkg`` itself, which is already being imported.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("addon", "bridge")


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    in_function: bool


def module_files() -> dict[str, Path]:
    """``addon.jobs.session`` → its file, for every module of our packages."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_package(name: str, modules: dict[str, Path]) -> bool:
    return modules[name].name == "__init__.py"


def _resolve(node: ast.ImportFrom, here: str, modules: dict[str, Path]) -> str:
    if not node.level:
        return node.module or ""
    base = here.split(".")
    if not _is_package(here, modules):
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _own(name: str) -> str | None:
    """Our module name for an absolute import (``ai_studio_bridge.addon.x`` in tests too)."""
    parts = name.split(".")
    if parts and parts[0] == "ai_studio_bridge":
        parts = parts[1:]
    return ".".join(parts) if parts and parts[0] in PACKAGES else None


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _typing_only_lines(tree: ast.AST) -> set[int]:
    """Imports under ``if TYPE_CHECKING:``: read by type checkers, never run."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                for sub in ast.walk(inner):
                    if isinstance(sub, (ast.Import, ast.ImportFrom)):
                        lines.add(sub.lineno)
    return lines


def _function_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    lines.add(inner.lineno)
    return lines


def edges() -> list[Edge]:
    modules = module_files()
    found = []
    for here, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        late = _function_lines(tree)
        typing_only = _typing_only_lines(tree)
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in typing_only:
                continue
            targets = []
            if isinstance(node, ast.Import):
                targets = [_own(alias.name) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(node, here, modules) if node.level else _own(node.module or "")
                if base is None:
                    continue
                for alias in node.names:
                    # ``from pkg import sub`` imports the submodule; ``from mod import name`` the module.
                    sub = f"{base}.{alias.name}"
                    targets.append(sub if sub in modules else base)
            for target in targets:
                if not target or target not in modules or target == here:
                    continue
                found.append(Edge(here, target, node.lineno, node.lineno in late))
                for package in _ancestors(target):
                    if package in modules and package not in _ancestors(here) and package != here:
                        found.append(Edge(here, package, node.lineno, node.lineno in late))
    return found


def circles(graph_edges: list[Edge]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), sorted."""
    graph: dict[str, set[str]] = {}
    for edge in graph_edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


if __name__ == "__main__":
    for group in circles(edges()):
        print(" ↔ ".join(group))
