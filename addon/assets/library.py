"""The "AI Studio" asset library: every result of every project, in the user's extension folder.

When the preference *Keep Results in the Asset Library* is on (the default),
enabling the add-on registers the folder in Blender's preferences as an
asset library named "AI Studio" (an existing entry for the same folder is
reused and left alone), and each imported result is also written there as
one small .blend (``bpy.data.libraries.write``; the folder and its catalog file
are made with the first result, so enabling the add-on writes nothing of the result's objects: a
file write of data already in memory, never an import). From any .blend the
Asset Browser lists them and dragging one in appends or links it as Blender
always does. *Remove from AI Studio Library* (the Asset Browser's context
menu) deletes a result's file again; the preferences show how many there
are and how much room they take.

The entry is removed when the add-on is disabled only if the add-on made
it: ``asset_library_made`` (a hidden preference) says so, and it is saved
with the preferences together with the entry itself. Nothing saves the
preferences here: with *Auto-Save Preferences* off, the entry lasts for the
session and is made again at the next start.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import bpy

from ...bridge import errors
from .. import preferences
from . import catalogs, previews

NAME = "AI Studio"
#: Tests point this at their own folder (None: the extension's user folder).
OPTIONS: dict = {"folder": None}
#: Seconds the last library write took on the main thread (the README's measurement).
LAST_WRITE_S: list = []


def folder(create: bool = True) -> Path:
    chosen = OPTIONS.get("folder")
    if chosen:
        path = Path(chosen)
        if create:
            path.mkdir(parents=True, exist_ok=True)
        return path
    return preferences.user_folder("asset library", create=create)


def _same(a: str, b: str) -> bool:
    try:
        return os.path.normcase(os.path.realpath(bpy.path.abspath(a))) == \
            os.path.normcase(os.path.realpath(str(b)))
    except (ValueError, OSError):
        return False


def find(path: Path | None = None):
    """The asset library entry for the folder, or None."""
    path = folder(create=False) if path is None else path
    for lib in bpy.context.preferences.filepaths.asset_libraries:
        if _same(lib.path, path):
            return lib
    return None


def enabled(prefs=None) -> bool:
    prefs = prefs if prefs is not None else preferences.get_prefs()
    return prefs is not None and bool(prefs.use_asset_library)


def ensure_registered(prefs=None):
    """Register the library (when the preference is on); the entry, or None."""
    prefs = prefs if prefs is not None else preferences.get_prefs()
    if not enabled(prefs):
        return None
    # Only the preferences entry: the folder and its catalog file are made with the first
    # result (nothing is written when the add-on is enabled).
    path = folder(create=False)
    lib = find(path)
    if lib is None:
        libs = bpy.context.preferences.filepaths.asset_libraries
        lib = libs.new(name=NAME, directory=str(path))
        prefs.asset_library_made = True
    return lib


def remove_if_made(prefs=None) -> bool:
    """Take the entry out of the preferences if the add-on made it (the files stay)."""
    prefs = prefs if prefs is not None else preferences.get_prefs()
    if prefs is None or not prefs.asset_library_made:
        return False
    lib = find()
    if lib is not None:
        bpy.context.preferences.filepaths.asset_libraries.remove(lib)
    prefs.asset_library_made = False
    return lib is not None


def sync(prefs=None) -> None:
    """The preference was switched: register or remove the library accordingly."""
    if enabled(prefs):
        ensure_registered(prefs)
    else:
        remove_if_made(prefs)


def _file_name(name: str, job_id: str) -> str:
    return f"{bpy.path.clean_name(name)[:60]}_{bpy.path.clean_name(job_id)}.blend"


def write_result(top, job_id: str) -> Path:
    """Write *top* and everything under it into the library as its own .blend; its path.

    A single object is the asset itself; a hierarchy (an empty over several
    meshes) goes in as a collection asset holding all of it, since dragging
    an object brings in that object alone, not its children.
    """
    root = folder()
    catalogs.ensure(root)   # every kind's catalog, so the browser shows them all at once
    path = root / _file_name(top.name, job_id)
    objects = [top, *top.children_recursive]
    started = time.perf_counter()
    if len(objects) == 1:
        bpy.data.libraries.write(str(path), {top}, path_remap="ABSOLUTE", fake_user=True)
    else:
        coll = bpy.data.collections.new(top.name)
        try:
            for obj in objects:
                coll.objects.link(obj)
            coll.asset_mark()
            for field in ("description", "author", "catalog_id"):
                setattr(coll.asset_data, field, getattr(top.asset_data, field))
            for tag in top.asset_data.tags:
                coll.asset_data.tags.new(tag.name)
            previews.copy(top, coll)
            bpy.data.libraries.write(str(path), {coll}, path_remap="ABSOLUTE", fake_user=True)
        finally:
            bpy.data.collections.remove(coll)
    LAST_WRITE_S[:] = [time.perf_counter() - started]
    return path


def inside(path: str | Path) -> Path | None:
    """*path* as a result file of the library (a .blend directly in its folder), else None."""
    try:
        real = Path(os.path.realpath(bpy.path.abspath(str(path))))
        root = Path(os.path.realpath(folder(create=False)))
    except (ValueError, OSError):
        return None
    return real if real.parent == root and real.suffix == ".blend" else None


def remove_results(paths: list[str]) -> list[Path]:
    """Delete these result files from the library; the ones removed.

    Only .blend files directly in the library's folder are touched (a path
    anywhere else is refused before anything is deleted); Blender's backup
    beside one (``.blend1``) goes with it. Copies already appended into
    other files are theirs and stay.
    """
    files = [inside(p) for p in paths]
    outside = [p for p, f in zip(paths, files) if f is None]
    if outside:
        raise errors.ValidationError(f"Not a result in the AI Studio asset library: {outside[0]}")
    removed = []
    for path in dict.fromkeys(files):
        for victim in (path, path.with_suffix(".blend1")):
            try:
                victim.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise errors.ValidationError(f"{path.name} could not be removed: {exc}") from exc
        removed.append(path)
    _SUMMARY.clear()
    return removed


_SUMMARY: dict = {}   # the folder's mtime -> (results, bytes): preferences draw it often


def summary() -> tuple[int, int]:
    """How many results the library holds and their size in bytes (0, 0 before the first)."""
    root = folder(create=False)
    try:
        stamp = (str(root), root.stat().st_mtime_ns)
    except OSError:
        return 0, 0
    if stamp not in _SUMMARY:
        sizes = [entry.stat().st_size for entry in os.scandir(root)
                 if entry.is_file() and entry.name.endswith(".blend")]
        _SUMMARY.clear()
        _SUMMARY[stamp] = (len(sizes), sum(sizes))
    return _SUMMARY[stamp]
