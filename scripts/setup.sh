#!/usr/bin/env bash
# Set up Crash Inspector on a fresh Debian/Ubuntu machine: Qt's system libraries and a real font (without
# fonts-dejavu-core every text renders as boxes, silently; without fonts-noto-color-emoji so does every emoji in
# a crash message: Qt falls back to it through fontconfig), a virtual environment in .venv, and the package
# with its test extras. Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(libglib2.0-0 libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0
  libbrotli1 fonts-dejavu-core fonts-noto-color-emoji libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0
  libxcb-xkb1 libxcb-randr0 libxcb-render-util0 libxcb-image0)
missing=()
if command -v dpkg >/dev/null 2>&1; then
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
fi
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "setup: installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
# pip runs only when pyproject.toml (the dependencies) changed since the last successful run, or the install is
# broken: a second run takes a second instead of a minute of resolving. FORCE=1 reinstalls all the same.
STAMP=.venv/.setup-stamp
want="$(.venv/bin/python -c 'import hashlib, sys; print(sys.version.split()[0], hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')"
if [ "${FORCE:-0}" != 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] \
  && .venv/bin/python -c "import inspector, PySide6.QtWidgets, pytest, pytestqt" >/dev/null 2>&1; then
  echo "setup: Python packages already installed (pyproject.toml unchanged; FORCE=1 reinstalls)"
else
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$want" > "$STAMP"
fi
echo "setup: ready (.venv)"
