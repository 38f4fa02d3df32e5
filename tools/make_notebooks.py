"""Generate the student notebooks ``notebooks/*.ipynb`` from the book's MyST sources ``book/*.md``.

    python tools/make_notebooks.py                  # write notebooks/ (student edition)
    python tools/make_notebooks.py --check          # fail if notebooks/ is stale or leaks a solution
    python tools/make_notebooks.py --teacher DIR    # write the teacher edition (solutions kept)
    python tools/make_notebooks.py --nbgrader DIR   # write nbgrader source notebooks DIR/NN/NN.ipynb
    python tools/make_notebooks.py --setup-cell     # print the canonical first code cell
    python tools/make_notebooks.py --insert-setup-cell book/NN_name.md

Only chapters listed in ``_toc.yml`` that are jupytext notebooks (a ``kernelspec`` in the front
matter) are converted. The student edition:

* replaces the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` (inclusive) in every code
  cell by ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` at the marker's indentation;
* drops everything else between a ``{solution-start}`` and its ``{solution-end}`` directive (the
  written explanation, and code cells without markers); code cells with markers stay, stubbed;
* turns ``{exercise}`` and ``{figure}`` directives into plain markdown (Jupyter and Colab do not
  render MyST directives) and drops ``{tableofcontents}``; images in ``../figs/`` are linked from
  the repository on GitHub (raw.githubusercontent.com), where Colab can fetch them;
* tags ``raises-exception`` the self-check cells (``check_...(``) and the cells whose stub runs at
  top level, so that ``pytest --nbmake notebooks/`` runs every notebook to the end;
* keeps only the text of the cross-reference roles ``{doc}``, ``{ref}`` and ``{numref}``;
* drops the cells tagged ``prose-guard`` (both editions): hidden cells that check, at build time,
  a claim the prose makes about the shipped model;
* has no outputs and a ``python3`` kernelspec.

The nbgrader edition (``--nbgrader DIR``, for a course's ``source/`` folder) has the cells of the
student edition with the solutions left in and nbgrader's cell metadata (schema version 3): each
code cell with solution markers is an "autograded answer" (``grade_id`` ``solution-<function>``),
each self-check cell a locked "autograder tests" cell worth 1 point (``check-<name>``), every other
cell read-only. ``nbgrader generate_assignment`` then makes the student version (the same stubs as
the student edition) and ``nbgrader autograde`` scores a submission one point per passed check.

Every chapter's first code cell must be the canonical setup cell (``--setup-cell``), built from
``repository.url`` in ``_config.yml``: the repository URL is written in that one place only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
# a self-check call such as checks.check_x(fn), not its def
CHECK_CALL = re.compile(r"(?<!def )\bcheck_(?P<name>\w+)\(")
DIRECTIVE = re.compile(r"^(?P<indent>\s*)(?P<fence>:{3,}|`{3,})\{(?P<name>[\w-]+)\}\s*(?P<arg>.*)$")
OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


class ConversionError(ValueError):
    """A chapter breaks the exercise conventions (see CONTRIBUTING.md)."""


# ---------------------------------------------------------------------------- configuration


def load_config(root: Path = ROOT) -> dict:
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))


def repository_url(root: Path = ROOT) -> str:
    """``repository.url`` from ``_config.yml``, without a trailing slash or ``.git``."""
    url = str(load_config(root)["repository"]["url"]).rstrip("/")
    return url.removesuffix(".git")


def figures_url(root: Path = ROOT) -> str:
    """Where Colab can fetch ``figs/`` (it cannot see the repository's files next to a notebook)."""
    config = load_config(root)
    owner_repo = repository_url(root).removeprefix("https://github.com/")
    branch = config["repository"].get("branch", "main")
    return f"https://raw.githubusercontent.com/{owner_repo}/{branch}/figs/"


def setup_cell_source(url: str) -> str:
    """The canonical first code cell of every chapter.

    In Colab it installs elmo_mini (and keeps Colab's own torch); elsewhere it does nothing. The
    environment variable ``ELMO_MINI_INSTALL`` (a pip direct reference such as
    ``file:///path/to/elmo_mini.whl`` or ``git+https://github.com/a-fork/elmo-book``) makes the
    same cell install from there, on any machine: the Colab stand-in test uses it to install the
    local checkout instead of the published repository. Every line fits the book's code column.
    """
    return (
        "# Colab: install elmo_mini (keeps Colab's own torch). Elsewhere: nothing.\n"
        "# ELMO_MINI_INSTALL=<pip URL or file:// path> installs from there.\n"
        "import os\n"
        "import sys\n"
        "\n"
        "install_from = os.environ.get(\n"
        f'    "ELMO_MINI_INSTALL", "git+{url}"\n'
        ")\n"
        'if "google.colab" in sys.modules or "ELMO_MINI_INSTALL" in os.environ:\n'
        '    %pip install -q "elmo-mini[book] @ {install_from}"'
    )


def setup_cell_myst(url: str) -> str:
    return "```{code-cell} ipython3\n" + setup_cell_source(url) + "\n```\n"


def toc_files(root: Path = ROOT) -> list[Path]:
    """The ``.md`` files listed in ``_toc.yml``, in book order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    names.append(node[key])
            for value in node.values():
                if isinstance(value, (list, dict)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    paths = []
    for name in names:
        path = root / (name if name.endswith(".md") else name + ".md")
        if path.exists():
            paths.append(path)
    return paths


def is_notebook(path: Path) -> bool:
    """A MyST file with a ``kernelspec`` in its front matter is a jupytext notebook."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    front = text.split("\n---", 1)[0]
    return "kernelspec:" in front


# ---------------------------------------------------------------------------- code cells


def stub_solutions(source: str, where: str = "") -> tuple[str, bool, bool]:
    """Replace each marked solution by a stub.

    Returns ``(new_source, stubbed, top_level)``: whether any stub was made, and whether one sits
    at indentation 0 (so running the cell raises NotImplementedError).
    """
    out: list[str] = []
    inside = False
    stubbed = top_level = False
    for number, line in enumerate(source.split("\n"), 1):
        stripped = line.strip()
        if stripped.startswith(BEGIN):
            if inside:
                raise ConversionError(f"{where}: nested {BEGIN!r} at line {number} of a cell")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub for stub in STUB)
            stubbed = True
            top_level = top_level or indent == ""
        elif stripped.startswith(END):
            if not inside:
                raise ConversionError(f"{where}: {END!r} without {BEGIN!r} (line {number})")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ConversionError(f"{where}: {BEGIN!r} without {END!r}")
    return "\n".join(out), stubbed, top_level


