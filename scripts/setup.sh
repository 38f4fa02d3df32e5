#!/usr/bin/env bash
# Create .venv (if absent) and install the book's requirements and elmo_mini (editable).
# Idempotent and cheap to re-run: pip runs again only when requirements.txt or pyproject.toml
# changed since the last successful install (FORCE_SETUP=1 forces it).
# Meant to be sourced by the other scripts (it activates .venv) or run on its own.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
    echo "setup: creating $VENV"
    python3 -m venv "$VENV"
fi
STAMP="$VENV/.elmo-mini-setup"
WANT="$(cat "$ROOT/requirements.txt" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ "${FORCE_SETUP:-0}" = "1" ] || [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
    echo "setup: installing requirements.txt and elmo_mini (editable)"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -r "$ROOT/requirements.txt" -e "$ROOT"
    echo "$WANT" > "$STAMP"
else
    echo "setup: .venv is up to date"
fi
# shellcheck disable=SC1091
source "$VENV/bin/activate"
