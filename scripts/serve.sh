#!/usr/bin/env bash
# Install the app in .venv (first time only) and serve it on the bundled sample data at http://127.0.0.1:8050
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
if [ ! -x .venv/bin/elip-map ]; then
  [ -x .venv/bin/python ] || "$PY" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e .
fi
exec .venv/bin/elip-map serve --host 127.0.0.1 --port 8050 "$@"
