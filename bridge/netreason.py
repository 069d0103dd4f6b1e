"""Why a connection failed, in words a user can act on.

``requests`` reports a refused connection as a chain of wrappers whose text
ends in object reprs ("…WatchedHTTPConnection object at 0x7f…: Failed to
establish a new connection: [Errno 111] Connection refused"). The socket
error at the bottom of that chain is what the user needs; this finds it.
"""

from __future__ import annotations

import socket
import ssl

#: Socket errors, most specific first, and what each means to someone at a desk.
_REASONS = (
    (socket.gaierror, "its name could not be looked up (no internet connection, or a mistyped address)"),
    (ConnectionRefusedError, "the connection was refused (nothing answers at that address and port)"),
    (ConnectionResetError, "the connection was reset by the other side"),
    (ConnectionAbortedError, "the connection was aborted"),
    (TimeoutError, "the connection timed out"),
)


def _chain(exc: BaseException):
    """*exc* and every exception it wraps (causes, contexts, urllib3's ``reason``, args)."""
    seen, stack = set(), [exc]
    while stack:
        current = stack.pop(0)
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend([getattr(current, "reason", None), current.__cause__, current.__context__])
        stack.extend(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))


def describe(exc: BaseException) -> str:
    """The innermost reason a connection failed, or a short form of *exc* when none is known."""
    for inner in _chain(exc):
        if isinstance(inner, ssl.SSLError):
            return f"the secure connection failed ({inner.reason or inner.strerror or 'TLS error'})"
        for kind, words in _REASONS:
            if isinstance(inner, kind):
                return words
    for inner in _chain(exc):   # some other OS error: its own words, without the wrappers
        if isinstance(inner, OSError) and inner.strerror:
            return inner.strerror[:1].lower() + inner.strerror[1:]
    return type(exc).__name__
