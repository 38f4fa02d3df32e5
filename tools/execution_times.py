"""Each chapter's execution time in the last book build, read from the build's jupyter-cache.

    python tools/execution_times.py                 # _build/.jupyter_cache
    python tools/execution_times.py --since 1765000000   # mark what ran after that Unix time

``scripts/build_book.sh timings`` runs it after the build (it passes the build's start time).
myst-nb prints "Executed notebook in N seconds" only for the chapters a build executes and no
total; the cache keeps the seconds of every chapter's last execution (``execution_seconds`` in
each record's data, what ``jcache cache info ID`` shows one record at a time), so this table
covers the cached chapters too and sums them.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=ROOT / "_build" / ".jupyter_cache")
    parser.add_argument("--since", type=int, help="Unix time the build started")
    args = parser.parse_args(argv)
    if not args.cache.exists():
        print("build_book: no execution cache, no per-chapter times")
        return 0
    from jupyter_cache import get_cache

    # jupyter-cache stores naive UTC datetimes
    start = (datetime.fromtimestamp(args.since, timezone.utc).replace(tzinfo=None)
             if args.since is not None else None)
    records = sorted(get_cache(str(args.cache)).list_cache_records(), key=lambda r: r.uri)
    print(f"{'chapter':40s} {'exec (s)':>9s}  run")
    total = 0.0
    for record in records:
        seconds = float(record.data.get("execution_seconds", 0.0))
        total += seconds
        fresh = start is not None and record.created.replace(tzinfo=None) >= start
        print(f"{Path(record.uri).name:40s} {seconds:9.1f}  {'this build' if fresh else 'cached'}")
    print(f"{'all chapters (as last executed)':40s} {total:9.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
