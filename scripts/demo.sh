#!/usr/bin/env bash
# The offline demo: sets up .venv, then runs a whole job in headless Blender
# against the local emulator and writes out/demo.blend + out/demo.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${AISTUDIO_VENV:-.venv}/bin/python" scripts/demo.py "$@"
