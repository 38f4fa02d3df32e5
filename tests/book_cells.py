"""The book's own exercise solutions, read out of ``book/NN_name.md`` for the self-check tests.

A check must pass on the solution the book publishes, not only on the package's function, so the
tests execute the solution cell itself (the code between ``{solution-start}`` and
``{solution-end}``, nbgrader markers included).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Dict

BOOK = Path(__file__).resolve().parents[1] / "book"
# a code cell's source, after its options (``:tags: [...]`` lines and the blank line after them)
CODE_CELL = re.compile(r"```\{code-cell\} ipython3\n(?:(?::[\w-]+:[^\n]*\n)+\n)?(.*?)```",
                       re.DOTALL)


def run_solution(chapter: str, label: str, namespace: Dict[str, Any]) -> Dict[str, Any]:
    """Execute the first code cell of exercise ``label``'s solution in ``book/<chapter>.md``.

    ``namespace`` holds what earlier cells of the chapter would have imported; returns it, with
    whatever the solution defined.
    """
    text = (BOOK / f"{chapter}.md").read_text(encoding="utf-8")
    start = text.index(f"{{solution-start}} {label}")
    code = CODE_CELL.search(text, start).group(1)
    exec(code, namespace)  # noqa: S102 - the book's own code
    return namespace


def solution_function(chapter: str, name: str, namespace: Dict[str, Any]) -> Callable:
    """The function ``name`` as the chapter's solution cell (the one with BEGIN SOLUTION) defines it."""
    cells = CODE_CELL.findall((BOOK / f"{chapter}.md").read_text(encoding="utf-8"))
    source = next(c for c in cells if f"def {name}(" in c and "BEGIN SOLUTION" in c)
    exec(source, namespace)  # noqa: S102 - the book's own code
    return namespace[name]


def stub(*args: Any, **kwargs: Any) -> Any:
    """What a student's function is before they write it."""
    raise NotImplementedError()
