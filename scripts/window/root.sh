#!/usr/bin/env bash
# Makes (once) and mounts a Debian 13 (trixie) root holding Debian's own
# Blender 4.3, Xvfb, xdotool and ImageMagick, for the real-window test tier on
# a Debian 12 host. Prints the root's path. Reused while its Blender exists.
# The mirror is the one this machine's apt already uses: no host is written
# here.   Usage (as root): scripts/window/root.sh [ROOT]
set -euo pipefail
ROOT="${1:-${AISTUDIO_WINDOW_ROOT:-$HOME/.cache/ai-studio-bridge/trixie}}"
# Debian's Blender uses the system Python 3.13: requests and numpy are the
# modules Blender bundles elsewhere and the add-on relies on.
PACKAGES="blender xvfb xauth xdotool imagemagick libgl1-mesa-dri procps python3-requests python3-numpy"
STAMP=".aistudio-packages"

mirror() {
  local m
  # The first Debian archive among the active sources (not -security, no third party).
  m="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '/^URIs:/ {print $2}' \
        | grep -v security | grep '/debian/\?$' | head -1)"
  [ -n "$m" ] || m="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | awk '/^deb / {print $2}' | grep -v security | grep '/debian/\?$' | head -1)"
  [ -n "$m" ] || { echo "window root: no Debian mirror found in this machine's apt sources" >&2; exit 1; }
  echo "$m"
}

mount_binds() {
  for d in proc sys dev dev/pts; do
    mountpoint -q "$ROOT/$d" || mount --bind "/$d" "$ROOT/$d"
  done
}

if [ "$(cat "$ROOT/$STAMP" 2>/dev/null || true)" != "$PACKAGES" ]; then
  command -v debootstrap >/dev/null || {
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
  }
  MIRROR="$(mirror)"
  mkdir -p "$ROOT"
  if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
    echo "window root: debootstrap trixie into $ROOT (a few minutes, once)" >&2
    debootstrap --variant=minbase trixie "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 || {
      tail -20 "$ROOT.debootstrap.log" >&2; exit 1; }
  fi
  echo "deb $MIRROR trixie main" > "$ROOT/etc/apt/sources.list"
  mount_binds
  echo "window root: installing $PACKAGES" >&2
  chroot "$ROOT" bash -c "export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $PACKAGES >/dev/null"
  echo "$PACKAGES" > "$ROOT/$STAMP"
fi
mount_binds
echo "$ROOT"
