"""Generate the student notebooks ``notebooks/*.ipynb`` from the book's MyST sources ``book/*.md``.

    python tools/make_notebooks.py                  # write notebooks/ (student edition)
    python tools/make_notebooks.py --check          # fail if notebooks/ is stale or leaks a solution
    python tools/make_notebooks.py --edition teacher --out DIR   # or: --teacher DIR
    python tools/make_notebooks.py --edition nbgrader --out DIR  # or: --nbgrader DIR (DIR/NN/NN.ipynb)
    python tools/make_notebooks.py --setup-cell     # print the canonical first code cell
    python tools/make_notebooks.py --insert-setup-cell book/NN_name.md

Only chapters listed in ``_toc.yml`` that are jupytext notebooks (a ``kernelspec`` in the front
matter) are converted, one edition (:class:`Edition`) a run. The student edition:

* replaces the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` (inclusive) in every code
  cell by ``# YOUR CODE HERE`` / ``raise NotImplementedError()`` at the marker's indentation
  (nbgrader's own ``ClearSolutions``, so it is what ``nbgrader generate_assignment`` releases);
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
* has no outputs and a ``python3`` kernelspec;
* says in its metadata which file to edit: ``metadata["elmo_mini"]["source"]`` is
  ``book/NN_name.md``, with a one-line note (every edition).

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
import enum
import functools
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import myst_cells
import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
# a self-check call such as checks.check_x(fn), not its def
CHECK_CALL = re.compile(r"(?<!def )\bcheck_(?P<name>\w+)\(")
DIRECTIVE = re.compile(r"^(?P<indent>\s*)(?P<fence>:{3,}|`{3,})\{(?P<name>[\w-]+)\}\s*(?P<arg>.*)$")
OPTION = re.compile(r"^\s*:(?P<key>[\w-]+):\s*(?P<value>.*)$")
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


class ConversionError(ValueError):
    """A chapter breaks the exercise conventions (see CONTRIBUTING.md)."""


class Edition(enum.Enum):
    """Which notebooks a run writes (``--edition``; CONTRIBUTING.md describes each)."""

    STUDENT = "student"  # solutions stubbed, notebooks/ (committed; Colab opens them)
    TEACHER = "teacher"  # solutions and their written explanations kept, no stubs
    NBGRADER = "nbgrader"  # the student edition's cells, solutions kept, nbgrader's metadata


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


@functools.lru_cache(maxsize=1)
def _clear_solutions():
    """nbgrader's ClearSolutions preprocessor, with its default stub for python (imported on first
    use: nbgrader takes seconds to import, and colab_links.py imports this module)."""
    from nbgrader.preprocessors.clearsolutions import ClearSolutions

    return ClearSolutions(enforce_metadata=False)  # cells are marked later, if at all


def clear_solutions(source: str, where: str = "") -> str:
    """``source`` with each marked solution replaced by nbgrader's stub, at the marker's indent.

    The stub is what ``nbgrader generate_assignment`` puts in a released notebook:
    ``# YOUR CODE HERE`` / ``raise NotImplementedError()``.
    """
    cell = nbformat.v4.new_code_cell(source)
    try:
        if source.count("END SOLUTION") != source.count("BEGIN SOLUTION"):
            raise RuntimeError("as many END as BEGIN markers expected")
        _clear_solutions().preprocess_cell(cell, {"language": "python"}, 0)
    except RuntimeError as err:
        raise ConversionError(
            f"{where}: solution markers that do not pair up in a code cell ({err}): each "
            f"{BEGIN!r} needs an {END!r} after it, without another marker between") from None
    return cell.source


def top_level_stub(source: str) -> bool:
    """A solution marked at indentation 0: its stub raises when the cell runs."""
    return any(line.startswith(BEGIN) for line in source.split("\n"))


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


def _code_cell(cell: nbformat.NotebookNode, state: _State, edition: Edition,
               where: str) -> nbformat.NotebookNode | None:
    """A chapter's code cell in ``edition`` (None: left out of it)."""
    tags = list(cell.metadata.get("tags", []))
    if "prose-guard" in tags:
        return None  # a prose guard checks the book's text at build time (CONTRIBUTING.md)
    text = cell.source
    stubbed = clear_solutions(text, where)  # every edition: the markers must pair up
    if edition is not Edition.TEACHER:
        if state.in_solution and not has_markers(text):
            return None  # a demonstration inside the solution: part of the answer
        if top_level_stub(text) or CHECK_CALL.search(stubbed):
            tags.append("raises-exception")  # in the nbgrader edition: once released
        if edition is Edition.STUDENT:
            text = stubbed
    new = nbformat.v4.new_code_cell(text)
    if tags:
        new.metadata["tags"] = sorted(set(tags), key=tags.index)
    return new


def _check_setup_cell(source_nb: nbformat.NotebookNode, url: str, where: str) -> None:
    code_cells = [c for c in source_nb.cells if c.cell_type == "code"]
    if not code_cells or code_cells[0].source.strip() != setup_cell_source(url):
        raise ConversionError(
            f"{where}: the first code cell must be the canonical setup cell "
            f"(run `python tools/make_notebooks.py --insert-setup-cell {where}`)"
        )


