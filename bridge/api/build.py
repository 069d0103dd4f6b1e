"""Build a request from a type name and a dict of fields, refusing unknown names.

Dataclass constructors raise ``TypeError`` on an unknown keyword; callers
(the add-on, batch files, scripts) want a :class:`ValidationError` that says
which name is wrong and, for the names a popular third-party client uses,
which name the service actually documents.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..errors import ValidationError
from .base import REQUEST_TYPES, ApiRequest

#: Wrong field names seen in the wild → the documented name (or why it is wrong).
WRONG_NAMES: dict[str, str] = {
    "enable_pbr": "textures (TRELLIS.2) or pbr (Tripo)",
    "count": "num_images",
    "high_poly_model_url": "original_url",
    "low_poly_model_url": "retopo_url",
    "version": "the endpoint path (Tripo's version is not a body field)",
}


def build_request(type_name: str | type[ApiRequest], fields: dict[str, Any]) -> ApiRequest:
    """A validated request of ``type_name`` (class name or class) from ``fields``."""
    cls = type_name if isinstance(type_name, type) else REQUEST_TYPES.get(type_name)
    if cls is None:
        known = ", ".join(sorted(REQUEST_TYPES))
        raise ValidationError(f"Unknown request type {type_name!r}; known: {known}.")
    names = {f.name for f in dataclasses.fields(cls)}
    for key in fields:
        if key not in names:
            hint = WRONG_NAMES.get(key)
            advice = f" Use {hint}." if hint else ""
            allowed = ", ".join(sorted(n for n in names if not n.startswith("_")))
            raise ValidationError(f"{cls.LABEL} has no field {key!r}.{advice} "
                                  f"Fields: {allowed}.")
    request = cls(**fields)
    request.validate()
    return request
