"""What each subcommand does once its arguments are parsed.

Handlers take ``(args, ctx)`` and return an exit code; they raise
:class:`BridgeError` for anything the user should read, and ``main`` turns
that into one line on stderr.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path
from typing import Callable, TextIO

from ..clock import SYSTEM_CLOCK, Clock
from ..config import Settings, load_settings
from ..errors import JobFailedError, ValidationError
from ..safetext import printable
from ..status import FAILED
from .direct import direct_client
from .output import dry_run_text, status_text
from .parser import seconds
from .run import DEFAULT_TIMEOUT, SUBMIT_DEADLINE, download_results, run_to_completion, submit_and_record


@dataclasses.dataclass
class Context:
    """What handlers need from outside: where to print, where settings come from."""

    environ: dict | None = None
    stdout: TextIO = dataclasses.field(default_factory=lambda: sys.stdout)
    stderr: TextIO = dataclasses.field(default_factory=lambda: sys.stderr)
    clock: Clock = SYSTEM_CLOCK
    settings_loader: Callable[[dict | None], Settings] = load_settings

    def settings(self) -> Settings:
        return self.settings_loader(self.environ)

    # Everything printed goes through printable(): prompts, file names and the
    # service's words may hold control characters a terminal would obey.
    def out(self, text: str) -> None:
        print(printable(text), file=self.stdout, flush=True)

    def progress(self, text: str) -> None:
        print(printable(text), file=self.stderr, flush=True)


def check_output_dir(value: str | os.PathLike, option: str = "--output-dir") -> Path:
    """Refuse a results folder that cannot be written, before anything is sent or paid.

    A missing folder is fine (it is created) if its nearest existing parent is
    a writable folder.
    """
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise ValidationError(f"{option} {path} is a file, not a folder; give a folder "
                              "(it is created if it does not exist).")
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ValidationError(f"{option} {path} cannot be created: {existing} is a file, "
                              "not a folder.")
    if not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == path else f" (in {existing})"
        raise ValidationError(f"{option} {path} is not writable{where}; pick a folder you "
                              "can write to.")
    return path


def submit(args, ctx: Context) -> int:
    return submit_request(args.make_request(args), args, ctx)


def submit_request(request, args, ctx: Context) -> int:
    """Send one request (``--dry-run``, ``--wait``, ``--output-dir``, ``--timeout`` from ``args``)."""
    request.validate()   # before anything else: a bad request costs nothing, needs no key
    if args.output_dir is not None:
        check_output_dir(args.output_dir)
    if args.dry_run:
        ctx.out(dry_run_text(request))
        return 0
    settings = ctx.settings()
    # Credentials first, so a missing key is the only thing the user reads.
    require_credentials(settings, request.PROVIDER)
    ctx.progress(f"{request.summary()} — estimated {request.credits()}")
    if args.wait:
        files = run_to_completion(request, settings, args.output_dir, ctx.progress,
                                  clock=ctx.clock, timeout=wait_timeout(args))
        for path in files:
            ctx.out(str(path))
        return 0
    # Journaled with its output dir, so `python -m bridge resume` delivers it there.
    ctx.out(submit_and_record(request, settings, args.output_dir, ctx.progress,
                              clock=ctx.clock, timeout=wait_timeout(args)))
    return 0


def wait_timeout(args) -> float:
    """``--timeout``, else an hour with ``--wait`` and the submit deadline without."""
    if args.timeout is not None:
        return args.timeout
    return DEFAULT_TIMEOUT if args.wait else SUBMIT_DEADLINE


def results_dir(args, settings: Settings, name: str) -> Path:
    """``--output-dir``, else the documented place: ``<home>/results/<name>``."""
    if args.output_dir is not None:
        return Path(args.output_dir).expanduser()
    return settings.home / "results" / name


def require_credentials(settings: Settings, provider: str) -> None:
    if provider == "image3d":
        settings.require_image3d_token()
    else:
        settings.require_key()


def balance(args, ctx: Context) -> int:
    with direct_client(args.provider, ctx.settings(), ctx.clock, ctx.progress) as client:
        wallet = client.wallet()
    line = f"Balance: {wallet}"
    if wallet.rate_limit:
        line += f" (rate limit {wallet.rate_limit} requests/minute)"
    ctx.out(line)
    return 0


def status(args, ctx: Context) -> int:
    settings = ctx.settings()
    with direct_client(args.provider, settings, ctx.clock, ctx.progress) as client:
        if args.poll:
            def report(s):
                ctx.progress(f"{s.task_id}: {s.state} {s.progress}%")
            result = client.wait(args.task_id, poll_interval=settings.poll_interval,
                                 timeout=args.timeout, on_status=report)
        else:
            result = client.status(args.task_id)
    ctx.out(status_text(result))
    return 1 if result.state == FAILED else 0


def download(args, ctx: Context) -> int:
    if args.output_dir is not None:
        check_output_dir(args.output_dir)
    settings = ctx.settings()
    out_dir = results_dir(args, settings, f"task-{args.task_id}"[:80])
    with direct_client(args.provider, settings, ctx.clock, ctx.progress) as client:
        result = client.status(args.task_id)   # the API call; the files come from the CDN
    if result.state == FAILED:
        raise JobFailedError(f"Task {args.task_id} failed: {result.failure_reason or 'no reason given'}; "
                             "there is nothing to download.")
    if not result.done:
        ctx.out(status_text(result))
        ctx.progress(f"Task {args.task_id} is not finished yet ({result.state} {result.progress}%); "
                     "nothing was downloaded.")
        return 1
    for path in download_results(client, result, check_output_dir(out_dir), ctx.progress):
        ctx.out(str(path))
    return 0


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
    parser.set_defaults(handler=submit, make_request=make_request)
    return parser