def has_markers(source: str) -> bool:
    return any(line.strip().startswith(BEGIN) for line in source.split("\n"))


# ---------------------------------------------------------------------------- markdown cells


@dataclass
class _State:
    """Carried from cell to cell: gated solutions span several cells."""

    in_solution: bool = False
    student: bool = True
    exercises: int = 0


def _directive_block(lines: list[str], start: int) -> tuple[dict, list[str], int]:
    """Parse the directive opening at ``lines[start]``: (options, body lines, index after it)."""
    match = DIRECTIVE.match(lines[start])
    assert match
    fence = match["fence"]
    options: dict[str, str] = {}
    body: list[str] = []
    i = start + 1
    while i < len(lines) and OPTION.match(lines[i]) and not body:
        option = OPTION.match(lines[i])
        options[option["key"]] = option["value"].strip()
        i += 1
    while i < len(lines) and lines[i].strip() != fence:
        body.append(lines[i])
        i += 1
    if i == len(lines):
        raise ConversionError(f"directive {{{match['name']}}} is not closed by {fence!r}")
    return options, body, i + 1


def _exercise_md(number: int, arg: str, body: list[str]) -> list[str]:
    """Exercises are numbered in order within a chapter, as sphinx-exercise numbers them."""
    title = f"**Exercise {number}: {arg.strip()}**" if arg.strip() else f"**Exercise {number}**"
    return [title, "", *body]


