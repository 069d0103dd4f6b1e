"""``python -m bridge.emulator``: serve both services on loopback until Ctrl-C.

Prints the base URL on one line (scripts read it), so point a client at it:
``3D_AI_STUDIO_API_URL=<url> IMAGE3D_API_URL=<url> python -m bridge ...``.
"""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from ..errors import BridgeError
from .server import Emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bridge.emulator",
                                     description="Local emulator of 3D AI Studio and image3d.io.")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port (0 = any free port; default 8765)")
    parser.add_argument("--api-key", default="test-key", help="the 3D AI Studio key it accepts")
    parser.add_argument("--image3d-token", default="i3d-token", help="the image3d.io token it accepts")
    parser.add_argument("--time-scale", type=float, default=60.0,
                        help="service seconds per real second (default 60: a 6.5 min job takes 6.5 s)")
    parser.add_argument("--rate-limit", type=int, default=None,
                        help="requests per minute (service time) per key; default unlimited")
    parser.add_argument("--credits", type=float, default=10_000, help="starting wallet balance")
    parser.add_argument("--model-file", type=Path, default=None,
                        help="a GLB every 3D generation returns instead of a made shape "
                             "(a 500k-triangle or Draco-compressed result, for tests)")
    args = parser.parse_args(argv)
    try:
        emu = Emulator(api_key=args.api_key, image3d_token=args.image3d_token,
                       time_scale=args.time_scale, rate_limit=args.rate_limit,
                       credits=args.credits, host=args.host, port=args.port).start()
    except (BridgeError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.model_file is not None:
        emu.state.model_file = args.model_file.read_bytes()
    print(emu.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
