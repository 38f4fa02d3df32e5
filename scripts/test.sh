#!/usr/bin/env bash
# Everything CI checks after the book is built (scripts/build_book.sh builds it first):
# generated notebooks up to date, ruff, the tests (browser and Colab stand-in included).
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
# Every student notebook runs end to end in tests/colab/test_colab_standin.py (from its first
# cell, in a Colab-like Python 3.13 environment; under CI it fails rather than skip). Where no
# Python 3.13 is found that test skips, so run them here in .venv instead.
if ! python -c "import sys; sys.path.insert(0, 'tests'); from support.colab_env import find_python; sys.exit(find_python()[0] is None)"; then
    echo "== student notebooks run end to end (no Python 3.13 for the Colab stand-in: in .venv)"
    pytest -q --nbmake notebooks/
fi
