"""Rules that keep the architecture honest, checked on every run."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {"bpy", "bmesh", "mathutils", "gpu", "bl_math"}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node.lineno


def test_bridge_never_imports_blender():
    offenders = [f"{p.relative_to(ROOT)}:{line} imports {name}"
                 for p in sorted((ROOT / "bridge").rglob("*.py"))
                 for name, line in _imports(p) if name in FORBIDDEN]
    assert offenders == []


def test_no_module_is_a_thousand_lines():
    long = [f"{p.relative_to(ROOT)} ({n} lines)"
            for p in sorted(ROOT.glob("[!.]*/**/*.py"))
            if ".venv" not in p.parts and (n := len(p.read_text(encoding="utf-8").splitlines())) >= 1000]
    assert long == []


def test_no_bare_except_in_shipped_code():
    offenders = []
    for folder in ("bridge", "addon"):
        for p in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(p.read_text(encoding="utf-8"))
            offenders += [f"{p.relative_to(ROOT)}:{h.lineno}" for h in ast.walk(tree)
                          if isinstance(h, ast.ExceptHandler) and h.type is None]
    assert offenders == []


def test_the_addon_imports_the_bridge_relatively_and_by_name():
    """As in the zip: ``from ..bridge import x``, never a top-level ``bridge`` or a string import."""
    offenders = []
    for p in sorted((ROOT / "addon").rglob("*.py")):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                    and node.module.split(".")[0] in ("bridge", "addon"):
                offenders.append(f"{p.relative_to(ROOT)}:{node.lineno} from {node.module}")
            elif isinstance(node, ast.Import) and any(a.name.split(".")[0] in ("bridge", "addon", "importlib")
                                                      for a in node.names):
                offenders.append(f"{p.relative_to(ROOT)}:{node.lineno} import")
            elif isinstance(node, ast.Name) and node.id == "__import__":
                offenders.append(f"{p.relative_to(ROOT)}:{node.lineno} __import__")
    assert offenders == []
