#!/usr/bin/env bash
# Everything CI checks after the book is built (scripts/build_book.sh builds it first):
# generated notebooks up to date, ruff, unit tests (browser test included), student notebooks.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/setup.sh
source scripts/setup.sh
# The browser test drives Debian's chromium through Playwright (never `playwright install`).
if [ "$(id -u)" = "0" ] && [ ! -x /usr/bin/chromium ]; then
    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
echo "== student notebooks up to date"
python tools/make_notebooks.py --check
echo "== ruff"
ruff check elmo_mini tests tools benchmarks
echo "== unit tests"
pytest -q tests
echo "== student notebooks run end to end"
pytest -q --nbmake notebooks/
