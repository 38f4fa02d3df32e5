"""Words and code lines per chapter: how long each page is for a reader.

    python tools/chapter_stats.py                 # the working tree's book/
    python tools/chapter_stats.py --rev main      # the chapters as committed at a git revision
    python tools/chapter_stats.py --rev main --compare   # that revision, then the working tree

Words are the prose's (markdown outside code cells and the front matter; MyST directive fences
and option lines do not count). Code lines are the non-blank lines of the code cells a reader
sees: "open" cells show their code, "folded" ones (``hide-input``) show only their output until
opened; ``remove-cell`` cells (prose guards) are not shown at all and not counted.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from myst_cells import CODE_CELL, code_cells  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
FENCE_OR_OPTION = re.compile(r"^\s*(:{3,}|`{3,}|:[\w-]+:\s)")
WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")


@dataclass
class Stats:
    words: int
    open_lines: int
    folded_lines: int
    open_cells: int
    folded_cells: int


def chapter_stats(text: str) -> Stats:
    prose = CODE_CELL.sub("", FRONT_MATTER.sub("", text))
    words = sum(len(WORD.findall(line)) for line in prose.split("\n")
                if not FENCE_OR_OPTION.match(line))
    stats = Stats(words, 0, 0, 0, 0)
    for cell in code_cells(text):
        if "remove-cell" in cell.tags:
            continue
        n = sum(1 for line in cell.source.split("\n") if line.strip())
        if "hide-input" in cell.tags:
            stats.folded_lines += n
            stats.folded_cells += 1
        else:
            stats.open_lines += n
            stats.open_cells += 1
    return stats


def chapters_at(rev: str | None) -> dict[str, str]:
    """Chapter file name -> text, in the working tree (``rev`` None) or at a git revision."""
    if rev is None:
        return {p.name: p.read_text(encoding="utf-8")
                for p in sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))}
    names = subprocess.run(["git", "ls-tree", "--name-only", rev, "book/"], cwd=ROOT,
                           check=True, capture_output=True, text=True).stdout.split()
    return {Path(n).name: subprocess.run(["git", "show", f"{rev}:{n}"], cwd=ROOT, check=True,
                                         capture_output=True, text=True).stdout
            for n in sorted(names) if re.match(r"book/\d\d_.*\.md$", n)}


def table(texts: dict[str, str], title: str) -> str:
    rows = [f"{title}", "",
            "| chapter | words | code lines open | code lines folded | cells open | cells folded |",
            "| --- | ---: | ---: | ---: | ---: | ---: |"]
    total = Stats(0, 0, 0, 0, 0)
    for name, text in texts.items():
        s = chapter_stats(text)
        rows.append(f"| {name[:-3]} | {s.words:,} | {s.open_lines} | {s.folded_lines} | "
                    f"{s.open_cells} | {s.folded_cells} |")
        for field in vars(total):
            setattr(total, field, getattr(total, field) + getattr(s, field))
    rows.append(f"| all | {total.words:,} | {total.open_lines} | {total.folded_lines} | "
                f"{total.open_cells} | {total.folded_cells} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", help="read the chapters at this git revision")
    parser.add_argument("--compare", action="store_true",
                        help="with --rev: also print the working tree's table")
    args = parser.parse_args(argv)
    print(table(chapters_at(args.rev), f"## {args.rev or 'working tree'}"))
    if args.rev and args.compare:
        print()
        print(table(chapters_at(None), "## working tree"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