def _figure_md(arg: str, options: dict, body: list[str]) -> list[str]:
    caption = " ".join(line.strip() for line in body if line.strip())
    alt = options.get("alt") or caption or Path(arg).stem
    lines = [f"![{alt}]({arg.strip()})"]
    if caption:
        lines += ["", f"*{caption}*"]
    return lines


FIG_LINK = re.compile(r"\]\(\.\./figs/")
# a MyST cross-reference such as {doc}`for instructors <appendix_instructors>` or a glossary
# {term}: Jupyter shows it raw, so a notebook keeps only its text ("for instructors") or,
# without one, its target
XREF = re.compile(r"\{(?:doc|ref|numref|term)\}`(?P<text>[^`<]*?)\s*(?:<(?P<target>[^>`]+)>)?`")


def transform_markdown(text: str, state: _State, where: str, figs: str = "../figs/") -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = DIRECTIVE.match(lines[i])
        name = match["name"] if match else None
        if name in ("solution-start", "solution-end", "exercise", "figure", "tableofcontents"):
            try:
                options, body, after = _directive_block(lines, i)
            except ConversionError as err:
                raise ConversionError(f"{where}: {err}") from None
            if name == "solution-start":
                if state.in_solution:
                    raise ConversionError(f"{where}: {{solution-start}} inside a solution")
                state.in_solution = True
                if not state.student:
                    out += ["**Solution**", ""]
            elif name == "solution-end":
                if not state.in_solution:
                    raise ConversionError(f"{where}: {{solution-end}} without {{solution-start}}")
                state.in_solution = False
            elif (state.in_solution and state.student) or name == "tableofcontents":
                pass  # a table of contents only makes sense in the book
            elif name == "exercise":
                state.exercises += 1
                out += _exercise_md(state.exercises, match["arg"], body)
            else:
                out += _figure_md(match["arg"], options, body)
            i = after
            continue
        if not (state.in_solution and state.student):
            out.append(lines[i])
        i += 1
    # squeeze the blank lines left where directives were removed
    squeezed: list[str] = []
    for line in out:
        if line.strip() == "" and (not squeezed or squeezed[-1].strip() == ""):
            continue
        squeezed.append(line)
    while squeezed and squeezed[-1].strip() == "":
        squeezed.pop()
    text = XREF.sub(lambda m: m["text"], "\n".join(squeezed))
    return FIG_LINK.sub(lambda _: "](" + figs, text)


# ---------------------------------------------------------------------------- notebooks


def convert(path: Path, url: str, student: bool = True,
            figs: str = "../figs/", nbgrader: bool = False) -> nbformat.NotebookNode:
    """The student (or teacher) edition of the MyST notebook at ``path``.

    ``figs`` replaces ``../figs/`` in image links (the raw GitHub address, so Colab shows them).
    ``nbgrader=True`` (with ``student=True``) keeps the student edition's cells and tags but not
    its stubs: the solutions stay, and :func:`add_nbgrader_metadata` marks the cells.
    """
    where = str(path)
    source_nb = jupytext.read(path, fmt="md:myst")
    code_cells = [c for c in source_nb.cells if c.cell_type == "code"]
    if not code_cells or code_cells[0].source.strip() != setup_cell_source(url):
        raise ConversionError(
            f"{where}: the first code cell must be the canonical setup cell "
            f"(run `python tools/make_notebooks.py --insert-setup-cell {where}`)"
        )
    state = _State(student=student)
    cells = []
    for cell in source_nb.cells:
        tags = list(cell.metadata.get("tags", []))
        if cell.cell_type == "markdown":
            text = transform_markdown(cell.source, state, where, figs)
            if text.strip():
                cells.append(nbformat.v4.new_markdown_cell(text))
            continue
        if cell.cell_type != "code" or "prose-guard" in tags:
            continue  # a prose guard checks the book's text at build time (CONTRIBUTING.md)
        text = cell.source
        if student:
            if state.in_solution and not has_markers(text):
                continue  # a demonstration inside the solution: part of the answer
            stubbed, _, top_level = stub_solutions(text, where)
            if top_level or CHECK_CALL.search(stubbed):
                tags.append("raises-exception")  # in the nbgrader edition: once released
            if not nbgrader:
                text = stubbed
        else:
            stub_solutions(text, where)  # the teacher edition keeps them, but they must balance
        new = nbformat.v4.new_code_cell(text)
        if tags:
            new.metadata["tags"] = sorted(set(tags), key=tags.index)
        cells.append(new)
    if state.in_solution:
        raise ConversionError(f"{where}: {{solution-start}} without {{solution-end}}")

    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    _stable_ids(nb, path.stem)
    if nbgrader:
        add_nbgrader_metadata(nb, where)
    return nb


