#!/usr/bin/env bash
# Build the book into _build/html, executing every chapter (cached in _build/.jupyter_cache).
# Fails on any Sphinx warning (-W) and on any cell error (execute.raise_on_error in _config.yml).
# Everything a page loads is served from _build/html, nothing from a CDN (tests/web/test_site_offline.py).
#
#   bash scripts/build_book.sh              # every step, in order
#   bash scripts/build_book.sh STEP...      # only these steps (each can be re-run alone)
#
# Steps:
#   runtime     npm packages of web/ (onnxruntime-web for the live panels, MathJax); node and npm
#               installed through apt when missing and run as root
#   export      the shipped model for the live panels (`python -m elmo_mini export-web`), into
#               _build/web (gitignored); skipped while elmo_mini and requirements.txt are unchanged
#   book        `jupyter-book build` (drops the execution cache first when elmo_mini changed)
#   site-files  copies what the pages load beside Sphinx's output (SITE_FILES below)
#   timings     each chapter's execution time and the total (tools/execution_times.py)
# When every step runs, a failed `book` step still lets site-files and timings run, then fails.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/setup.sh
source scripts/setup.sh
STEPS=(runtime export book site-files timings)

# hash_inputs [FIND_TESTS...]: a short hash of elmo_mini's files and requirements.txt.
hash_inputs() {
    find elmo_mini requirements.txt -type f ! -path '*__pycache__*' "$@" | LC_ALL=C sort \
        | xargs cat | sha256sum | cut -c1-16
}

step_runtime() {
    if ! command -v npm >/dev/null 2>&1; then
        if [ "$(id -u)" = "0" ]; then
            apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
        else
            echo "build_book: npm is missing (apt-get install nodejs npm); the live panel needs it" >&2
            return 1
        fi
    fi
    local lock_hash
    lock_hash=$(sha256sum web/package-lock.json | cut -c1-16)
    if [ ! -d web/node_modules/onnxruntime-web ] \
        || [ "$(cat web/node_modules/.lock_hash 2>/dev/null)" != "$lock_hash" ]; then
        (cd web && npm ci --no-audit --no-fund)
        echo "$lock_hash" > web/node_modules/.lock_hash
    fi
}

step_export() {
    local web_hash
    web_hash=$(hash_inputs)
    if [ ! -f _build/web/manifest.json ] || [ "$(cat _build/web/.inputs_hash 2>/dev/null)" != "$web_hash" ]; then
        rm -rf _build/web
        python -m elmo_mini export-web --out _build/web --no-progress
        echo "$web_hash" > _build/web/.inputs_hash
    fi
}

step_book() {
    # Sphinx re-reads only changed chapters, and the execution cache keys on each chapter's cells
    # only. Chapters also read the package and the shipped model, so when those change every
    # cached output is stale: start afresh. (web_export.py and web_graphs.py only feed the live
    # panels: no chapter imports them.)
    local inputs_hash
    inputs_hash=$(hash_inputs ! -name web_export.py ! -name web_graphs.py)
    if [ -d _build/.doctrees ] && [ "$(cat _build/.inputs_hash 2>/dev/null)" != "$inputs_hash" ]; then
        echo "build_book: elmo_mini or its model changed since the last build; re-executing every chapter"
        rm -rf _build/.jupyter_cache _build/.doctrees _build/jupyter_execute
    fi
    mkdir -p _build
    echo "$inputs_hash" > _build/.inputs_hash
    date +%s > _build/.build_start  # the timings step marks what this build executed
    jupyter-book build . -W --keep-going
}

# What the pages load from _build/html besides Sphinx's output, one line per destination folder
# under _build/html: "DESTINATION/ <- SOURCES" (files, globs or folders, copied recursively).
# Each destination is made afresh, so it must be a folder of its own (never _static/ itself).
# To ship another file, add it to a line or add a line.
ORT=web/node_modules/onnxruntime-web/dist
MJ=web/node_modules/mathjax/es5
SITE_FILES=(
    # the live panels (book/try_it.md, inline in chapters): scripts and style, ONNX Runtime Web,
    # the model
    "elmo-web/ <- web/*.js web/panel.css"
    "elmo-web/ort/ <- $ORT/ort.wasm.min.mjs $ORT/ort-wasm-simd-threaded.mjs $ORT/ort-wasm-simd-threaded.wasm"
    "elmo-web/data/ <- _build/web/*.onnx _build/web/*.f16 _build/web/*.json _build/web/vocab.txt"
    # MathJax (mathjax_path in _config.yml points here): the combined TeX/MathML-to-HTML build,
    # what it loads on demand (input/, ui/ for the menu, a11y/ for assistive MathML) and the
    # HTML output's fonts. Not the speech engine (sre/) or the SVG output: never loaded.
    "_static/mathjax/ <- $MJ/tex-mml-chtml.js $MJ/input $MJ/ui $MJ/a11y $MJ/adaptors"
    "_static/mathjax/output/ <- $MJ/output/chtml.js $MJ/output/chtml"
)

step_site_files() {
    local line dest sources
    for line in "${SITE_FILES[@]}"; do  # first make every destination afresh (nested ones too)
        dest=${line%% <- *}
        rm -rf "_build/html/$dest"
    done
    for line in "${SITE_FILES[@]}"; do
        dest=${line%% <- *}
        sources=${line#* <- }
        mkdir -p "_build/html/$dest"
        # shellcheck disable=SC2086 # the sources are split into words and globs on purpose
        cp -r $sources "_build/html/$dest"
        # shellcheck disable=SC2086
        echo "build_book: $(du -shc $sources | tail -1 | cut -f1) into _build/html/$dest"
    done
}

step_timings() {
    python tools/execution_times.py --since "$(cat _build/.build_start 2>/dev/null || echo 0)" || true
}

run_step() {
    case "$1" in
        runtime) step_runtime ;;
        export) step_export ;;
        book) step_book ;;
        site-files) step_site_files ;;
        timings) step_timings ;;
        *) echo "build_book: no step '$1' (steps: ${STEPS[*]})" >&2; return 2 ;;
    esac
}

if [ "$#" -gt 0 ]; then  # named steps: stop at the first that fails
    for step in "$@"; do
        run_step "$step"
    done
    exit 0
fi
start=$(date +%s)
status=0
for step in "${STEPS[@]}"; do
    if [ "$step" = book ]; then
        run_step book || status=$?
    else
        run_step "$step"
    fi
done
echo "build_book: total wall time $(($(date +%s) - start)) s"
if [ "$status" -ne 0 ]; then
    echo "build_book: FAILED (a warning or a cell error; see above)" >&2
fi
exit "$status"
