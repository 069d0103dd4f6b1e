"""``python -m bridge batch``: a folder or list of pictures and prompts through one flow.

Every item is checked first (a bad one costs nothing and is named in the
summary), the total estimate is shown and confirmed (or ``--yes``), every
item is journaled as a job before anything is sent, and the jobs share the
key's rate budget with every other process. The same command run again
(after a crash, Ctrl-C or a timeout) finds its jobs in the journal: done
items are skipped, unfinished ones resumed, failed ones (refunded) sent
again; one whose submit may have reached the service is never resent.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
from pathlib import Path

from ..engine import batch as batchlib
from ..engine import holds
from ..engine import journal as journals  # Journal read at call time: tests stand one in
from ..engine.files import check_output_dir
from ..errors import BridgeError, ValidationError
from .generate_cmds import register_generation
from .image_cmds import register_images
from .parser import UsageError, make_parser
from .run import DEFAULT_TIMEOUT, open_engine
from .tool_cmds import register_tools

#: The commands that make one request from a prompt or a picture: a batch's flows.
REQUEST_REGISTRARS = [register_generation, register_images, register_tools]

EPILOG = """\
examples:
  python -m bridge batch photos/ --flow miniature --with="--edition fast --scale h0"
  python -m bridge batch prompts.txt photos/ --flow tencent-rapid --with=--enable-pbr --yes
  python -m bridge batch photos/ --flow image-gemini3pro --with="--prompt 'on a grey background'"

