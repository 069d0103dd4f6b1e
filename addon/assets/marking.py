"""Results made assets: marked, described, catalogued, previewed from files.

``after_import(plan, top)`` (called by ``importing`` once a result is in the
scene) marks the result's top object as an asset (``asset_mark()``), with
the description, tags and author of ``metadata.describe``, the catalog of
its kind (``catalogs``; the current file's library root when the .blend is
saved, and again on every save), a preview from a picture file
(``previews``), and writes it to the cross-project "AI Studio" library
(``library``) when that preference is on.

Main thread only. Any failure here is said once and never undoes the import.
"""

from __future__ import annotations

from pathlib import Path

import bpy
from bpy.app.handlers import persistent

from .. import preferences
from ..blenderio import thumbnail
from ..jobs import session
from ..properties import MODELS
from . import catalogs, library, metadata, previews

CATALOG_IDS = {catalogs.catalog_id(catalogs.catalog_path(k)) for k in catalogs.KINDS}


def current_file_root() -> Path | None:
    """Where Blender keeps the open file's catalogs: the registered asset library the
    saved .blend lies in, else its folder; None for an unsaved file."""
    blend = bpy.data.filepath
    if not blend:
        return None
    blend_path = Path(blend).resolve()
    for lib in bpy.context.preferences.filepaths.asset_libraries:
        try:
            root = Path(bpy.path.abspath(lib.path)).resolve()
        except (ValueError, OSError):
            continue
        if root in blend_path.parents:
            return root
    return blend_path.parent


def _model_name(meta: dict, request: dict | None) -> str:
    names = {ident: name for ident, name, *_ in MODELS}
    model = str(meta.get("model") or "")
    if model in names:
        return names[model]
    rtype = str((request or {}).get("type") or "")
    return rtype.removesuffix("Request") or model


def picture_for(plan) -> str:
    """The picture file of the result: the service's thumbnail, the helper's render of the
    model, else the picture the job was sent from ('' when none exists)."""
    sent = thumbnail.service_file(plan.job_id, plan.files)
    if sent:
        return sent
    if plan.model is not None and thumbnail.path_for(plan.model).is_file():
        return str(thumbnail.path_for(plan.model))
    record = session.job_record(plan.job_id)
    return thumbnail.source_picture(plan.meta, record.request if record is not None else None)


def describe(plan) -> metadata.AssetInfo:
    record = session.job_record(plan.job_id)
    request = record.request if record is not None else None
    return metadata.describe(
        plan.meta, request, task_id=(record.task_id or "") if record is not None else "",
        provider=record.provider if record is not None else "",
        credits_low=record.credits_low if record is not None else None,
        credits_high=record.credits_high if record is not None else None,
        model_name=_model_name(plan.meta, request), name=plan.name)


def mark(top, info: metadata.AssetInfo, picture: str) -> None:
    """Make *top* an asset with *info*, in its kind's catalog, previewed from *picture*."""
    previews.set_from_file(top, picture)   # before it is an asset: no draw ever renders one
    top.asset_mark()
    data = top.asset_data
    data.description = info.description
    data.author = info.author
    for tag in info.tags:
        if tag not in data.tags:
            data.tags.new(tag)
    data.catalog_id = catalogs.id_for(current_file_root(), info.kind)


def after_import(plan, top) -> None:
    """The result just landed: make it an asset, and keep a copy in the AI Studio library."""
    if top is None:
        return
    try:
        info = describe(plan)
        mark(top, info, picture_for(plan))
    except (OSError, RuntimeError, ValueError, TypeError, AttributeError) as exc:
        session.add_message("WARNING", f"{top.name} was imported but not made an asset: {exc}")
        return
    if not library.enabled():
        return
    try:
        library.ensure_registered()
        path = library.write_result(top, plan.job_id)
    except (OSError, RuntimeError, ValueError) as exc:
        session.add_message("WARNING", f"{top.name} was not added to the AI Studio asset "
                                       f"library: {exc}")
        return
    view = session.STATE.jobs.get(plan.job_id)
    if view is not None:
        view.meta = dict(view.meta, asset_library_file=str(path))


def _has_our_assets() -> bool:
    for coll in (bpy.data.objects, bpy.data.collections):
        for idb in coll:
            if idb.asset_data is not None and idb.asset_data.catalog_id in CATALOG_IDS \
                    and idb.library is None:
                return True
    return False


@persistent
def _on_save(*_args) -> None:
    """A saved file with AI Studio assets gets the catalogs in its library root's file
    (the place Blender reads the Current File's catalogs from)."""
    root = current_file_root()
    if root is None or not _has_our_assets():
        return
    try:
        catalogs.ensure(root)
    except OSError as exc:
        session.add_message("WARNING", f"The AI Studio asset catalogs could not be written "
                                       f"beside the file ({exc}).")


def draw_library_row(layout, _prefs) -> None:
    """Under the checkbox: how many results the library keeps, and a button to its folder."""
    if not library.enabled():
        return
    count, size = library.summary()
    row = layout.row()
    row.label(text=f"{count} result{'' if count == 1 else 's'}, {size / 1e6:.1f} MB "
                   "(right-click one in the Asset Browser to remove it)", icon="ASSET_MANAGER")
    row.operator("wm.path_open", text="Open Folder", icon="FILE_FOLDER").filepath = \
        str(library.folder(create=False))


def register() -> None:
    if library.sync not in preferences.LIBRARY_SWITCH_LISTENERS:
        preferences.LIBRARY_SWITCH_LISTENERS.append(library.sync)
    if draw_library_row not in preferences.LIBRARY_DRAWERS:
        preferences.LIBRARY_DRAWERS.append(draw_library_row)
    if _on_save not in bpy.app.handlers.save_post:
        bpy.app.handlers.save_post.append(_on_save)
    try:
        library.ensure_registered()
    except OSError as exc:
        session.add_message("WARNING", f"The AI Studio asset library could not be made: {exc}")


def unregister() -> None:
    if library.sync in preferences.LIBRARY_SWITCH_LISTENERS:
        preferences.LIBRARY_SWITCH_LISTENERS.remove(library.sync)
    if draw_library_row in preferences.LIBRARY_DRAWERS:
        preferences.LIBRARY_DRAWERS.remove(draw_library_row)
    if _on_save in bpy.app.handlers.save_post:
        bpy.app.handlers.save_post.remove(_on_save)
    library.remove_if_made()
