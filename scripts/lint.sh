#!/usr/bin/env bash
# ruff over the whole tree (rules in pyproject.toml); sets up .venv first. Extra
# arguments go to ruff, e.g. `bash scripts/lint.sh --fix`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${AISTUDIO_VENV:-.venv}/bin/ruff" check "$@" .