def source_metadata(path: Path, root: Path = ROOT) -> dict[str, str]:
    """``metadata["elmo_mini"]`` of a generated notebook: the chapter to edit instead of it."""
    source = path.resolve().relative_to(root.resolve()).as_posix()
    return {"source": source,
            "note": f"Generated from {source} by tools/make_notebooks.py: edit that file, "
                    "not this notebook."}


def convert(path: Path, url: str, edition: Edition = Edition.STUDENT,
            figs: str = "../figs/", root: Path = ROOT) -> nbformat.NotebookNode:
    """The notebook of ``edition`` made from the MyST chapter at ``path`` (under ``root``).

    ``figs`` replaces ``../figs/`` in image links (the raw GitHub address, so Colab shows them).
    The nbgrader edition has the student edition's cells and tags but not its stubs: the
    solutions stay, and :func:`add_nbgrader_metadata` marks the cells.
    """
    where = str(path)
    source_nb = myst_cells.read(path)
    _check_setup_cell(source_nb, url, where)
    state = _State(student=edition is not Edition.TEACHER)
    cells = []
    for cell in source_nb.cells:
        if cell.cell_type == "markdown":
            text = transform_markdown(cell.source, state, where, figs)
            new = nbformat.v4.new_markdown_cell(text) if text.strip() else None
        elif cell.cell_type == "code":
            new = _code_cell(cell, state, edition, where)
        else:
            new = None
        if new is not None:
            cells.append(new)
    if state.in_solution:
        raise ConversionError(f"{where}: {{solution-start}} without {{solution-end}}")

    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"},
                   "elmo_mini": source_metadata(path, root)}
    _stable_ids(nb, path.stem)
    if edition is Edition.NBGRADER:
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


def expected(root: Path = ROOT, edition: Edition = Edition.STUDENT) -> dict[str, str]:
    """Relative file name -> text of every notebook of ``edition``.

    The nbgrader edition is laid out as a course's ``source/`` folder: ``NN_name/NN_name.ipynb``,
    one assignment per chapter, named after it.
    """
    url, figs = repository_url(root), figures_url(root)
    notebooks = {}
    for path in chapters(root):
        name = f"{path.stem}.ipynb"
        if edition is Edition.NBGRADER:
            name = f"{path.stem}/{name}"
        notebooks[name] = render(convert(path, url, edition, figs, root))
    return notebooks


def expected_nbgrader(root: Path = ROOT) -> dict[str, str]:
    """The nbgrader edition (what ``tests/book/test_nbgrader.py`` hands to nbgrader)."""
    return expected(root, Edition.NBGRADER)


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
    first = myst_cells.CODE_CELL.search(text)
    if first and "google.colab" in first.group(0):
        end = first.end() + text.startswith("\n", first.end())  # the fence's newline too
        new = text[: first.start()] + block + text[end:]
    elif first:
        new = text[: first.start()] + block + "\n" + text[first.start():]
    else:
        new = text.rstrip("\n") + "\n\n" + block
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's root (default: repo)")
    parser.add_argument("--edition", choices=[e.value for e in Edition], default="student",
                        help="which notebooks to write (default: student)")
    parser.add_argument("--out", type=Path, metavar="DIR",
                        help="where to write them (default for the student edition: "
                             "ROOT/notebooks; required for the others)")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the student notebooks are stale or hold a solution")
    parser.add_argument("--teacher", type=Path, metavar="DIR",
                        help="short for --edition teacher --out DIR (solutions kept)")
    parser.add_argument("--nbgrader", type=Path, metavar="DIR",
                        help="short for --edition nbgrader --out DIR: nbgrader source notebooks "
                             "DIR/NN_name/NN_name.ipynb (DIR: a course's source/ folder)")
    parser.add_argument("--setup-cell", action="store_true",
                        help="print the canonical setup cell (MyST) and exit")
    parser.add_argument("--insert-setup-cell", type=Path, nargs="+", metavar="MD",
                        help="insert (or fix) the canonical setup cell in these chapters")
    return parser


def _edition_and_out(args: argparse.Namespace, root: Path) -> tuple[Edition, Path]:
    """The one edition this run writes, and where; ``--teacher``/``--nbgrader`` are shorthands."""
    edition, out = Edition(args.edition), args.out
    for shorthand in (Edition.TEACHER, Edition.NBGRADER):
        folder = getattr(args, shorthand.value)
        if folder is not None:
            if edition is not Edition.STUDENT and edition is not shorthand:
                raise ConversionError(f"--{shorthand.value} DIR contradicts --edition {edition.value}")
            edition, out = shorthand, folder
    if out is None and edition is not Edition.STUDENT:
        raise ConversionError(f"the {edition.value} edition needs a folder: --out DIR "
                              "(keep it away from notebooks/, which students see)")
    return edition, out or root / "notebooks"


def _run_check(root: Path, out_dir: Path) -> int:
    problems = check(root, out_dir)
    for problem in problems:
        print("make_notebooks --check:", problem, file=sys.stderr)
    if problems:
        print("fix: python tools/make_notebooks.py", file=sys.stderr)
        return 1
    n = len(chapters(root))
    print(f"notebooks up to date ({n} chapter{'' if n == 1 else 's'})")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    root = args.root.resolve()
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
        edition, out_dir = _edition_and_out(args, root)
        if args.check:
            return _run_check(root, out_dir)
        write(out_dir, expected(root, edition))
    except ConversionError as err:
        print("make_notebooks:", err, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
