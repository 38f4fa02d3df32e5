"""The book's code cells fit the content column, and cells that only draw a figure are folded.

The widths come from the built book (``tests/web/test_browser.py`` measures them): a code line of a
chapter's code cell is at most ``LIMIT`` (74) characters, inside a solution dropdown at most
``SOLUTION_LIMIT`` (69). ``python tools/format_book_cells.py`` formats the cells and
``--check`` is what these tests run, cell by cell.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from format_book_cells import (
    LIMIT,
    RUFF_VERSION,
    SOLUTION_LIMIT,
    format_chapter,
    long_lines,
    ruff_version,
)
from myst_cells import code_cells, read
from support import ROOT

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.md"))
# A matplotlib call: pyplot itself, or one of the Axes/Figure methods the chapters use.
PLOT_CALL = re.compile(
    r"\bplt\.|\.(plot|scatter|bar|barh|hist|imshow|text|annotate|axhline|axvline|legend|set|"
    r"set_\w+|grid|suptitle|tight_layout|colorbar|add_patch|axis|fill_between|subplots)\(")
DRAWS = re.compile(r"\bplt\.(show|subplots|figure)\(")  # the cell puts a figure on the page
PLOT_MIN_LINES = 8  # a plotting cell shorter than this may stay open
PLOT_SHARE = 0.25  # the share of matplotlib calls among its code lines that makes it a plot


def chapter_ids(path: Path) -> str:
    return path.stem[:2]


def code_lines(source: str) -> list[str]:
    return [line for line in source.split("\n")
            if line.strip() and not line.strip().startswith("#")]


def is_plotting_cell(source: str) -> bool:
    """A cell that draws a figure and is mostly matplotlib: at least PLOT_MIN_LINES code lines,
    PLOT_SHARE of them calls such as ``ax.set_title(``. (A cell that computes something and then
    plots it in two lines is not one: it teaches, and stays open.)"""
    lines = code_lines(source)
    plotting = sum(bool(PLOT_CALL.search(line)) for line in lines)
    return (bool(DRAWS.search(source)) and len(lines) >= PLOT_MIN_LINES
            and plotting >= PLOT_SHARE * len(lines))


@pytest.mark.parametrize("path", CHAPTERS, ids=chapter_ids)
def test_code_lines_fit_the_column(path):
    text = path.read_text(encoding="utf-8")
    too_long = [f"cell {cell + 1}, line {line + 1}: {len(code)} > {limit}: {code.strip()}"
                for cell, line, limit, code in long_lines(text)]
    assert not too_long, (
        f"{path.name}: code lines wider than the book's column "
        f"({LIMIT} characters, {SOLUTION_LIMIT} in a solution); run "
        "`python tools/format_book_cells.py` and shorten what it reports:\n"
        + "\n".join(too_long))


@pytest.mark.parametrize("path", CHAPTERS, ids=chapter_ids)
def test_code_cells_are_formatted(path):
    if ruff_version() != RUFF_VERSION:  # the widths are checked above, whatever the version
        pytest.skip(f"ruff {ruff_version()} installed, the book is formatted with ruff "
                    f"{RUFF_VERSION}: layouts may differ between versions")
    text = path.read_text(encoding="utf-8")
    assert format_chapter(text) == text, (
        f"{path.name}: code cells are not as `python tools/format_book_cells.py` leaves them; "
        "run it (it is idempotent) and commit the result")


@pytest.mark.parametrize("path", CHAPTERS, ids=chapter_ids)
def test_plotting_cells_are_folded(path):
    text = path.read_text(encoding="utf-8")
    open_plots = [n + 1 for n, cell in enumerate(code_cells(text))
                  if is_plotting_cell(cell.source) and "hide-input" not in cell.tags
                  and "remove-cell" not in cell.tags]
    assert not open_plots, (
        f"{path.name}: code cells {open_plots} mostly draw a figure; fold them "
        "(`:tags: [hide-input]`, the figure stays visible) and say what to look at")


@pytest.mark.parametrize("path", CHAPTERS, ids=chapter_ids)
def test_folded_cells_do_not_teach(path):
    text = path.read_text(encoding="utf-8")
    for n, cell in enumerate(code_cells(text)):
        if "hide-input" in cell.tags:
            assert "BEGIN SOLUTION" not in cell.source and "check_" not in cell.source, (
                f"{path.name}: code cell {n + 1} is folded but holds an exercise or its check")
            assert not cell.first, f"{path.name}: the setup cell must not be folded"


@pytest.mark.parametrize("path", CHAPTERS, ids=chapter_ids)
def test_the_offset_reader_agrees_with_jupytext(path):
    """tools/myst_cells.py's code_cells (offsets, for the formatter) finds the cells, sources and
    tags that jupytext (what Jupyter Book and make_notebooks.py read) finds."""
    by_offsets = [(c.source.rstrip("\n"), c.tags)
                  for c in code_cells(path.read_text(encoding="utf-8"))]
    by_jupytext = [(c.source, list(c.metadata.get("tags", [])))
                   for c in read(path).cells if c.cell_type == "code"]
    assert by_offsets == by_jupytext


# ---------------------------------------------------------------------------- the checks fail


def chapter(*cells: str, solution: bool = False, tags: str = "") -> str:
    """A minimal MyST chapter with the given code cells (after a setup cell)."""
    body = "".join(f"```{{code-cell}} ipython3\n{tags}{c}\n```\n\n" for c in cells)
    if solution:
        body = (":::{solution-start} ex-x\n:class: dropdown\n:::\n\n" + body
                + ":::{solution-end}\n:::\n")
    return "# T\n\n```{code-cell} ipython3\nimport os\n```\n\n" + body


def test_a_long_line_fails_the_check():
    fits = "x = " + "1" * (LIMIT - 4)
    assert long_lines(chapter(fits)) == []
    found = long_lines(chapter(fits + "1"))
    assert [(cell, limit) for cell, _, limit, _ in found] == [(1, LIMIT)]


def test_a_solution_has_the_narrower_limit():
    fits = "x = " + "1" * (SOLUTION_LIMIT - 4)
    assert long_lines(chapter(fits, solution=True)) == []
    found = long_lines(chapter(fits + "1", solution=True))
    assert [limit for _, _, limit, _ in found] == [SOLUTION_LIMIT]


@pytest.mark.skipif(ruff_version() == "missing", reason="ruff is not installed")
def test_the_formatter_fixes_what_it_can_and_is_idempotent():
    long_comment = "x = compute(a, b)  # " + "why " * 20
    long_string = 'print("' + "word " * 20 + '")'
    text = chapter(long_comment, long_string, "def f():\n    " + '"""' + "Doc " * 20 + '"""')
    once = format_chapter(text)
    assert long_lines(once) == []
    assert format_chapter(once) == once
    assert once.startswith("# T\n\n```{code-cell} ipython3\nimport os\n```\n")  # setup untouched


@pytest.mark.skipif(ruff_version() == "missing", reason="ruff is not installed")
def test_the_formatter_leaves_markers_magics_and_options_alone():
    solution = ("def f(x):\n    ### BEGIN SOLUTION\n    return x+1\n    ### END SOLUTION")
    magic = "%pip install -q something-with-a-very-long-name-that-goes-on-and-on-and-on-and-on"
    text = chapter(solution, magic, tags=":tags: [hide-input]\n\n")
    once = format_chapter(text)
    assert "    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION" in once
    assert magic in once and once.count(":tags: [hide-input]\n\n") == 2


def test_an_open_plotting_cell_fails():
    plot = "\n".join(["fig, ax = plt.subplots()"] + [f"ax.plot([{i}], [{i}])" for i in range(8)]
                     + ["plt.show()"])
    assert is_plotting_cell(plot)
    assert not is_plotting_cell("x = model(y)\nplt.plot(x)\nplt.show()")  # short: may stay open
    teaching = "\n".join([f"h{i} = layer{i}(h{i - 1})" for i in range(1, 12)]
                         + ["plt.plot(h9)", "plt.show()"])
    assert not is_plotting_cell(teaching)
    table = "\n".join(["rows = []"] + [f"rows.append(ax.text({i}))" for i in range(9)])
    assert not is_plotting_cell(table)  # draws nothing on the page