NBGRADER_SCHEMA = 3
# what an answer cell defines: its function, else the first name it assigns at top level
DEF_NAME = re.compile(r"^\s*def (?P<name>\w+)\(|^(?P<var>[A-Za-z_]\w*)\s*=", re.MULTILINE)


def add_nbgrader_metadata(nb: nbformat.NotebookNode, where: str = "") -> None:
    """Mark the cells of a notebook (solutions kept) the way nbgrader's Create Assignment does.

    A code cell with solution markers becomes an autograded answer (``solution-<function>``, or
    the first name it assigns); a self-check cell a locked test cell worth one point
    (``check-<name>``); every other cell is read-only (``cell-<id>``: nbgrader wants a
    ``grade_id`` on locked cells too). A cell that holds both a solution and a check is refused:
    the student could edit the check, and nbgrader would grade the answer cell, not the check.
    """
    seen: set[str] = set()

    def unique(grade_id: str) -> str:
        candidate, n = grade_id, 1
        while candidate in seen:
            n += 1
            candidate = f"{grade_id}-{n}"
        seen.add(candidate)
        return candidate

    for cell in nb.cells:
        solution = cell.cell_type == "code" and has_markers(cell.source)
        check = cell.cell_type == "code" and CHECK_CALL.search(cell.source)
        if solution and check:
            raise ConversionError(
                f"{where}: a code cell holds both a solution ({BEGIN!r}) and a self-check "
                f"({check.group(0)!r}...): put the check in a cell of its own after the solution, "
                "so that nbgrader can lock and grade it"
            )
        meta = {"schema_version": NBGRADER_SCHEMA, "grade": False, "solution": False,
                "locked": True}
        if solution:
            defined = DEF_NAME.search(cell.source)
            name = (defined["name"] or defined["var"]) if defined else cell.id
            meta.update(solution=True, locked=False, grade_id=unique(f"solution-{name}"))
        elif check:
            meta.update(grade=True, points=1, grade_id=unique(f"check-{check['name']}"))
        else:
            meta["grade_id"] = unique(f"cell-{cell.id}")
        cell.metadata["nbgrader"] = meta


def _stable_ids(nb: nbformat.NotebookNode, stem: str) -> None:
    """Cell ids from content, so regenerating an unchanged chapter changes nothing."""
    seen: set[str] = set()
    for cell in nb.cells:
        digest = hashlib.sha1(f"{stem}\0{cell.cell_type}\0{cell.source}".encode()).hexdigest()
        cell_id, n = digest[:12], 1
        while cell_id in seen:
            cell_id, n = f"{digest[:12]}-{n}", n + 1
        seen.add(cell_id)
        cell.id = cell_id


def render(nb: nbformat.NotebookNode) -> str:
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def chapters(root: Path = ROOT) -> list[Path]:
    return [p for p in toc_files(root) if is_notebook(p)]


def expected(root: Path = ROOT, student: bool = True) -> dict[str, str]:
    """File name -> text of every notebook of an edition."""
    url, figs = repository_url(root), figures_url(root)
    return {f"{p.stem}.ipynb": render(convert(p, url, student, figs)) for p in chapters(root)}


