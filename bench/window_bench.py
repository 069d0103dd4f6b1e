"""The frame budget in a real window, from the record the window tier writes.

    python3 bench/window_bench.py out/window/generate.timing.json
    python3 bench/window_bench.py out/window/heavy_result.timing.json   # + the 500k ratio

Prints the longest and the 99th-percentile add-on call on the main thread
(timers, draws, operators, handlers) against one 60 fps frame (16.7 ms),
and the gaps of the 10 ms probe timer told apart by what filled them:
- "add-on": the add-on's calls fill at least half of the gap;
- "driver": the test driver's own steps (xdotool, a screenshot) do;
- "Blender drawing": the 3D view's draw callbacks (PRE_VIEW to POST_PIXEL of
  one redraw; llvmpipe draws on the CPU here) do;
- "other": none of them: Blender's own work (its event handling, a dialog's
  own loop, drawing of the other regions, which no callback brackets).
Plain Python: runs with any Python 3, no Blender needed.
"""

from __future__ import annotations

import json
import sys

FRAME_MS = 1000 / 60


def _covered(spans, start: float, seconds: float) -> float:
    """How much of [start, start + seconds] the spans fill (spans do not nest here)."""
    end = start + seconds
    return sum(max(0.0, min(end, s + d) - max(start, s)) for s, d in spans)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str]) -> int:
    data = json.loads(open(argv[0]).read())
    reference = [(w, s, d) for w, s, d in data["calls"] if w.startswith("reference:")]
    calls = [(what, start, seconds) for what, start, seconds in data["calls"]
             if not what.startswith("reference:")]
    durations = [seconds * 1000 for _w, _s, seconds in calls]
    longest = max(calls, key=lambda c: c[2]) if calls else ("none", 0, 0)
    print(f"add-on calls on the main thread: {len(calls)}")
    print(f"  longest {longest[2] * 1000:.1f} ms ({longest[0]}) against one frame "
          f"{FRAME_MS:.1f} ms: {'within' if longest[2] * 1000 <= FRAME_MS else 'OVER'}")
    p99 = percentile(durations, 0.99)
    print(f"  p99 {p99:.2f} ms against {FRAME_MS:.1f} ms: {'within' if p99 <= FRAME_MS else 'OVER'}")
    slowest = {}
    for what, _s, seconds in calls:
        slowest[what] = max(slowest.get(what, 0), seconds)
    for what, seconds in sorted(slowest.items(), key=lambda kv: -kv[1])[:8]:
        print(f"    {seconds * 1000:7.1f} ms  {what}")
    if reference:
        name, _start, ref_s = reference[0]
        ratio = longest[2] / ref_s if ref_s else 0.0
        print(f"{name[len('reference: '):]} of the same result in the same window: {ref_s * 1000:.0f} ms;"
              f" longest add-on call / it = 1/{1 / ratio:.0f} (target 1/20): "
              f"{'met' if ratio <= 1 / 20 else 'NOT met'}" if ratio else "")
    addon_spans = [(s, d) for _w, s, d in calls]
    kinds: dict[str, list[float]] = {"add-on": [], "driver": [], "Blender drawing": [], "other": []}
    for start, seconds in data["gaps"]:
        # Laid to what filled most of it: the add-on's calls, the driver's own steps, the
        # 3D view's drawing; "other" is Blender's own work (events, a dialog's own loop).
        shares = {"add-on": _covered(addon_spans, start, seconds),
                  "driver": _covered(data["driver"], start, seconds),
                  "Blender drawing": _covered(data["draws"], start, seconds)}
        kind, filled = max(shares.items(), key=lambda kv: kv[1])
        kinds[kind if filled >= seconds / 2 else "other"].append(seconds * 1000)
    print("probe-timer gaps (10 ms asked), by what filled them:")
    for kind, gaps in kinds.items():
        if gaps:
            print(f"  {kind:16s} {len(gaps):5d} gaps, longest {max(gaps):7.1f} ms, "
                  f"p99 {percentile(gaps, 0.99):7.1f} ms")
        else:
            print(f"  {kind:16s}     0 gaps")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
