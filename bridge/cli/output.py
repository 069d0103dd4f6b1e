"""What the CLI prints: requests for --dry-run, statuses, files.

Pictures are shown as ``<file: name, N bytes>``, never as base64: a dry run
is for reading, and megabytes of base64 help nobody.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..api.base import ApiRequest
from ..api.chains import ChainStep, describe, is_placeholder, total_credits, with_inputs
from ..imagefile import decode_data_url
from ..status import TaskStatus

_NESTED_IMAGE_KEYS = ("image", "view_image")


def describe_source(value: Any) -> Any:
    """A short stand-in for a local file or a data URL; web URLs stay as they are."""
    if not isinstance(value, str) or value.startswith(("http://", "https://")):
        return value
    if value.startswith("data:"):
        data, mime = decode_data_url(value)
        return f"<data URL: {mime}, {len(data)} bytes>"
    path = Path(value)
    size = path.stat().st_size if path.is_file() else 0
    return f"<file: {path.name}, {size} bytes>"


def _describe_images(value: Any) -> Any:
    if isinstance(value, list):
        return [_describe_images(v) for v in value]
    if isinstance(value, dict):
        return {k: (_describe_images(v) if k in _NESTED_IMAGE_KEYS else v) for k, v in value.items()}
    return describe_source(value)


def describe_body(request: ApiRequest) -> dict[str, Any]:
    """The body that would be sent, with pictures and files replaced by descriptions."""
    if request.uses_multipart():
        fields, files = request.multipart()
        body = dict(fields)
        body.update({name: describe_source(path) for name, path in files.items()})
    else:
        request.validate()
        body = request.wire_fields()
    for key in request.IMAGE_FIELDS:
        if key in body:
            body[key] = _describe_images(body[key])
    return body


def dry_run_text(request: ApiRequest) -> str:
    encoding = "multipart/form-data" if request.uses_multipart() else "JSON"
    lines = [
        f"{request.LABEL}: POST {request.endpoint()} ({request.PROVIDER}, {encoding})",
        json.dumps(describe_body(request), indent=2, ensure_ascii=False),
        f"Estimated cost: {request.credits()}",
        f"Typical time: about {request.expected_seconds():.0f} s",
        "Dry run: nothing was sent.",
    ]
    return "\n".join(lines)


def chain_dry_run_text(steps: list[ChainStep]) -> str:
    """Each step as its dry run would show it, then the chain's total."""
    lines = []
    for n, step in enumerate(steps):
        request = with_inputs(step.request, step.inputs)
        encoding = "multipart/form-data" if request.uses_multipart() else "JSON"
        body = describe_body(request)
        for field, source in step.inputs.items():
            if is_placeholder(body.get(field)):
                body[field] = f"<address of step {source + 1}'s result>"
        kept = "" if step.download else " (not downloaded: only its address is used)"
        lines += [f"Step {n + 1}/{len(steps)} {step.title}: {request.LABEL}, POST "
                  f"{request.endpoint()} ({request.PROVIDER}, {encoding}){kept}",
                  json.dumps(body, indent=2, ensure_ascii=False),
                  f"Estimated cost: {request.credits()}"]
    lines += [f"Estimated total: {total_credits(steps)} ({describe(steps)})",
              "Dry run: nothing was sent."]
    return "\n".join(lines)


def status_text(status: TaskStatus) -> str:
    lines = [f"Task {status.task_id}: {status.state} {status.progress}%"]
    if status.failure_reason:
        lines.append(f"Reason: {status.failure_reason}")
    for asset in status.results:
        lines.append(f"  {asset.asset_type}: {asset.url}")
    return "\n".join(lines)
