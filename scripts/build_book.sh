#!/usr/bin/env bash
# Build the book into _build/html, executing every chapter (cached in _build/.jupyter_cache).
# Fails on any Sphinx warning (-W) and on any cell error (execute.raise_on_error in _config.yml).
# Prints each chapter's execution time and the total time.
# Everything a page loads is served from _build/html, nothing from a CDN (tests/test_site_offline.py).
# Also builds the live panel of book/try_it.md: onnxruntime-web from npm (`npm ci` in web/, node
# and npm installed through apt when missing and run as root), the model exported by
# `python -m elmo_mini export-web` into _build/web (gitignored), both copied into
# _build/html/elmo-web/ after the build, and MathJax (npm too) into _build/html/_static/mathjax/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/setup.sh
source scripts/setup.sh
# Sphinx re-reads only changed chapters, and the execution cache keys on each chapter's cells
# only. Chapters also read the package and the shipped model, so when those change every cached
# output is stale: start afresh.
# hash_inputs [FIND_TESTS...]: a short hash of elmo_mini's files and requirements.txt.
hash_inputs() {
    find elmo_mini requirements.txt -type f ! -path '*__pycache__*' "$@" | LC_ALL=C sort \
        | xargs cat | sha256sum | cut -c1-16
}
# (web_export.py and web_graphs.py only feed the live panels, exported below: no chapter imports them.)
inputs_hash=$(hash_inputs ! -name web_export.py ! -name web_graphs.py)
if [ -d _build/.doctrees ] && [ "$(cat _build/.inputs_hash 2>/dev/null)" != "$inputs_hash" ]; then
    echo "build_book: elmo_mini or its model changed since the last build; re-executing every chapter"
    rm -rf _build/.jupyter_cache _build/.doctrees _build/jupyter_execute
fi
mkdir -p _build
echo "$inputs_hash" > _build/.inputs_hash

# ---- the live panel: runtime from npm, model export ---------------------------------------------
if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ]; then
        apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
    else
        echo "build_book: npm is missing (apt-get install nodejs npm); the live panel needs it" >&2
        exit 1
    fi
fi
lock_hash=$(sha256sum web/package-lock.json | cut -c1-16)
if [ ! -d web/node_modules/onnxruntime-web ] || [ "$(cat web/node_modules/.lock_hash 2>/dev/null)" != "$lock_hash" ]; then
    (cd web && npm ci --no-audit --no-fund)
    echo "$lock_hash" > web/node_modules/.lock_hash
fi
web_hash=$(hash_inputs)
if [ ! -f _build/web/manifest.json ] || [ "$(cat _build/web/.inputs_hash 2>/dev/null)" != "$web_hash" ]; then
    rm -rf _build/web
    python -m elmo_mini export-web --out _build/web --no-progress
    echo "$web_hash" > _build/web/.inputs_hash
fi
start=$(date +%s)
status=0
jupyter-book build . -W --keep-going || status=$?
end=$(date +%s)
# The panel's files next to the pages: web/panel.{js,css}, the runtime, the exported model.
ORT=web/node_modules/onnxruntime-web/dist
rm -rf _build/html/elmo-web
mkdir -p _build/html/elmo-web/ort _build/html/elmo-web/data
cp web/*.js web/panel.css _build/html/elmo-web/
cp "$ORT/ort.wasm.min.mjs" "$ORT/ort-wasm-simd-threaded.mjs" "$ORT/ort-wasm-simd-threaded.wasm" \
    _build/html/elmo-web/ort/
cp _build/web/*.onnx _build/web/*.f16 _build/web/*.json _build/web/vocab.txt _build/html/elmo-web/data/
echo "build_book: live panel: $(du -sh _build/html/elmo-web/data | cut -f1) of model data," \
    "$(du -sh _build/html/elmo-web/ort | cut -f1) of ONNX Runtime Web in _build/html/elmo-web/"
# MathJax from npm (mathjax_path in _config.yml points here): the combined TeX/MathML-to-HTML
# build, the extensions it loads on demand (input/, ui/ for the menu, a11y/ for assistive MathML)
# and the HTML output's fonts. Not the speech engine (sre/) or the SVG output: never loaded.
MJ=web/node_modules/mathjax/es5
rm -rf _build/html/_static/mathjax
mkdir -p _build/html/_static/mathjax/output
cp -r "$MJ/tex-mml-chtml.js" "$MJ/input" "$MJ/ui" "$MJ/a11y" "$MJ/adaptors" _build/html/_static/mathjax/
cp -r "$MJ/output/chtml.js" "$MJ/output/chtml" _build/html/_static/mathjax/output/
echo "build_book: MathJax: $(du -sh _build/html/_static/mathjax | cut -f1) in _build/html/_static/mathjax/"
python - "$start" <<'PY' || true
"""Per-chapter execution times, from the jupyter-cache that the build fills."""
import sys
from datetime import datetime, timezone
from pathlib import Path

from jupyter_cache import get_cache

cache_dir = Path("_build/.jupyter_cache")
if not cache_dir.exists():
    print("build_book: no execution cache, no per-chapter times")
    raise SystemExit
# jupyter-cache stores naive UTC datetimes
start = datetime.fromtimestamp(int(sys.argv[1]), timezone.utc).replace(tzinfo=None)
records = sorted(get_cache(str(cache_dir)).list_cache_records(), key=lambda r: r.uri)
print(f"{'chapter':40s} {'exec (s)':>9s}  run")
total = 0.0
for record in records:
    seconds = float(record.data.get("execution_seconds", 0.0))
    total += seconds
    fresh = "this build" if record.created.replace(tzinfo=None) >= start else "cached"
    print(f"{Path(record.uri).name:40s} {seconds:9.1f}  {fresh}")
print(f"{'all chapters (as last executed)':40s} {total:9.1f}")
PY
echo "build_book: total wall time $((end - start)) s"
if [ "$status" -ne 0 ]; then
    echo "build_book: FAILED (a warning or a cell error; see above)" >&2
fi
exit "$status"
