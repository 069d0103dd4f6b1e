"""The asset catalogs of AI Studio results, in Blender's own catalog definition file.

Plain Python (no ``bpy``): Blender keeps an asset library's catalogs in
``blender_assets.cats.txt`` at the library's root::

    # (comments)
    VERSION 1

    <uuid>:<path>:<simple name>

Results go into one catalog per kind under "AI Studio" (``AI Studio/Text``,
``AI Studio/Miniature``…). Their ids are uuid5 of the catalog path, so every
library, every file and every machine gives "AI Studio/Text" the same id: an
asset keeps its catalog when it moves between libraries.

``ensure()`` reads the file, keeps every line it has (the artist's catalogs,
comments, Blender's own header) and adds only the catalogs that are
missing, written to a temporary file and renamed over, the way Blender
itself writes it. Blender writes this file too, on the main thread when a
.blend is saved with catalog edits made in the Asset Browser, merging with
what is on disk; the add-on writes it on the main thread as well, and only
when a line is missing, so the two never write at once within one Blender.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

FILENAME = "blender_assets.cats.txt"
ROOT = "AI Studio"
#: uuid5 namespace of the add-on's catalog ids (fixed forever: ids must stay stable).
NAMESPACE = uuid.UUID("5d0a3f4e-9b61-4c1e-8f7a-2a1f3c9d7e10")

#: Job kind -> catalog name under "AI Studio".
KINDS = {
    "text": "Text",
    "picture": "Picture",
    "multiview": "Multi-view",
    "miniature": "Miniature",
    "tool": "Tool",
}

HEADER = (
    "# This is an Asset Catalog Definition file for Blender.\n"
    "#\n"
    "# Empty lines and lines starting with `#` will be ignored.\n"
    "# The first non-ignored line should be the version indicator.\n"
    '# Other lines are of the format "UUID:catalog/path/for/assets:simple catalog name"\n'
    "\n"
    "VERSION 1\n"
    "\n"
)


def catalog_path(kind: str) -> str:
    return f"{ROOT}/{KINDS.get(kind, 'Other')}"


def simple_name(path: str) -> str:
    """Blender's own "simple name" of a catalog path: its parts joined by dashes."""
    return path.replace("/", "-")


def catalog_id(path: str) -> str:
    """The catalog's id: the same for the same path everywhere."""
    return str(uuid.uuid5(NAMESPACE, path))


def wanted_paths(kinds=None) -> list[str]:
    """The catalogs to make: "AI Studio" itself (the parent Blender expects) and each kind's."""
    kinds = list(KINDS) if kinds is None else list(kinds)
    return [ROOT] + [catalog_path(k) for k in kinds]


def read(path: Path) -> dict[str, str]:
    """Catalog path -> id of every catalog the file defines ({} when there is no file)."""
    found: dict[str, str] = {}
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return found
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "VERSION")):
            continue
        parts = line.split(":", 2)
        if len(parts) >= 2 and parts[1]:
            found.setdefault(parts[1], parts[0])
    return found


def ensure(folder: str | Path, kinds=None) -> dict[str, str]:
    """Make the AI Studio catalogs exist in *folder*'s catalog file; path -> id of each.

    A catalog the file already has under another id keeps that id (the artist
    or another tool made it first): assets are put in the catalog the library
    knows. Nothing is written when nothing is missing.
    """
    folder = Path(folder)
    cats = folder / FILENAME
    have = read(cats)
    missing = [p for p in wanted_paths(kinds) if p not in have]
    if missing:
        try:
            old = cats.read_text(encoding="utf-8")
        except FileNotFoundError:
            old = ""
        if not old.strip():
            old = HEADER
        elif "VERSION" not in old:
            old = HEADER + old
        text = old if old.endswith("\n") else old + "\n"
        text += "".join(f"{catalog_id(p)}:{p}:{simple_name(p)}\n" for p in missing)
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".cats-", suffix=".txt", dir=str(folder))
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            os.replace(tmp, cats)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        have = read(cats)
    return {p: have.get(p, catalog_id(p)) for p in wanted_paths(kinds)}


def id_for(folder: str | Path | None, kind: str) -> str:
    """The id of *kind*'s catalog in *folder*'s file (made when missing), or the stable id."""
    path = catalog_path(kind)
    if folder is None:
        return catalog_id(path)
    kinds = list(KINDS) + ([] if kind in KINDS else [kind])
    return ensure(folder, kinds).get(path, catalog_id(path))
