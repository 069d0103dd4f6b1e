"""Who may work on a job: lease timing and spotting holders that died.

Leases compare times written by different processes, so they use the real
wall clock (the one thing processes share), with the lease length divided
by the clock's time scale so scaled benchmarks hand jobs over just as fast
in their own time. A holder on this machine whose process is gone (kill -9)
gives up its jobs at once instead of after its lease runs out.
"""

from __future__ import annotations

import os
import socket
import time
import uuid

#: Lease length in the engine clock's seconds.
LEASE_SECONDS = 60.0


def new_owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def lease_length(clock) -> float:
    """Real seconds a lease lasts for an engine running on ``clock``."""
    return LEASE_SECONDS / max(1.0, float(getattr(clock, "scale", 1.0)))


def now() -> float:
    return time.time()


def holder_is_dead(owner: str | None) -> bool:
    """True when ``owner`` ran on this host in a process that no longer exists."""
    if not owner:
        return True
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, owned by another user
    except OSError:
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    # A killed child not yet reaped by its parent still answers kill(pid, 0).
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False
