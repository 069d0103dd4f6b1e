"""Request types, one per endpoint, grouped by resource.

Importing this package registers every type in ``REQUEST_TYPES`` (the
journal rebuilds requests by type name).
"""

from . import (  # noqa: F401,E402
    image3d,
    image_tools,
    images,
    miniature,  # noqa: F401,E402
    tencent,
    tools,
    trellis,
    tripo,
)
from .base import REQUEST_TYPES, ApiRequest, Credits  # noqa: F401
from .build import build_request  # noqa: F401,E402