A folder gives its pictures (.png .jpg .jpeg .webp) and its .txt files (one prompt
each); a list file gives one picture path or prompt per line (# comments).
Results go to DIR/<item>/, the summary to DIR/batch-<id>.csv and .json.
"""

ENDINGS = ("finished", "failed", "expired", "unknown", "cancelled")


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0 or not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number greater than zero, got {text}")
    return value


def register_batch(sub) -> None:
    p = sub.add_parser("batch", help="run a folder or list of pictures/prompts through one flow",
                       description="Run every picture and prompt of folders and list files "
                                   "through one generation command: one total estimate, every "
                                   "item journaled, the same command again skips what is done.",
                       epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sources", nargs="+", metavar="SOURCE",
                   help="a folder, a list file or a picture (several allowed)")
    p.add_argument("--flow", required=True, metavar="COMMAND",
                   help="the generation command each item goes through, e.g. tencent-rapid, "
                        "trellis, tripo, miniature, image3d, image-gemini3pro, remove-bg")
    p.add_argument("--with", dest="flow_options", default="", metavar='="OPTIONS"',
                   help="that command's options for every item, as one argument after '=' "
                        "(see that command's --help)")
    p.add_argument("--output-dir", metavar="DIR",
                   help="results (a folder per item) and the summary (default: "
                        "results/batch-<id> in AISTUDIO_HOME)")
    p.add_argument("--yes", action="store_true", help="spend the estimated credits without asking")
    p.add_argument("--dry-run", action="store_true",
                   help="list the items and their estimate; send nothing (no API key needed)")
    p.add_argument("--timeout", type=_positive, metavar="SECONDS",
                   help="stop waiting after this long (the jobs keep running; run the same "
                        "command again to collect them); default one hour plus two minutes "
                        "an item")
    p.set_defaults(handler=batch)


def batch(args, ctx) -> int:
    items = batchlib.collect(args.sources)
    options = shlex.split(args.flow_options)
    requests, invalid = _requests(args.flow, options, items)
    bid = batchlib.batch_id(args.flow, options, items)
    for item in items:
        if item.key in invalid:
            ctx.progress(f"Skipped {item.name}: {invalid[item.key]}")
    if not requests:
        raise ValidationError(f"None of the {len(items)} item(s) can be sent through "
                              f"{args.flow}; see the reasons above.")
    if args.dry_run:
        return _dry_run(ctx, items, requests, invalid, bid)
    settings = ctx.settings()
    out_dir = Path(args.output_dir or settings.home / "results" / f"batch-{bid}"
                   ).expanduser().resolve()
    check_output_dir(out_dir)
    for provider in {r.PROVIDER for r in requests.values()}:
        settings.require_image3d_token() if provider == "image3d" else settings.require_key()
    _send_left_over(settings, bid, ctx.clock.wall())
    engine = open_engine(settings, ctx.clock)
    interrupted = False
    try:
        known = batchlib.jobs_of(engine.journal, bid)
        todo = [i for i in items if i.key in requests and (
            known.get(i.key) is None or known[i.key].state in batchlib.RESUBMIT_STATES)]
        ctx.progress(_overview(bid, items, known, todo, invalid))
        if todo and not _confirm(ctx, args, todo, requests):
            ctx.progress("Nothing was sent.")
            return 1
        names = batchlib.folder_names(items)
        labels = {}
        for item in todo:
            job_id = engine.submit(requests[item.key], output_dir=out_dir / names[item.key],
                                   label=item.name, meta=holds.ask_meta({
                                       "batch": bid, "item": item.key, "name": item.name,
                                       "flow": args.flow}))
            labels[job_id] = item.name
        running = [r for r in known.values() if r.active and r.meta.get("item") not in
                   {i.key for i in todo}]
        labels.update({r.job_id: str(r.meta.get("name") or r.job_id) for r in running})
        timeout = args.timeout or DEFAULT_TIMEOUT + 120.0 * len(labels)
        try:
            engine.wait(list(labels), timeout=timeout, on_event=_Narrator(ctx, labels))
        except KeyboardInterrupt:
            interrupted = True
        # Stopped (Ctrl-C, --timeout) before some were sent: those wait for the next run.
        holds.abandon(engine.journal, list(labels), ctx.clock.wall(), holds.BATCH_NOTE)
    finally:
        engine.shutdown()
    records = batchlib.jobs_of(engine.journal, bid)
    rows = batchlib.summary_rows(items, records, invalid)
    csv_path, json_path = batchlib.write_summary(rows, out_dir, bid)
    for row in rows:
        files = f"{len(row['files'])} file(s)" if row["files"] else ""
        ctx.out(f"{row['state']:<9} {row['name']}" + (f": {files}" if files else "") +
                (f" — {row['error']}" if row["error"] and row["state"] != "DONE" else ""))
    ctx.out(f"Summary: {csv_path}")
    ctx.out(f"         {json_path}")
    if interrupted or any(r.active for r in records.values()):
        ctx.progress("Some jobs are still running on the service; run the same command again "
                     "(or `python -m bridge resume --wait`) to collect them.")
    if interrupted:
        return 130
    return 0 if all(r["state"] == "DONE" for r in rows) else 1


def _send_left_over(settings, bid: str, now: float) -> None:
    """Running the same batch again is the user's word for its items a stopped run left unsent.

    Done before this run's engine starts, whose first look at the journal
    would otherwise leave them to the user (see :mod:`bridge.engine.holds`).
    """
    journal = journals.Journal(settings.home)
    try:
        for record in batchlib.jobs_of(journal, bid).values():
            holds.revive(journal, record.job_id, now)
    finally:
        journal.close_thread()


def _requests(flow: str, options: list[str], items: list[batchlib.Item]):
    """Each item's request through ``flow``'s own options and checks; and why others cannot go."""
    parser = make_parser(REQUEST_REGISTRARS)
    if flow not in parser._subparsers._group_actions[0].choices:
        raise ValidationError(f"{flow} is not a generation command: a batch sends each item "
                              "through one (tencent-rapid, trellis, miniature, ...).")
    try:  # the flow and its options alone, so a mistake there is said once, not per item
        make = getattr(parser.parse_args([flow, *options]), "make_request", None)
    except UsageError as exc:
        raise ValidationError(f"--flow {flow} --with={shlex.join(options)!r}: {exc}") from None
    except SystemExit:  # --help inside --with
        raise ValidationError(f"--with={shlex.join(options)!r} asks for help; run "
                              f"`python -m bridge {flow} --help` instead.") from None
    if make is None:
        raise ValidationError(f"{flow} is not a generation command: a batch sends each item "
                              "through one (tencent-rapid, trellis, miniature, ...).")
    requests, invalid = {}, {}
    for item in items:
        flag = "--image" if item.kind == "picture" else "--prompt"
        try:
            args = parser.parse_args([flow, *options, flag, item.value])
            request = args.make_request(args)
            request.validate()
        except (BridgeError, UsageError) as exc:
            invalid[item.key] = " ".join(str(exc).split())
            continue
        requests[item.key] = request
    return requests, invalid


def _credits(requests) -> tuple[int, int, str]:
    low = high = 0
    unit = "credits"
    for request in requests:
        try:
            estimate = request.credits()
        except (NotImplementedError, BridgeError):
            continue
        low, high, unit = low + estimate.low, high + estimate.high, estimate.unit
    return low, high, unit


def _cost_text(low: int, high: int, unit: str) -> str:
    return (f"{low}" if low == high else f"{low}–{high}") + f" {unit}"


def _dry_run(ctx, items, requests, invalid, bid) -> int:
    ctx.out(f"Batch {bid}: {len(requests)} of {len(items)} item(s) can be sent.")
    for item in items:
        if item.key in requests:
            ctx.out(f"  {item.name}: {requests[item.key].summary()} — "
                    f"{_cost_text(*_credits([requests[item.key]]))}")
        else:
            ctx.out(f"  {item.name}: cannot be sent: {invalid[item.key]}")
    ctx.out(f"Estimated total: {_cost_text(*_credits(requests.values()))}. Nothing was sent.")
    return 0


def _overview(bid, items, known, todo, invalid) -> str:
    states: dict[str, int] = {}
    for item in items:
        record = known.get(item.key)
        if record is not None and item not in todo:
            states[record.state] = states.get(record.state, 0) + 1
    parts = [f"{n} {state}" for state, n in sorted(states.items())]
    if invalid:
        parts.append(f"{len(invalid)} invalid")
    earlier = f" (already journaled: {', '.join(parts)})" if parts else ""
    return f"Batch {bid}: {len(items)} item(s), {len(todo)} to send{earlier}."


def _confirm(ctx, args, todo, requests) -> bool:
    text = (f"Send {len(todo)} job(s) for an estimated "
            f"{_cost_text(*_credits(requests[i.key] for i in todo))}?")
    if args.yes:
        ctx.progress(text.replace("?", ".").replace("Send", "Sending", 1))
        return True
    stdin = getattr(ctx, "stdin", None)
    if stdin is None:
        if not sys.stdin.isatty():
            raise ValidationError(f"{text} Nothing was sent: add --yes to confirm when no one "
                                  "can answer (no terminal).")
        stdin = sys.stdin
    ctx.progress(f"{text} [y/N] ")
    return stdin.readline().strip().lower() in ("y", "yes")


class _Narrator:
    """One line per thing that matters, named after the item."""

    def __init__(self, ctx, labels: dict[str, str]):
        self.ctx, self.labels, self.ended = ctx, labels, 0

    def __call__(self, event) -> None:
        name = self.labels.get(event.job_id, event.job_id)
        if event.kind == "notice":
            self.ctx.progress(f"Note: {event.message}")
        elif event.kind == "submitted":
            self.ctx.progress(f"{name}: submitted as task {event.task_id}")
        elif event.kind == "downloaded":
            for path in event.files:
                self.ctx.progress(f"{name}: saved {path}")
        elif event.kind in ENDINGS:
            self.ended += 1
            how = event.state or event.kind.upper()
            detail = "" if event.kind == "finished" else f": {event.message}"
            self.ctx.progress(f"[{self.ended}/{len(self.labels)}] {name}: {how}{detail}")
        elif event.kind == "progress" and event.message and "Trying again" in event.message:
            self.ctx.progress(f"{name}: {event.message}")
