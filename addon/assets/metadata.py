"""What an imported result says about itself in the Asset Browser (plain Python, no ``bpy``).

From the job's journal record and meta: the kind of job (its catalog), the
description (the prompt, or the picture's name; the task id and credits on
its last line), the tags an artist searches by (model, service, kind) and
the author (the service). Secrets never get here: the request's fields are
read for the prompt only, and a data: address or a key is never copied.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

SERVICES = {"3daistudio": "3D AI Studio", "image3d": "image3d.io"}

#: meta["source"] of the add-on's operators -> kind.
SOURCES = {"text": "text", "image": "picture", "multiview": "multiview",
           "miniature": "miniature", "tool": "tool", "print_cloud": "tool"}
TOOL_TYPES = ("ConvertRequest", "RenderRequest", "RepairRequest", "OptimizeRequest",
              "BakeTextureRequest", "VolumeRequest", "TencentTopologyRequest",
              "TencentTextureEditRequest")
#: Words of each kind in the tags (what an artist types in the search field).
KIND_WORDS = {"text": "text", "picture": "picture", "multiview": "multi-view",
              "miniature": "miniature", "tool": "tool"}
PICTURE_FIELDS = ("image", "image_url", "front", "front_image", "picture")


@dataclasses.dataclass
class AssetInfo:
    kind: str
    description: str
    tags: list[str]
    author: str


def kind_of(meta: dict, request: dict | None) -> str:
    """text, picture, multiview, miniature or tool."""
    request = request or {}
    rtype = str(request.get("type") or "")
    fields = request.get("fields") or {}
    if meta.get("chain") or rtype in TOOL_TYPES:
        return "tool"
    source = SOURCES.get(str(meta.get("source") or ""))
    if source:
        return source
    if "Miniature" in rtype:
        return "miniature"
    if "Multiview" in rtype or any(k in fields for k in ("back", "left", "right", "views")):
        return "multiview"
    if any(fields.get(k) for k in PICTURE_FIELDS):
        return "picture"
    return "text"


def _prompt(meta: dict, request: dict | None) -> str:
    fields = (request or {}).get("fields") or {}
    for value in (meta.get("prompt"), fields.get("prompt"), fields.get("text")):
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return ""


def _picture_name(meta: dict, request: dict | None) -> str:
    fields = (request or {}).get("fields") or {}
    for value in [meta.get("picture"), *(fields.get(k) for k in PICTURE_FIELDS)]:
        if isinstance(value, str) and value and "://" not in value and not value.startswith("data:"):
            return Path(value).name
    return ""


def credits_text(low, high) -> str:
    if low is None and high is None:
        return ""
    low = high if low is None else low
    high = low if high is None else high
    return f"{low} credits" if low == high else f"{low}–{high} credits"


def describe(meta: dict, request: dict | None, *, task_id: str = "", provider: str = "",
             credits_low=None, credits_high=None, model_name: str = "", name: str = "") -> AssetInfo:
    kind = kind_of(meta, request)
    first = _prompt(meta, request) if kind == "text" else ""
    first = first or _picture_name(meta, request) or _prompt(meta, request) or name
    last = " · ".join(p for p in (f"Task {task_id}" if task_id else "",
                                  credits_text(credits_low, credits_high)) if p)
    description = "\n".join(p for p in (first, last) if p)
    service = SERVICES.get(provider, provider or "")
    tags = []
    for tag in (model_name, service, KIND_WORDS[kind], "AI Studio"):
        if tag and tag not in tags:
            tags.append(tag)
    return AssetInfo(kind, description, tags, service)
