"""The volume tool's answer as numbers: millilitres as is and per target height.

The engine downloads the calculate-volume result like any other (the
emulator answers with a ``DATA`` asset, a JSON report, saved as
``<job_id>_data_<n>.json``). Read once, when the job finishes, so drawing
never opens a file. No bpy here.
"""

from __future__ import annotations

import json
from pathlib import Path

#: Millilitres in one cubic unit of each length unit the tools accept.
ML_PER_CUBIC = {"mm": 0.001, "cm": 1.0, "m": 1_000_000.0, "in": 16.387064, "ft": 28_316.846592}
MAX_REPORT_BYTES = 1_000_000


def read_report(files) -> dict | None:
    """The first downloaded JSON report that holds a volume, or None."""
    for name in files or ():
        path = Path(name)
        if path.suffix.lower() != ".json" or not path.is_file():
            continue
        try:
            if path.stat().st_size > MAX_REPORT_BYTES:
                continue
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(report, dict) and "volume" in report:
            return report
    return None


def _ml(value, unit: str) -> float | None:
    factor = ML_PER_CUBIC.get((unit or "").lower())
    try:
        return float(value) * factor if factor is not None else None
    except (TypeError, ValueError):
        return None


def lines(report: dict) -> list[str]:
    """``Volume: 45.2 ml (model as sent, 8.1 cm tall)`` and ``At 10 cm: 88.1 ml`` per target height."""
    unit = str(report.get("unit") or "cm")
    volume_unit = str(report.get("volume_unit") or f"{unit}3")
    cubic = volume_unit[:-1] if volume_unit.endswith("3") else unit
    out = []
    ml = _ml(report.get("volume"), cubic)
    height = report.get("height")
    tall = f", {float(height):g} {unit} tall" if isinstance(height, (int, float)) else ""
    if ml is not None:
        out.append(f"Volume: {ml:,.1f} ml (as sent{tall})")
    else:
        out.append(f"Volume: {report.get('volume')} {volume_unit}")
    for item in report.get("volumes") or ():
        if not isinstance(item, dict):
            continue
        each = _ml(item.get("volume"), cubic)
        target = item.get("target_height")
        if each is not None and target is not None:
            out.append(f"At {float(target):g} {unit} tall: {each:,.1f} ml")
    return out
