"""The book's own exercise solutions, read out of ``book/NN_name.md`` for the self-check tests.

A check must pass on the solution the book publishes, not only on the package's function, so the
tests execute the solution cell itself (the code between ``{solution-start}`` and
``{solution-end}``, nbgrader markers included). The chapters are read with ``tools/myst_cells.py``,
the reader every tool and test shares.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict

from myst_cells import CODE_CELL as CODE_CELL  # web/test_web_export.py parses chapter 9 with it
from myst_cells import read

BOOK = Path(__file__).resolve().parents[2] / "book"


def _cells(chapter: str) -> list[tuple[str, str]]:
    """(cell type, source) of every cell of ``book/<chapter>.md``, in order."""
    return [(cell.cell_type, cell.source) for cell in read(BOOK / f"{chapter}.md").cells]


def run_solution(chapter: str, label: str, namespace: Dict[str, Any]) -> Dict[str, Any]:
    """Execute the first code cell of exercise ``label``'s solution in ``book/<chapter>.md``.

    ``namespace`` holds what earlier cells of the chapter would have imported; returns it, with
    whatever the solution defined.
    """
    cells = _cells(chapter)
    start = next(i for i, (kind, text) in enumerate(cells)
                 if kind == "markdown" and f"{{solution-start}} {label}" in text)
    code = next(text for kind, text in cells[start:] if kind == "code")
    exec(code, namespace)  # noqa: S102 - the book's own code
    return namespace


def solution_function(chapter: str, name: str, namespace: Dict[str, Any]) -> Callable:
    """The function ``name`` as the chapter's solution cell (the one with BEGIN SOLUTION) defines it."""
    source = next(text for kind, text in _cells(chapter)
                  if kind == "code" and f"def {name}(" in text and "BEGIN SOLUTION" in text)
    exec(source, namespace)  # noqa: S102 - the book's own code
    return namespace[name]


def stub(*args: Any, **kwargs: Any) -> Any:
    """What a student's function is before they write it."""
    raise NotImplementedError()
