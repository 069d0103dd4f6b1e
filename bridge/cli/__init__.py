"""``python -m bridge …``: the command-line face of the bridge.

Subcommands and flags match the widely shared 3D AI Studio skill client
(``3d_api_client.py``) so existing scripts keep working, but flags map to the
*documented* wire names. Split into: ``parser`` (argparse + registrar list),
``*_cmds`` (one registrar per family), ``commands`` (handlers), ``output``
(formatting) and ``run`` (submit → wait → download).
"""

from __future__ import annotations

import sys

from ..errors import BridgeError, ConfigError, ValidationError
from .commands import Context
from .parser import UsageError, build_parser

EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_CONFIG = 3
EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None, *, ctx: Context | None = None) -> int:
    """Run one command; the exit code. Errors end as one line on stderr, never a traceback."""
    ctx = ctx or Context()
    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        print(f"error: {exc}", file=ctx.stderr)
        return EXIT_INVALID
    except SystemExit as exc:   # --help and --version print and exit 0
        return exc.code if isinstance(exc.code, int) else 0
    try:
        return args.handler(args, ctx)
    except ValidationError as exc:
        print(f"error: {_one_line(exc)} Nothing was sent.", file=ctx.stderr)
        return EXIT_INVALID
    except ConfigError as exc:
        print(f"error: {_one_line(exc)}", file=ctx.stderr)
        return EXIT_CONFIG
    except BridgeError as exc:
        print(f"error: {_one_line(exc)}", file=ctx.stderr)
        return EXIT_FAILED
    except BrokenPipeError:     # the reader went away (``| head``): nobody to tell
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("error: interrupted.", file=ctx.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # last resort: a short reason instead of a traceback
        print(f"error: unexpected {type(exc).__name__}: {_one_line(exc)}", file=ctx.stderr)
        return EXIT_FAILED


def _one_line(exc: BaseException) -> str:
    """The message on one line, ending as a sentence (more text may follow it)."""
    text = " ".join(str(exc).split())[:500]
    return text if text.endswith((".", "!", "?")) else text + "."


__all__ = ["main", "Context", "build_parser"]
