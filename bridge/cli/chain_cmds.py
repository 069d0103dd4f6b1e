"""Running chains of steps (retexture, retopology, bake from local files), and import-task.

A chain is checked whole before anything is sent (every step, with
placeholders for the addresses still to come), its total is said in one
line, and every step is journaled at once: a crash, Ctrl-C or a run without
``--wait`` leaves the rest to ``python -m bridge resume``, which never pays
twice for a step that was sent. A chain of one step (the tool given an
address) is sent exactly as that tool's own command sends it.
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from ..api.chains import check_chain, describe, total_credits
from ..engine.intake import check_task_id
from .commands import add_request_command, check_output_dir, require_credentials, submit_request, wait_timeout
from .output import chain_dry_run_text
from .parser import seconds
from .run import DEFAULT_TIMEOUT, Narrator, delivered, open_engine, run_chain

#: Without --wait, import-task waits this long (clock seconds) for the service's first answer.
FIRST_ANSWER_S = 60.0


def submit_steps(args, ctx) -> int:
    steps = args.make_steps(args)
    if len(steps) == 1 and not steps[0].inputs:
        return submit_request(steps[0].request, args, ctx)
    check_chain(steps)   # every step, before anything is sent: a bad one costs nothing
    if args.output_dir is not None:
        check_output_dir(args.output_dir)
    if args.dry_run:
        ctx.out(chain_dry_run_text(steps))
        return 0
    settings = ctx.settings()
    for provider in {step.request.PROVIDER for step in steps}:
        require_credentials(settings, provider)
    ctx.progress(f"{steps[-1].request.summary()} — {describe(steps)} — estimated "
                 f"{total_credits(steps)}")
    records = run_chain(steps, settings, args.output_dir, ctx.progress, clock=ctx.clock,
                        timeout=wait_timeout(args), wait=args.wait)
    if args.wait:
        for path in delivered(records[-1]):
            ctx.out(str(path))
        return 0
    for n, record in enumerate(records):
        state = record.state if record.task_id or record.terminal else "waiting for step " + \
            ", ".join(str(i) for i in _sources(records, record))
        ctx.out(f"{record.job_id} {record.task_id or '-'} step {n + 1}/{len(records)} "
                f"{record.meta.get('step_label', '')}: {state}")
    ctx.progress("The other steps run with `python -m bridge resume --wait`, which downloads "
                 f"the result to {records[-1].output_dir}.")
    failed = [r for r in records if r.terminal and r.state != "DONE"]
    if failed:
        delivered(failed[0])   # raises: why the chain cannot go on
    return 0


def _sources(records, record) -> list[int]:
    ids = [r.job_id for r in records]
    return [ids.index(j) + 1 for j in record.inputs.values() if j in ids]


def register_import(sub) -> None:
    p = sub.add_parser("import-task", help="follow a task submitted elsewhere and download it",
                       description="Journal a task submitted on the website or another machine "
                                   "(within 24 hours of its finish) and follow it like any job: "
                                   "poll it and, with --wait, download its results. Nothing is "
                                   "charged.")
    p.add_argument("task_id", metavar="TASK_ID", help="the task id the website or the other "
                                                      "machine shows")
    p.add_argument("--output-dir", default=None, metavar="DIR",
                   help="where the results go (default: a folder per job under results/ in "
                        "AISTUDIO_HOME)")
    p.add_argument("--wait", action="store_true",
                   help="wait until the task finishes, then download every result")
    p.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help=f"give up waiting after this long (default {DEFAULT_TIMEOUT:.0f})")
    p.add_argument("--provider", choices=("3daistudio", "image3d"), default="3daistudio",
                   help="which service ran it (default 3daistudio)")
    p.set_defaults(handler=import_task)


def import_task(args, ctx) -> int:
    task_id = check_task_id(args.task_id, args.provider)
    if args.output_dir is not None:
        check_output_dir(args.output_dir)
    settings = ctx.settings()
    require_credentials(settings, args.provider)
    engine = open_engine(settings, ctx.clock)
    try:
        job_id = engine.adopt(task_id, args.provider, output_dir=args.output_dir)
        followed = engine.job(job_id)
        if followed is not None and args.output_dir is not None and \
                Path(followed.output_dir) != Path(args.output_dir).resolve():
            ctx.progress(f"Task {task_id} is already followed as job {job_id}; its results go "
                         f"to {followed.output_dir}.")
        narrate = Narrator(ctx.progress, f"task {task_id}")
        if args.wait:
            [record] = engine.wait([job_id], timeout=args.timeout, on_event=narrate)
        else:
            answered = threading.Event()

            def first_answer(event) -> None:
                narrate(event)
                if event.job_id == job_id:
                    answered.set()
            [record] = engine.wait([job_id], timeout=min(args.timeout, FIRST_ANSWER_S),
                                   on_event=first_answer, stop=answered)
    finally:
        engine.shutdown()
    if args.wait or record.terminal:
        for path in delivered(record):
            ctx.out(str(path))
        return 0
    ctx.out(job_id)
    ctx.progress(f"Following task {task_id} as job {job_id} ({record.state} "
                 f"{record.progress}%); `python -m bridge resume --wait` downloads its results "
                 f"to {record.output_dir}.")
    return 0


def add_chain_command(subparsers, name: str, help_text: str, make_steps, description: str = "",
                      epilog: str = "") -> argparse.ArgumentParser:
    """A subcommand that runs ``make_steps(args)`` (a list of ``ChainStep``) as one chain.

    The same running options as a request command; a chain of one step is
    sent exactly as that request's own command would send it.
    """
    parser = add_request_command(subparsers, name, help_text, None, description, epilog)
    parser.set_defaults(handler=submit_steps, make_steps=make_steps)
    return parser
