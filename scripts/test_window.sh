#!/usr/bin/env bash
# The real-window tier: Debian 13's Blender 4.3 under Xvfb, driven by real
# input events (xdotool), a screenshot of every step in out/window/.
# Needs root (debootstrap, chroot). The first run makes the Debian 13 root
# (about 4 minutes, ~1.5 GB in ~/.cache/ai-studio-bridge/trixie); later runs
# reuse it.   Usage: scripts/test_window.sh [SESSION ...]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(bash scripts/window/root.sh)"
STAGE=/work/aistudio
rm -rf "$ROOT$STAGE"
mkdir -p "$ROOT$STAGE"
# What git knows of (committed or not), as the tier tests it; not caches or venvs.
git ls-files -co --exclude-standard -z | grep -zv '^out/' | tar --null -cf - -T - | tar -xf - -C "$ROOT$STAGE"
# Sample pictures: the shared ones when they lie beside the clone, else the repository's own.
rm -rf "$ROOT/work/samples"; mkdir -p "$ROOT/work/samples"
if [ -d ../shared/samples ]; then cp ../shared/samples/*.png "$ROOT/work/samples/"; fi
cp scripts/demo_sample.png "$ROOT/work/samples/"
# A 500k-triangle and a Draco-compressed result, made with the bpy wheel (it has the encoder).
bash scripts/setup.sh
if [ ! -s "$ROOT/work/fixtures/draco.glb" ]; then
  .venv/bin/python tests/window/make_fixtures.py "$ROOT/work/fixtures" >/dev/null
fi
mkdir -p out
rc=0
chroot "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 \
  python3 "$STAGE/tests/window/run.py" "$STAGE/out/window" "$@" || rc=$?
rm -rf out/window
cp -r "$ROOT$STAGE/out/window" out/window 2>/dev/null || true
rm -rf out/window/homes out/window/dist
exit "$rc"
