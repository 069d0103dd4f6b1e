"""Request types, one per endpoint, grouped by resource.

Importing this package registers every type in ``REQUEST_TYPES`` (the
journal rebuilds requests by type name).
"""

from .base import REQUEST_TYPES, ApiRequest, Credits  # noqa: F401
from . import miniature  # noqa: F401,E402
