"""DESIGN rule 12: every path that spends credits goes through the one submit guard.

The guard (``addon/operators/submit.py``, ``SubmitMixin``) checks online
access and the key, validates and asks before spending; an operator that
calls ``engine.submit`` itself skips all of that (as "Run in Cloud" once did).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUARD = ROOT / "addon" / "operators" / "submit.py"


def _submit_calls(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("submit", "submit_chain"):
            yield node.lineno


def test_only_the_submit_guard_hands_jobs_to_the_engine():
    offenders = [f"{p.relative_to(ROOT)}:{line}" for p in sorted((ROOT / "addon").rglob("*.py"))
                 if p != GUARD for line in _submit_calls(p)]
    assert offenders == [], "call engine.submit only through SubmitMixin: " + ", ".join(offenders)


def test_the_guard_itself_still_submits():
    assert list(_submit_calls(GUARD)), "the rule above would pass vacuously"
