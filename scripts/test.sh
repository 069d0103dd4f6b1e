#!/usr/bin/env bash
# Run the whole test suite (sets up .venv first). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${AISTUDIO_VENV:-.venv}/bin/python" -m pytest -q --timeout=600 "$@"
