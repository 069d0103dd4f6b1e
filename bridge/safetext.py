"""Make text we did not write safe to store and to show.

Two sources of such text: the services (error messages, failure reasons,
HTML pages from proxies, asset metadata) and the user (prompts, file
names). Service text may echo the credential we sent, so it is scrubbed
where the answer is parsed, before anything stores or prints it. Any text
may hold control characters (an ANSI escape in a failure reason or a
pasted prompt) that a terminal would obey; :func:`printable` escapes them
at the point of printing.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import quote

_BEARER = re.compile(r"Bearer\s+\S+", re.IGNORECASE)
# Nobody issues credentials this short; replacing shorter strings (a demo key
# such as "demo") would mangle ordinary words and the structure of answers.
MIN_SECRET_LEN = 8
# C0 and C1 controls and DEL; newline and tab are handled by the callers' rules.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Whole terminal escape sequences (CSI such as colours, OSC such as window titles).
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x9b[0-?]*[ -/]*[@-~]")
# Bidirectional overrides and isolates: they reorder what a terminal shows.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
#: How much of a service's text is looked at, at most: an error page's title and
#: first words are in its first few kilobytes, and everything after costs time only.
#: Text is cut to this *before* it is cleaned (every step after is linear in it).
CLEAN_WINDOW = 64 * 1024


def scrub(text: str, *secrets: str) -> str:
    """``text`` with every credential replaced by ``***``.

    Secrets are matched case-insensitively and also in their URL-encoded
    form (a key echoed inside a query string), plus anything after
    ``Bearer``.
    """
    for secret in secrets:
        if not secret or len(secret) < MIN_SECRET_LEN:
            continue
        for form in {secret, quote(secret, safe="")}:
            text = re.sub(re.escape(form), "***", text, flags=re.IGNORECASE)
    return _BEARER.sub("Bearer ***", text)


def scrub_tree(value: Any, secrets: tuple[str, ...]) -> Any:
    """A decoded JSON answer with every string value scrubbed (keys are structure)."""
    if not any(secrets):
        return value
    if isinstance(value, str):
        return scrub(value, *secrets)
    if isinstance(value, list):
        return [scrub_tree(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: scrub_tree(v, secrets) for k, v in value.items()}
    return value


def looks_like_html(text: str) -> bool:
    head = text.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body")) or "<html" in head


def _window(text: str, secrets: tuple[str, ...]) -> str:
    """At most :data:`CLEAN_WINDOW` characters of ``text``, scrubbed of ``secrets``.

    Cut first, so that no cleaning step ever sees more; a secret that the cut
    split is caught by scrubbing a little past the window and dropping that
    margin again, so no prefix of a key survives at the edge.
    """
    if len(text) <= CLEAN_WINDOW:
        return scrub(text, *secrets)
    margin = max([len(s) for s in secrets if s] + [0]) * 3 + 16   # URL-encoded forms are longer
    scrubbed = scrub(text[:CLEAN_WINDOW + margin], *secrets)
    return scrubbed[:CLEAN_WINDOW - margin] if margin < CLEAN_WINDOW else ""


def _between(text: str, lower: str, start: int) -> tuple[int, int] | None:
    """The inner span of the first ``<title ...>...</title>`` at or after ``start``."""
    opening = lower.find("<title", start)
    if opening < 0:
        return None
    inner = lower.find(">", opening)
    if inner < 0:
        return None
    closing = lower.find("</title", inner)
    return (inner + 1, closing if closing >= 0 else -1)


def _strip_tags(text: str) -> str:
    """Visible text: tags become spaces, script and style bodies are dropped (one pass)."""
    lower = text.lower()
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        lt = text.find("<", i)
        if lt < 0:
            out.append(text[i:])
            break
        out.append(text[i:lt])
        gt = text.find(">", lt)
        if gt < 0:
            break   # an unclosed tag runs to the end: nothing visible follows
        out.append(" ")
        for name in ("script", "style"):
            if lower.startswith("<" + name, lt):
                end = lower.find("</" + name, gt)
                if end < 0:
                    return "".join(out)
                gt = lower.find(">", end)
                if gt < 0:
                    return "".join(out)
                break
        i = gt + 1
    return "".join(out)


def html_summary(text: str) -> str:
    """The title of an HTML page, or its visible text, on one line (linear time)."""
    text = text[:CLEAN_WINDOW]
    lower = text.lower()
    span = _between(text, lower, 0)
    words = ""
    if span is not None:
        start, end = span
        words = text[start:end] if end >= 0 else ""
    if not words.strip():
        words = _strip_tags(text)
    return " ".join(html.unescape(words).split())


def service_text(value: Any, *secrets: str, limit: int = 300) -> str:
    """Text from a service made fit for a message or the journal.

    Cut to a window first (linear time whatever arrives), scrubbed of
    ``secrets`` *before* it is shortened (so no prefix of a key survives the
    cut), HTML reduced to its title, control characters removed, whitespace
    collapsed to single spaces.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = _window(text, secrets)
    if looks_like_html(text):
        text = html_summary(text)
    text = _BIDI.sub("", _CONTROLS.sub(" ", _ANSI.sub("", text)))
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit - 1].rstrip() + "…"
    return text


def _escape(match: re.Match) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, keep_newlines: bool = True) -> str:
    """``text`` safe for a terminal: control characters shown as ``\\x1b``, never obeyed.

    Newlines and tabs stay when ``keep_newlines`` (multi-line output);
    carriage returns are always escaped, since they overwrite what was printed.
    """
    text = _BIDI.sub(_escape, _CONTROLS.sub(_escape, text))
    if not keep_newlines:
        text = text.replace("\n", "\\n").replace("\t", "\\t")
    return text


def control_characters(text: str) -> list[str]:
    """The control characters in ``text`` other than newline, tab and carriage return."""
    return [c for c in text if (_CONTROLS.match(c) or _BIDI.match(c)) and c not in "\r"]
