"""Where a scene mesh already is on the service: addresses kept on the object itself.

Texture edit, topology and bake read models by address only. An object that
came from a job knows its result's address; an object whose copy a tool
uploaded knows the copy's. Either is kept on the object as the custom
property ``aistudio_addresses`` — ``{format: {"url", "expires_at",
"geometry", "job"}}`` — with the fingerprint of the mesh it stands for
(``helper/geometry.py``) and the wall time the service drops it (24 h after
the job finished). A tool reuses an address, free, while it is fresh and the
mesh is unchanged; a mesh edited since, or an address past (or near) its
expiry, is uploaded again. Nothing secret is stored: result addresses only
(the journal keeps the same ones with their jobs).

Every address is the mesh in its own object coordinates: imports qualify only
when the importer left the object untransformed, and the tools' uploads are
exported in object space (``meshtools.py``), so moving, turning or scaling
an object keeps its address valid.
"""

from __future__ import annotations

import bpy
from bpy.app.handlers import persistent

from ...bridge.clock import SYSTEM_CLOCK
from ...bridge.engine.inputs import FRESH_MARGIN_S
from ...bridge.engine.model import url_ext
from ..jobs import session
from . import geometry

PROPERTY = "aistudio_addresses"
#: An address must outlive the chain that reads it: the steps before the tool, a busy
#: rate budget. Closer to its expiry than this, the mesh is uploaded again.
REUSE_MARGIN_S = 3 * FRESH_MARGIN_S


def now() -> float:
    """Wall time on the engine's clock (the clock its ``expires_at`` are written on)."""
    engine = session.STATE.engine
    clock = engine.clock if engine is not None else session.ENGINE_OPTIONS.get("clock", SYSTEM_CLOCK)
    return clock.wall()


def stored(obj) -> dict:
    """The addresses kept on *obj*, by format (a plain dict; empty when none)."""
    value = obj.get(PROPERTY) if obj is not None else None
    if value is None or not hasattr(value, "to_dict"):
        return {}
    return {str(fmt): dict(entry) for fmt, entry in value.to_dict().items() if isinstance(entry, dict)}


def remember(obj, url: str, expires_at: float | None, fingerprint: str, job_id: str = "") -> None:
    """Keep *url* on *obj* as the address of its mesh as *fingerprint* describes it."""
    if obj is None or not url or expires_at is None or not fingerprint:
        return   # an address whose expiry or geometry is unknown could never be trusted
    fmt = url_ext(url) or "model"
    entries = stored(obj)
    if entries.get(fmt, {}).get("url") == url:
        return   # known already (a resume tells a finished copy again): the file stays clean
    entries[fmt] = {"url": url, "expires_at": float(expires_at), "geometry": fingerprint,
                    "job": job_id}
    obj[PROPERTY] = entries


def forget(obj, urls=None) -> None:
    """Drop *urls* (all, when None) from the addresses kept on *obj*."""
    entries = stored(obj)
    kept = {fmt: e for fmt, e in entries.items() if urls is not None and e.get("url") not in urls}
    if kept == entries:
        return
    if kept:
        obj[PROPERTY] = kept
    elif PROPERTY in obj:
        del obj[PROPERTY]


def usable(obj, fingerprint: str, formats: tuple[str, ...] = (), at: float | None = None) -> str:
    """A fresh address of exactly this mesh: of one of *formats* when there is one, else any.

    '' when none: no address, the mesh changed since (another fingerprint),
    or every address expires within :data:`REUSE_MARGIN_S`.
    """
    at = now() if at is None else at
    fresh = {fmt: e for fmt, e in stored(obj).items()
             if e.get("geometry") == fingerprint and e.get("url")
             and float(e.get("expires_at") or 0) > at + REUSE_MARGIN_S}
    for fmt in formats:
        if fmt in fresh:
            return str(fresh[fmt]["url"])
    best = max(fresh.values(), key=lambda e: float(e["expires_at"]), default=None)
    return str(best["url"]) if best else ""


# -- fingerprints for drawing ------------------------------------------------------

_DRAWN: dict = {}   # object name -> (mesh pointer, fingerprint): for the panel's price


def fingerprint_for_drawing(obj) -> str:
    """The fingerprint, computed once per change of the mesh (the panel redraws often)."""
    key = (obj.name, obj.data.as_pointer() if obj.data is not None else 0)
    cached = _DRAWN.get(obj.name)
    if cached is None or cached[0] != key:
        cached = _DRAWN[obj.name] = (key, geometry.fingerprint(obj))
    return cached[1]


@persistent
def _on_depsgraph(_scene, depsgraph) -> None:
    if _DRAWN and any(update.is_updated_geometry for update in depsgraph.updates):
        _DRAWN.clear()


def register() -> None:
    if catch_up not in session.HISTORY_LISTENERS:   # copies that finished while nobody listened
        session.HISTORY_LISTENERS.append(catch_up)
    if _on_depsgraph not in bpy.app.handlers.depsgraph_update_post:
        bpy.app.handlers.depsgraph_update_post.append(_on_depsgraph)


def unregister() -> None:
    if catch_up in session.HISTORY_LISTENERS:
        session.HISTORY_LISTENERS.remove(catch_up)
    if _on_depsgraph in bpy.app.handlers.depsgraph_update_post:
        bpy.app.handlers.depsgraph_update_post.remove(_on_depsgraph)
    _DRAWN.clear()


# -- where addresses come from ---------------------------------------------------

def remember_import(job_id: str, model_path, top) -> None:
    """After an import: the imported file's address on the object, if it is that file's mesh."""
    if top is None or geometry.IMPORT_STAMP not in top:
        return
    fingerprint = str(top[geometry.IMPORT_STAMP])
    del top[geometry.IMPORT_STAMP]
    record = session.job_record(job_id) if model_path is not None else None
    asset = record.asset_of(str(model_path)) if record is not None else None
    if asset and asset.get("url"):
        remember(top, str(asset["url"]), asset.get("expires_at"), fingerprint, job_id)


def _object_named(name: str):
    return bpy.data.objects.get(name) if name else None


def remember_copy(record) -> bool:
    """A chain's copy on the service finished: its address goes on the mesh it copied.

    The chain's meta says which object each copy was made of and its mesh's
    fingerprint when it was sent; an object edited since keeps the address
    under that older fingerprint, so it is simply not reused.
    """
    meta = record.meta or {}
    copy = (meta.get("copies") or {}).get(str(meta.get("chain_step")))
    if not copy or record.state != "DONE":
        return False
    url = record.model_url(copy.get("format"))
    obj = _object_named(copy.get("object", ""))
    if obj is None or not url:
        return False
    remember(obj, url, record.expires_at, copy.get("geometry", ""), record.job_id)
    return True


def forget_reused(meta: dict) -> list[str]:
    """A chain failed on an address that had expired early: drop it; the objects' names."""
    names = []
    for entry in meta.get("reused") or ():
        obj = _object_named(entry.get("object", ""))
        if obj is not None:
            forget(obj, [entry.get("url")])
            names.append(obj.name)
    return names


def catch_up(records) -> None:
    """Copies that finished while the add-on was not listening (a restart): remember them."""
    for record in records:
        if (record.meta or {}).get("copies") and record.state == "DONE":
            remember_copy(record)
