"""Argument parsing: one parser, subcommands added by registrar functions.

Each registrar takes the ``subparsers`` object and adds its commands; the
list of all of them is :data:`bridge.cli.registry.REGISTRARS`. Nothing here
imports a command module: they all import this one.
"""

from __future__ import annotations

import argparse
import math
from typing import Callable

PROG = "python -m bridge"
EPILOG = """\
configuration (environment or a .env file in the current directory):
  3D_AI_STUDIO_API_KEY   API key for 3D AI Studio (never printed)
  3D_AI_STUDIO_API_URL   service URL (default https://api.3daistudio.com)
  IMAGE3D_TOKEN          bearer token for image3d.io
  AISTUDIO_POLL_INTERVAL seconds between status polls with --wait (default 10)
  AISTUDIO_RATE_LIMIT    requests per minute allowed for the key (default 3)

exit codes: 0 done, 1 the service or network failed, 2 invalid input (nothing sent),
3 configuration problem (e.g. no API key), 130 interrupted.
"""


class UsageError(Exception):
    """A command line that cannot be parsed; shown as one line, exit code 2."""


class Parser(argparse.ArgumentParser):
    """argparse, but errors become one line instead of usage text and exit(2)."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message} (see --help)")


Registrar = Callable[[argparse._SubParsersAction], None]


def seconds(text: str) -> float:
    """An argparse type: a finite number of seconds greater than zero (``--timeout``)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number of seconds greater than 0, got {text!r}")
    return value


def positive_int(text: str) -> int:
    """An argparse type: a whole number greater than zero (``--limit``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text!r}")
    return value


def make_parser(registrars: list[Registrar]) -> Parser:
    """One parser holding the commands *registrars* add (the whole CLI: ``registry.build_parser``)."""
    parser = Parser(prog=PROG, description="Generate 3D models, images and mesh tools with "
                    "3D AI Studio and image3d.io from the command line.",
                    epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in registrars:
        register(subparsers)
    return parser
