"""Argument parsing: one parser, subcommands added by registrar functions.

Each registrar takes the ``subparsers`` object and adds its commands; the
job engine's ``jobs`` and ``resume`` commands plug in by appending a
registrar to :data:`REGISTRARS` (or passing a list to :func:`build_parser`).
"""

from __future__ import annotations

import argparse
import math
from typing import Callable

from .run import DEFAULT_TIMEOUT, SUBMIT_DEADLINE

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


def add_request_command(subparsers, name: str, help_text: str, make_request,
                        description: str = "", epilog: str = "") -> argparse.ArgumentParser:
    """A subcommand that builds a request with ``make_request(args)`` and submits it."""
    parser = subparsers.add_parser(name, help=help_text, description=description or help_text,
                                   epilog=epilog or None,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    run = parser.add_argument_group("running")
    run.add_argument("--wait", action="store_true",
                     help="poll until the job finishes, then download every result")
    run.add_argument("--output-dir", default=None, metavar="DIR",
                     help="where the results are saved (default: a folder per job under "
                          "results/ in AISTUDIO_HOME, ~/.local/state/ai_studio_bridge)")
    run.add_argument("--dry-run", action="store_true",
                     help="print the request and its credit estimate, send nothing "
                          "(no API key needed)")
    run.add_argument("--timeout", type=seconds, default=None, metavar="SECONDS",
                     help=f"give up waiting after this long (default {DEFAULT_TIMEOUT:.0f} "
                          f"with --wait, {SUBMIT_DEADLINE:.0f} for the submit alone); a job "
                          "sent keeps running on the service, one not sent yet is cancelled "
                          "(`resume JOB` sends it)")
    from .commands import submit  # late: commands imports this module's helpers
    parser.set_defaults(handler=submit, make_request=make_request)
    return parser


def add_chain_command(subparsers, name: str, help_text: str, make_steps, description: str = "",
                      epilog: str = "") -> argparse.ArgumentParser:
    """A subcommand that runs ``make_steps(args)`` (a list of ``ChainStep``) as one chain.

    The same running options as a request command; a chain of one step is
    sent exactly as that request's own command would send it.
    """
    parser = add_request_command(subparsers, name, help_text, None, description, epilog)
    from .chain_cmds import submit_steps  # late, as above
    parser.set_defaults(handler=submit_steps, make_steps=make_steps)
    return parser


def build_parser(registrars: list[Registrar] | None = None) -> Parser:
    if registrars is None:
        from .registry import REGISTRARS
        registrars = REGISTRARS
    parser = Parser(prog=PROG, description="Generate 3D models, images and mesh tools with "
                    "3D AI Studio and image3d.io from the command line.",
                    epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in registrars:
        register(subparsers)
    return parser
