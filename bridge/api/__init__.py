"""Request types, one per endpoint, grouped by resource.

Importing this package registers every type in ``REQUEST_TYPES`` (the
journal rebuilds requests by type name).
"""

from .base import REQUEST_TYPES, ApiRequest, Credits  # noqa: F401
from . import miniature  # noqa: F401,E402
from . import image3d, image_tools, images, tencent, tools, trellis, tripo  # noqa: F401,E402
from .build import build_request  # noqa: F401,E402