def expected_nbgrader(root: Path = ROOT) -> dict[str, str]:
    """``NN_name/NN_name.ipynb`` -> text: one nbgrader assignment per chapter, named after it."""
    url, figs = repository_url(root), figures_url(root)
    return {f"{p.stem}/{p.stem}.ipynb": render(convert(p, url, True, figs, nbgrader=True))
            for p in chapters(root)}


def write(out_dir: Path, notebooks: dict[str, str]) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in notebooks.items():
        path = out_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print("wrote", path)


def check(root: Path, out_dir: Path) -> list[str]:
    """Problems with ``out_dir`` (empty when it is up to date and holds no solution)."""
    problems = []
    want = expected(root)
    for name, text in want.items():
        path = out_dir / name
        if not path.exists():
            problems.append(f"{path}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{path}: stale (book/{Path(name).stem}.md changed)")
    for path in sorted(out_dir.glob("*.ipynb")):
        if path.name not in want:
            problems.append(f"{path}: no chapter in _toc.yml produces it (delete it)")
        if _leaks(path):
            problems.append(f"{path}: holds {BEGIN!r}: a solution leaked into the student edition")
    return problems


def _leaks(path: Path) -> bool:
    """A code cell of the notebook still holds a solution marker (prose may mention it)."""
    text = path.read_text(encoding="utf-8")
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):  # not a notebook: --check reports it anyway
        return BEGIN in text
    return any(
        isinstance(c, dict) and c.get("cell_type") == "code"
        and has_markers("".join(c.get("source", [])) if isinstance(c.get("source"), list)
                        else str(c.get("source", "")))
        for c in cells
    )


def insert_setup_cell(path: Path, url: str) -> bool:
    """Put the canonical setup cell first among the code cells of ``path``; True if changed."""
    text = path.read_text(encoding="utf-8")
    block = setup_cell_myst(url)
    first = re.search(r"^```\{code-cell\}[^\n]*\n.*?^```[ \t]*\n?", text, re.MULTILINE | re.DOTALL)
    if first and "google.colab" in first.group(0):
        new = text[: first.start()] + block + text[first.end():]
    elif first:
        new = text[: first.start()] + block + "\n" + text[first.start():]
    else:
        new = text.rstrip("\n") + "\n\n" + block
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's root (default: repo)")
    parser.add_argument("--out", type=Path, help="student notebooks (default: ROOT/notebooks)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the student notebooks are stale or hold a solution")
    parser.add_argument("--teacher", type=Path, metavar="DIR",
                        help="write the teacher edition (solutions kept) to DIR")
    parser.add_argument("--nbgrader", type=Path, metavar="DIR",
                        help="write nbgrader source notebooks to DIR/NN_name/NN_name.ipynb "
                             "(DIR: a course's source/ folder)")
    parser.add_argument("--setup-cell", action="store_true",
                        help="print the canonical setup cell (MyST) and exit")
    parser.add_argument("--insert-setup-cell", type=Path, nargs="+", metavar="MD",
                        help="insert (or fix) the canonical setup cell in these chapters")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    out_dir = args.out or root / "notebooks"
    try:
        if args.setup_cell:
            print(setup_cell_myst(repository_url(root)), end="")
            return 0
        if args.insert_setup_cell:
            for path in args.insert_setup_cell:
                if not is_notebook(path):
                    print(f"skipped {path} (not a MyST notebook: no kernelspec)")
                    continue
                changed = insert_setup_cell(path, repository_url(root))
                print(("updated " if changed else "unchanged ") + str(path))
            return 0
        if args.check:
            problems = check(root, out_dir)
            for problem in problems:
                print("make_notebooks --check:", problem, file=sys.stderr)
            if problems:
                print("fix: python tools/make_notebooks.py", file=sys.stderr)
                return 1
            n = len(chapters(root))
            print(f"notebooks up to date ({n} chapter{'' if n == 1 else 's'})")
            return 0
        write(out_dir, expected(root, student=True))
        if args.teacher:
            write(args.teacher, expected(root, student=False))
        if args.nbgrader:
            write(args.nbgrader, expected_nbgrader(root))
    except ConversionError as err:
        print("make_notebooks:", err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
