#!/usr/bin/env bash
# Run the add-on tests against Blender 4.2 LTS (the oldest version the manifest
# accepts), using the bpy 4.2 wheel in a separate venv, .venv-bpy42.
#
# Not run in CI: the bpy wheel is about 1 GB to download. Run it by hand before
# a release:   scripts/test_blender_lts.sh [extra pytest args]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-bpy42"
PYTHON="${PYTHON:-python3.11}"   # bpy 4.2 wheels exist for Python 3.11 only

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --upgrade pip
    "$VENV/bin/pip" install "bpy==4.2.*" pytest requests numpy
fi

cd "$ROOT"
exec "$VENV/bin/python" -m pytest tests/addon "$@"
