#!/usr/bin/env bash
# Run the add-on tests against Blender 4.2 LTS (the oldest version the manifest
# accepts), using the bpy 4.2 wheel in a separate venv, .venv-bpy42.
#
# Not run in CI: the bpy wheel is a large download. Run it by hand before a
# release:   scripts/test_blender_lts.sh [tests/printing] [extra pytest args]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-bpy42"
PYTHON="${PYTHON:-python3.11}"   # bpy 4.2 wheels exist for Python 3.11 only

if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --upgrade pip
    # Blender 4.2 ships numpy 1.26; numpy 2 is not what it was built against.
    "$VENV/bin/pip" install "bpy==4.2.*" "numpy==1.26.4" pytest pytest-timeout requests
fi

cd "$ROOT"
# The bpy 4.2 wheel segfaults during interpreter shutdown once the glTF
# exporter or importer has run (a bare bpy.ops.export_scene.gltf() followed by
# exit reproduces it, without this add-on). Exit with pytest's own verdict
# before that teardown so a crash after the last test cannot mask or fake a
# result.
exec "$VENV/bin/python" -c '
import os, sys
import pytest
code = pytest.main(sys.argv[1:])
sys.stdout.flush(); sys.stderr.flush()
os._exit(int(code))
' tests/addon "$@"
