"""Account and task commands: balance, status, download."""

from __future__ import annotations

from .commands import balance, download, status
from .parser import seconds

PROVIDERS = ("3daistudio", "image3d")


def _provider(p) -> None:
    p.add_argument("--provider", choices=PROVIDERS, default="3daistudio",
                   help="which service (default 3daistudio)")


def register_tasks(sub) -> None:
    p = sub.add_parser("balance", help="show the wallet's credit balance",
                       description="Show the wallet's credit balance.")
    _provider(p)
    p.set_defaults(handler=balance)

    p = sub.add_parser("status", help="show a task's state, progress and results",
                       description="Show a task's state, progress and result URLs.")
    p.add_argument("--task-id", required=True, help="the id printed when the job was submitted")
    p.add_argument("--poll", action="store_true",
                   help="keep polling until the task finishes or fails")
    p.add_argument("--timeout", type=seconds, default=3600.0, metavar="SECONDS",
                   help="how long --poll waits (default 3600)")
    _provider(p)
    p.set_defaults(handler=status)

    p = sub.add_parser("download", help="download a finished task's results",
                       description="Download every result of a finished task, named "
                                   "<task_id>_<asset type>_<n>.<ext>.")
    p.add_argument("--task-id", required=True, help="the id printed when the job was submitted")
    p.add_argument("--output-dir", default=None, metavar="DIR",
                   help="where to save (default: results/task-<id> in AISTUDIO_HOME)")
    _provider(p)
    p.set_defaults(handler=download)
