"""Journal commands: ``jobs`` lists it, ``resume`` finishes what is unfinished.

Every job the CLI (or the Blender add-on, sharing the same home) submits is
in the journal under ``AISTUDIO_HOME``; these commands read it through the
job engine, whose leases keep two processes from working on the same job.
"""

from __future__ import annotations

from ..engine import JobEngine, holds
from ..engine import journal as journals  # Journal read at call time: tests stand one in
from ..errors import KeyWaitError, ValidationError
from .parser import positive_int, seconds
from .run import DEFAULT_TIMEOUT, ChainNarrator, open_engine

RESUME_PEEK_SECONDS = 120.0
LABEL_WIDTH = 32


def register_engine(sub) -> None:
    p = sub.add_parser("jobs", help="list the jobs in the journal",
                       description="List the journal's jobs, newest first: id, task id, kind, "
                                   "state, progress, cost and files.")
    p.add_argument("--limit", type=positive_int, default=50, help="how many jobs (default 50)")
    p.add_argument("--files", action="store_true", help="list every file of every job")
    p.set_defaults(handler=jobs)

    p = sub.add_parser("resume", help="pick up every unfinished job and deliver its files",
                       description="Resume every unfinished journal job (after a crash, Ctrl-C "
                                   "or a submit without --wait): poll it, download its results "
                                   "to the output dir it was submitted with. A job whose submit "
                                   "may or may not have reached the service is never resent.")
    p.add_argument("job_ids", nargs="*", metavar="JOB",
                   help="only these jobs; a job listed 'not sent' (a command stopped before "
                        "its request left) is sent only when named here")
    p.add_argument("--wait", action="store_true", help="wait until every job has ended")
    p.add_argument("--timeout", type=seconds, default=None, metavar="SECONDS",
                   help=f"give up waiting after this long (default {DEFAULT_TIMEOUT:.0f} with "
                        f"--wait, {RESUME_PEEK_SECONDS:.0f} without)")
    p.set_defaults(handler=resume)

    p = sub.add_parser("cancel", help="cancel journal jobs",
                       description="Cancel jobs of the journal (a chain's later steps too). "
                                   "A job not sent yet costs nothing and `resume JOB` can still "
                                   "send it; the service has no cancel, so a job already sent "
                                   "may still run there and its credits are not refunded.")
    p.add_argument("job_ids", nargs="+", metavar="JOB", help="the job ids `jobs` lists")
    p.set_defaults(handler=cancel)


def _cost(record) -> str:
    if record.credits_low is None:
        return "?"
    if record.credits_high in (None, record.credits_low):
        return str(record.credits_low)
    return f"{record.credits_low}-{record.credits_high}"


def jobs(args, ctx) -> int:
    skipped: list = []
    records = journals.Journal(ctx.settings().home).records(limit=args.limit, skipped=skipped)
    for damaged in skipped:   # named, listed around, never rewritten
        ctx.progress(f"Note: {damaged}")
    if not records:
        ctx.out("The journal has no jobs." if not skipped else "The journal has no readable jobs.")
        return 0
    ctx.out(f"{'JOB':12}  {'TASK':36}  {'KIND':9}  {'STATE':11}  {'%':>3}  {'COST':>7}  "
            f"{'LABEL':{LABEL_WIDTH}}  FILES")
    for r in records:
        ctx.out(f"{r.job_id:12}  {(r.task_id or '-'):36}  {r.kind:9}  {r.state:11}  "
                f"{r.progress:>3}  {_cost(r):>7}  {_label(r):{LABEL_WIDTH}}  "
                f"{len(r.files)} in {r.output_dir}")
        if args.files:
            for path in r.files:
                ctx.out(f"    {path}")
        if holds.revivable(r):
            ctx.out(f"    {holds.not_sent_line(r)}")
        elif r.error and r.state not in ("DONE",):
            ctx.out(f"    {r.error}")
    return 0


def _label(record) -> str:
    text = " ".join(str(record.label or "-").split())
    return text if len(text) <= LABEL_WIDTH else text[:LABEL_WIDTH - 1] + "…"


def cancel(args, ctx) -> int:
    engine = JobEngine(ctx.settings(), clock=ctx.clock)   # not started: journal work only
    missing = False
    try:
        for job_id in dict.fromkeys(args.job_ids):
            record = engine.job(job_id)
            if record is None:
                ctx.progress(f"{job_id}: no such job in the journal {engine.journal.path}.")
                missing = True
                continue
            if not record.active:
                ctx.out(f"{job_id}: already ended {record.state}; nothing to cancel.")
                continue
            ids = engine.cancel_chain(record.chain) if record.chain else \
                [job_id] if engine.cancel(job_id) else []
            for done in engine.journal.records(job_ids=ids):
                ctx.out(f"{done.job_id} CANCELLED: {done.error}")
    finally:
        engine.shutdown()
    return 2 if missing else 0


def _named(job_ids, settings, ctx, revive: bool = False) -> list[str]:
    """With ``revive``: queue again the named jobs left not sent (and their chains'); the ids."""
    journal = journals.Journal(settings.home)
    unknown = [j for j in job_ids if journal.record(j) is None]
    if unknown:
        raise ValidationError(f"No job {', '.join(unknown)} in the journal {journal.path}; "
                              "`python -m bridge jobs` lists them.")
    if not revive:
        return []
    revived = []
    for job_id in job_ids:
        for again in holds.revive(journal, job_id, ctx.clock.wall()):
            revived.append(again)
            ctx.progress(f"{again}: not sent before; sending it now.")
    return revived


def resume(args, ctx) -> int:
    settings = ctx.settings()
    # The user's word: named jobs left not sent go back in the queue first.
    revived = _named(args.job_ids, settings, ctx, revive=True) if args.job_ids else []
    engine = open_engine(settings, ctx.clock)
    timeout = args.timeout if args.timeout is not None else (
        DEFAULT_TIMEOUT if args.wait else RESUME_PEEK_SECONDS)
    try:
        targets = list(dict.fromkeys([*args.job_ids, *revived])) if args.job_ids else \
            engine.journal.unfinished_ids()
        if not targets:
            ctx.out("Nothing to resume: every job in the journal has ended.")
            return 0
        skipped: list = []
        readable = engine.journal.records(job_ids=targets, skipped=skipped)
        for damaged in skipped:   # named, left as they are; the others go on
            ctx.progress(f"Note: {damaged}")
        targets = [r.job_id for r in readable]
        ctx.progress(f"Resuming {len(targets)} job(s).")
        labels = {r.job_id: r.label for r in readable}
        records = engine.wait(targets, timeout=timeout, on_event=ChainNarrator(ctx.progress,
                                                                               labels))
    finally:
        engine.shutdown()
    for r in records:
        ctx.out(f"{r.job_id} {r.task_id or '-'} {r.state}" + (f": {r.error}" if r.error and
                                                              r.state != "DONE" else ""))
        for path in r.files:
            ctx.out(f"    {path}")
    waiting = [r for r in records if r.waiting_for_key and not r.terminal]
    if waiting:
        raise KeyWaitError(f"{len(waiting)} job(s) wait for a valid API key; their tasks are "
                           "kept in the journal, nothing was failed or sent again.")
    unfinished = [r for r in records if not r.terminal]
    if unfinished:
        ctx.progress(f"{len(unfinished)} job(s) still running; run `python -m bridge resume "
                     "--wait` to wait for them.")
    return 0 if all(r.state == "DONE" for r in records) else 1
