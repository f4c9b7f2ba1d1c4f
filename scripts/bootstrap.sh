#!/usr/bin/env bash
# Sets up everything the app and its tests need on a fresh Debian machine: the system packages
# (when missing and when we may install them), a virtual environment in .venv and the Python
# requirements. Safe to run again: each step is skipped when it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
REQS=${1:-requirements.txt}
APT_PACKAGES="libcairo2-dev libpango1.0-dev pkg-config espeak-ng"
[ "$REQS" = requirements-dev.txt ] && APT_PACKAGES="$APT_PACKAGES chromium"

missing=""
for pkg in $APT_PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    echo "==> installing system packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || true
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
  elif command -v apt-get >/dev/null && command -v sudo >/dev/null; then
    echo "==> installing system packages with sudo:$missing"
    sudo apt-get update -qq || true
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  else
    echo "!! please install these system packages:$missing" >&2
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
name=$(basename "$REQS" .txt)
stamp="$VENV/.installed-$name-$(cat requirements.txt "$REQS" | sha1sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "==> installing $REQS into $VENV"
  # pip's own wheel cache (~/.cache/pip) makes a second install on the same machine quick.
  "$VENV/bin/python" -m pip install -q --upgrade pip wheel 2> >(grep -v "is ignored" >&2)
  "$VENV/bin/python" -m pip install -q -r "$REQS" 2> >(grep -v "is ignored" >&2)
  rm -f "$VENV"/.installed-"$name"-*
  touch "$stamp"
fi
