"""``python -m bridge …``: the command-line face of the bridge.

Subcommands and flags match the widely shared 3D AI Studio skill client
(``3d_api_client.py``) so existing scripts keep working, but flags map to the
*documented* wire names. Split into: ``parser`` (argparse + registrar list),
``*_cmds`` (one registrar per family), ``commands`` (handlers), ``output``
(formatting) and ``run`` (submit → wait → download).
"""

from __future__ import annotations

import errno
import sqlite3

import requests

from ..engine.journal import FILENAME
from ..errors import BridgeError, ConfigError, KeyWaitError, ValidationError
from ..safetext import printable
from .commands import Context
from .parser import UsageError
from .registry import build_parser

EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_CONFIG = 3
#: A paid job waits for a valid key (refused while it was followed): kept, run `resume`.
EXIT_KEY_WAIT = 4
EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None, *, ctx: Context | None = None) -> int:
    """Run one command; the exit code. Errors end as one line on stderr, never a traceback."""
    ctx = ctx or Context()

    def fail(text: str, code: int) -> int:
        print(printable(f"error: {text}", keep_newlines=False), file=ctx.stderr)
        return code

    try:
        args = build_parser().parse_args(argv)
    except UsageError as exc:
        return fail(str(exc), EXIT_INVALID)
    except SystemExit as exc:   # --help and --version print and exit 0
        return exc.code if isinstance(exc.code, int) else 0
    try:
        return args.handler(args, ctx)
    except ValidationError as exc:
        return fail(f"{_one_line(exc)} Nothing was sent.", EXIT_INVALID)
    except KeyWaitError as exc:
        return fail(_one_line(exc), EXIT_KEY_WAIT)
    except ConfigError as exc:
        return fail(_one_line(exc), EXIT_CONFIG)
    except BridgeError as exc:
        return fail(_one_line(exc), EXIT_FAILED)
    except BrokenPipeError:     # the reader went away (``| head``): nobody to tell
        return EXIT_FAILED
    except KeyboardInterrupt as exc:   # what was given up, when there is something to say
        return fail(f"interrupted. {_one_line(exc)}" if str(exc) else "interrupted.",
                    EXIT_INTERRUPTED)
    except sqlite3.Error as exc:   # the journal: a local problem, like configuration
        return fail(_journal_problem(exc, ctx), EXIT_CONFIG)
    except requests.RequestException as exc:   # a network error that escaped the transport
        return fail(f"the network failed: {_one_line(exc)}", EXIT_FAILED)
    except OSError as exc:         # a file or folder of ours: disk full, permission, ...
        return fail(_file_problem(exc), EXIT_CONFIG)
    except Exception as exc:  # last resort: a short reason instead of a traceback
        return fail(f"unexpected {type(exc).__name__}: {_one_line(exc)}", EXIT_FAILED)


def _one_line(exc: BaseException) -> str:
    """The message on one line, ending as a sentence (more text may follow it)."""
    text = " ".join(str(exc).split())[:500]
    return text if text.endswith((".", "!", "?")) else text + "."


def _journal_path(ctx: Context) -> str:
    try:
        return str(ctx.settings().home / FILENAME)
    except Exception:  # noqa: BLE001 - the settings themselves may be what is broken
        return "the job journal"


def _journal_problem(exc: sqlite3.Error, ctx: Context) -> str:
    """A journal error as one line: which file, what is wrong, what to do."""
    reason = str(exc).strip() or type(exc).__name__
    low = reason.lower()
    if "locked" in low or "busy" in low:
        advice = ("Another program holds it (a second Blender or CLI, a backup tool, a database "
                  "browser); close it and try again.")
    elif "not a database" in low or "malformed" in low or "corrupt" in low:
        advice = ("The file is damaged. Move it aside (it is never overwritten) and run the "
                  "command again to start a new journal; AISTUDIO_HOME picks another folder.")
    elif "readonly" in low or "read-only" in low or "unable to open" in low:
        advice = "Make its folder writable, or set AISTUDIO_HOME to a folder you can write to."
    elif "full" in low or "disk i/o" in low:
        advice = "Free some disk space, then try again."
    else:
        advice = "Set AISTUDIO_HOME to another folder if it keeps failing."
    return f"the job journal {_journal_path(ctx)} cannot be used ({reason}). {advice}"


def _file_problem(exc: OSError) -> str:
    where = exc.filename or "a file"
    reason = exc.strerror or str(exc) or type(exc).__name__
    advice = {errno.ENOSPC: "Free some disk space, then try again.",
              errno.EACCES: "Check the permissions, or pick another folder.",
              errno.EPERM: "Check the permissions, or pick another folder.",
              errno.EROFS: "That disk is read-only; pick another folder."}.get(
        exc.errno, "Check the path, then try again.")
    return f"{where}: {reason}. {advice}"


__all__ = ["main", "Context", "build_parser"]
