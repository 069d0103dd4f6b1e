#!/usr/bin/env bash
# Make .venv (Python 3.11) with the bpy wheel and the test tools.
# AISTUDIO_VENV and AISTUDIO_REQUIREMENTS choose another venv and pin file
# (scripts/test_blender_lts.sh: .venv-bpy42 from requirements-lts.txt).
#
# The bpy wheel is large, so wheels are kept in a cache outside the clone
# (AISTUDIO_WHEEL_CACHE, default ~/.cache/ai-studio-bridge/wheels): a second
# clone, or CI on the same machine, installs from it without downloading.
# Re-running is cheap: nothing happens while the pin file is unchanged.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-}
if [ -z "$PY" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY=$candidate; break
    fi
  done
fi
if [ -z "$PY" ]; then
  echo "setup: Python 3.11 is required (the bpy wheel is built for it); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi

VENV=${AISTUDIO_VENV:-.venv}
REQUIREMENTS=${AISTUDIO_REQUIREMENTS:-requirements-dev.txt}
WHEELS=${AISTUDIO_WHEEL_CACHE:-$HOME/.cache/ai-studio-bridge/wheels}

[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"

stamp="$VENV/.requirements.sha256"
want=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  echo "setup: installing test environment into $VENV (wheel cache: $WHEELS)" >&2
  mkdir -p "$WHEELS"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
  "$VENV/bin/python" -m pip download -q -r "$REQUIREMENTS" -d "$WHEELS" --find-links "$WHEELS"
  "$VENV/bin/python" -m pip install -q --find-links "$WHEELS" -r "$REQUIREMENTS"
  echo "$want" > "$stamp"
fi
