"""Parse a multipart/form-data body with the standard library's email parser.

(The ``cgi`` module is deprecated and gone in Python 3.13.) Returns text
fields and file fields separately, as the tools' schemas expect.
"""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP

from .validation import WireError


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, bytes]]]:
    """(fields, files) where files maps a field name to (filename, bytes)."""
    if "boundary=" not in content_type:
        raise WireError("multipart/form-data without a boundary.")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise WireError("The multipart body could not be parsed.")
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        filename = part.get_filename()
        payload = part.get_payload(decode=True) or b""
        if filename is not None:
            files[name] = (filename, payload)
        else:
            charset = part.get_content_charset() or "utf-8"
            fields[name] = payload.decode(charset, errors="replace")
    return fields, files
