"""The one reader of the book's MyST notebooks (``book/NN_name.md``) for every tool and test.

Two ways in, for two needs:

* :func:`read` -- the chapter as a notebook, through jupytext (what Jupyter Book reads too).
  Enough wherever a tool only needs the cells: ``tools/make_notebooks.py``, ``tests/support/book_cells.py``.
* :func:`code_cells` -- every ``{code-cell}`` with the offsets of its source in the file's text,
  for tools that rewrite cells in place and must leave every other byte alone
  (``tools/format_book_cells.py``) or that need the text around the cells
  (``tools/chapter_stats.py``). ``tests/book/test_book_format.py`` holds it to :func:`read`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# A code cell: its fence line, its options (``:tags: [...]`` lines, then an optional blank
# line) and its source up to the closing fence. The one capturing group is the source.
CODE_CELL = re.compile(
    r"^```\{code-cell\}[^\n]*\n(?:(?::[\w-]+:[^\n]*\n)+(?:[ \t]*\n)?)?(.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL)
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$", re.MULTILINE)
SOLUTION_START = re.compile(r"^:{3,}\{solution-start\}", re.MULTILINE)
SOLUTION_END = re.compile(r"^:{3,}\{solution-end\}", re.MULTILINE)


@dataclass
class CodeCell:
    """One ``{code-cell}`` of a chapter: where its source sits in the text, and its options."""

    start: int  # offset of the source (after the options) in the chapter's text
    end: int  # offset of the closing fence
    source: str  # text[start:end]: ends with a newline unless empty
    tags: list[str]
    first: bool  # the chapter's first code cell (the setup cell)
    in_solution: bool  # between a {solution-start} and its {solution-end}


def read(path: Path):  # -> nbformat.NotebookNode
    """The chapter at ``path`` as a notebook (markdown and code cells, tags in the metadata).

    jupytext is imported here, not above: the offset reader needs nothing beyond the standard
    library, so ``format_book_cells.py`` runs wherever ruff does.
    """
    import jupytext

    return jupytext.read(path, fmt="md:myst")


def solution_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of every ``{solution-start}`` ... ``{solution-end}`` block."""
    ends = [m.start() for m in SOLUTION_END.finditer(text)]
    spans = []
    for m in SOLUTION_START.finditer(text):
        end = next((e for e in ends if e > m.start()), len(text))
        spans.append((m.start(), end))
    return spans


def _tags(options: str) -> list[str]:
    """The ``:tags: [a, b]`` option among a cell's option lines, as a list."""
    found = [m["value"] for m in OPTION.finditer(options) if m["key"] == "tags"]
    value = found[-1] if found else ""
    return [t.strip() for t in value.strip().strip("[]").split(",") if t.strip()]


def code_cells(text: str) -> list[CodeCell]:
    """Every code cell of a MyST chapter's text, in order."""
    spans = solution_spans(text)
    return [CodeCell(start=m.start(1), end=m.end(1), source=m[1],
                     tags=_tags(text[m.start():m.start(1)]), first=i == 0,
                     in_solution=any(a < m.start() < b for a, b in spans))
            for i, m in enumerate(CODE_CELL.finditer(text))]

