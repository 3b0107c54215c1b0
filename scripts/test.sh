#!/usr/bin/env bash
# Install everything the tests need (Python packages in .venv, headless Chromium when absent) and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing headless Chromium for the browser tests (Debian packages chromium, chromium-driver)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "Chromium is not installed and cannot be installed here: browser tests will be skipped."
  fi
fi
# Fonts for every interface language (Ethiopic, Gurmukhi, Arabic script in fonts-noto-core; Chinese in
# fonts-noto-cjk): without them the browser tests would see tofu boxes instead of Amharic or Punjabi.
if ! fc-list 2>/dev/null | grep -qi "Noto Sans Ethiopic" || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core fonts-noto-cjk >/dev/null
  elif command -v sudo >/dev/null 2>&1; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-core fonts-noto-cjk >/dev/null
  else
    echo "fonts-noto-core and fonts-noto-cjk are missing and cannot be installed here: the glyph test will fail."
  fi
fi
# axe-core (the accessibility rules the browser tests run), pinned, from the npm registry into a git-ignored
# folder the tests read (tests/browser/test_home_axe.py).
AXE_VERSION=4.14.1
if ! grep -qs "\"version\": \"$AXE_VERSION\"" .cache/axe/node_modules/axe-core/package.json; then
  if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
  fi
  if command -v npm >/dev/null 2>&1; then
    npm install --no-save --no-audit --no-fund --silent --prefix .cache/axe "axe-core@$AXE_VERSION" >/dev/null
  else
    echo "npm is not installed: the axe-core accessibility tests will fail (install npm, or run them elsewhere)."
  fi
fi
export PATH="/usr/bin:$PATH"
# Bytecode for this checkout's own modules: the tests start dozens of `python -m elip_map` processes and two
# workers, and each would compile the package again (writes are atomic, so workers never see half a file).
unset PYTHONDONTWRITEBYTECODE
# Two workers (the machine has 2 cores), whole test files per worker: a file's module-scoped fixtures (one app,
# one database) are built once. Every test works in its own temporary folder, SQLite file, PostgreSQL schema
# and free port on 127.0.0.1, so two files never meet. ELIP_TEST_WORKERS=0 runs in one process (e.g. with --pdb).
WORKERS=${ELIP_TEST_WORKERS:-2}
case "$WORKERS" in
  ''|*[!0-9]*) echo "ELIP_TEST_WORKERS='$WORKERS': use a whole number (0 runs the tests in one process)" >&2; exit 2 ;;
esac
if [ "$WORKERS" -gt 0 ]; then
  set -- -n "$WORKERS" --dist loadfile "$@"
fi
exec .venv/bin/python -m pytest "$@"
