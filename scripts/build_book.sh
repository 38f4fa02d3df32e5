#!/usr/bin/env bash
# Build the book into _build/html, executing every chapter (cached in _build/.jupyter_cache).
# Fails on any Sphinx warning (-W) and on any cell error (execute.raise_on_error in _config.yml).
# Prints each chapter's execution time and the total time.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/setup.sh
source scripts/setup.sh
# Sphinx re-reads only changed chapters, and the execution cache keys on each chapter's cells
# only. Chapters also read the package and the shipped model, so when those change every cached
# output is stale: start afresh.
inputs_hash=$(find elmo_mini requirements.txt -type f ! -path '*__pycache__*' | LC_ALL=C sort \
    | xargs cat | sha256sum | cut -c1-16)
if [ -d _build/.doctrees ] && [ "$(cat _build/.inputs_hash 2>/dev/null)" != "$inputs_hash" ]; then
    echo "build_book: elmo_mini or its model changed since the last build; re-executing every chapter"
    rm -rf _build/.jupyter_cache _build/.doctrees _build/jupyter_execute
fi
mkdir -p _build
echo "$inputs_hash" > _build/.inputs_hash
start=$(date +%s)
status=0
jupyter-book build . -W --keep-going || status=$?
end=$(date +%s)
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
