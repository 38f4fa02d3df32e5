"""The student/teacher notebook generator (tools/make_notebooks.py) on a miniature book.

The fixture tests/book/fixtures/exercise_demo.md follows the exercise convention of CONTRIBUTING.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import colab_links
import make_notebooks as mn
import pytest
from support import ROOT

FIXTURE = ROOT / "tests" / "book" / "fixtures" / "exercise_demo.md"
URL = "https://github.com/elmo-mini/elmo-book"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """A book with one chapter, the fixture, and the repository's _config.yml."""
    (tmp_path / "book").mkdir()
    shutil.copy(ROOT / "_config.yml", tmp_path / "_config.yml")
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/exercise_demo\n")
    shutil.copy(FIXTURE, tmp_path / "book" / "exercise_demo.md")
    return tmp_path


def cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text())
    return [
        {"type": c["cell_type"], "source": "".join(c["source"]),
         "tags": c["metadata"].get("tags", []), **({"outputs": c["outputs"]} if "outputs" in c
                                                   else {})}
        for c in nb["cells"]
    ]


def run(book: Path, *args: str) -> subprocess.CompletedProcess:
    """``python tools/make_notebooks.py --root BOOK ARGS``, in this process (nbgrader, which the
    tool imports to stub the solutions, then loads once for the whole file)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = mn.main(["--root", str(book), *args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


def test_the_command_line(book: Path):
    """The script itself, as CI runs it."""
    script = [sys.executable, str(ROOT / "tools" / "make_notebooks.py"), "--root", str(book)]
    assert subprocess.run(script, check=False).returncode == 0
    done = subprocess.run([*script, "--check"], check=False, capture_output=True, text=True)
    assert done.returncode == 0 and "notebooks up to date (1 chapter)" in done.stdout


def test_stub_keeps_indentation_and_code_around_markers():
    source = ("def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n"
              "    ### END SOLUTION\n# after")
    assert mn.clear_solutions(source) == ("def f(x):\n    y = 1\n    # YOUR CODE HERE\n"
                                          "    raise NotImplementedError()\n# after")
    assert not mn.top_level_stub(source)
    assert mn.top_level_stub("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")


def test_cross_references_become_plain_text():
    """Jupyter does not know MyST roles; a notebook keeps the words a reader needs."""
    state = mn._State(student=True)
    text = ("See the appendix {doc}`for instructors <appendix_instructors>` and {doc}`glossary`; "
            "{numref}`Figure <char-cnn-fig>` shows it.")
    assert mn.transform_markdown(text, state, "x.md") == (
        "See the appendix for instructors and glossary; Figure shows it.")


@pytest.mark.parametrize("source", [
    "### BEGIN SOLUTION\nx = 1\n",  # no END
    "x = 1\n### END SOLUTION\n",  # no BEGIN
    "### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n",  # nested
])
def test_unbalanced_markers_are_an_error(source):
    with pytest.raises(mn.ConversionError, match="book/x.md: .*do not pair up"):
        mn.clear_solutions(source, "book/x.md")


def test_the_setup_cell_is_built_from_the_config_url(book: Path):
    assert mn.repository_url(book) == URL
    source = mn.setup_cell_source(URL)
    assert 'if "google.colab" in sys.modules or "ELMO_MINI_INSTALL" in os.environ:' in source
    assert f'"ELMO_MINI_INSTALL", "git+{URL}"' in source
    assert '%pip install -q "elmo-mini[book] @ {install_from}"' in source
    assert max(len(line) for line in source.splitlines()) <= 74  # fits the book's code column
    assert "torch" not in source.split("\n", 1)[1]  # never asks Colab to reinstall torch


def test_student_edition(book: Path):
    assert run(book).returncode == 0
    nb_path = book / "notebooks" / "exercise_demo.ipynb"
    nb = json.loads(nb_path.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert nb["metadata"]["elmo_mini"] == {  # where to make a change
        "source": "book/exercise_demo.md",
        "note": "Generated from book/exercise_demo.md by tools/make_notebooks.py: edit that "
                "file, not this notebook."}
    cs = cells(nb_path)
    text = nb_path.read_text()
    code = [c for c in cs if c["type"] == "code"]

    assert code[0]["source"] == mn.setup_cell_source(URL)
    assert all(c["outputs"] == [] for c in code)
    assert "BEGIN SOLUTION" not in text and "chars + [" not in text
    # the stub sits at the marker's indentation, the signature and docstring stay
    pad = next(c for c in code if c["source"].startswith("def pad_word"))
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()" in pad["source"]
    assert '"""The characters of' in pad["source"]
    assert "raises-exception" not in pad["tags"]  # defining the stub does not raise
    # the self-check stays, tagged so that nbmake runs on past it; its definition is not tagged
    check = next(c for c in code if c["source"] == "check_pad_word(pad_word)")
    assert check["tags"] == ["raises-exception"]
    assert next(c for c in code if c["source"].startswith("def check_pad_word"))["tags"] == []
    # a top-level stub raises when run: tagged too
    top = next(c for c in code if "n_chars" in c["source"])
    assert top["source"].startswith("# YOUR CODE HERE\nraise NotImplementedError()")
    assert top["tags"] == ["raises-exception"]
    # the written solution and the demonstration cell inside the solution are gone
    assert "negative repeat" not in text and 'pad_word(\\"playing\\", 3)' not in text
    # MyST directives become plain markdown
    assert "solution-start" not in text and "solution-end" not in text and "{exercise}" not in text
    assert "**Exercise 1**" in text and "**Exercise 2**" in text
    raw = "https://raw.githubusercontent.com/elmo-mini/elmo-book/main/figs/"
    assert f"![the char-CNN]({raw}char_cnn_playing.png)" in text  # Colab can fetch it
    assert "package's own version" in text  # text after the last solution is kept
    assert "prose guard" not in text  # a build-time check of the prose is not for students


def test_teacher_edition(book: Path, tmp_path: Path):
    teacher = tmp_path / "teacher"
    assert run(book, "--teacher", str(teacher)).returncode == 0
    text = (teacher / "exercise_demo.ipynb").read_text()
    assert "### BEGIN SOLUTION" in text and "chars + [" in text
    assert "negative repeat" in text and "**Solution**" in text
    assert "raises-exception" not in text and "NotImplementedError" not in text
    assert "solution-start" not in text
    assert "prose guard" not in text


def test_check_detects_stale_missing_extra_and_leaked(book: Path):
    assert run(book, "--check").returncode == 1  # nothing generated yet
    assert run(book).returncode == 0
    assert run(book, "--check").returncode == 0

    md = book / "book" / "exercise_demo.md"
    md.write_text(md.read_text().replace("in miniature", "in small"))
    result = run(book, "--check")
    assert result.returncode == 1 and "exercise_demo.ipynb: stale" in result.stderr
    assert run(book).returncode == 0 and run(book, "--check").returncode == 0

    (book / "notebooks" / "old.ipynb").write_text("{}")
    result = run(book, "--check")
    assert result.returncode == 1 and "old.ipynb" in result.stderr
    (book / "notebooks" / "old.ipynb").unlink()

    nb = book / "notebooks" / "exercise_demo.ipynb"
    nb.write_text(nb.read_text().replace("# YOUR CODE HERE", "### BEGIN SOLUTION", 1))
    result = run(book, "--check")
    assert result.returncode == 1 and "leaked" in result.stderr


def test_regenerating_changes_nothing(book: Path):
    assert run(book).returncode == 0
    first = (book / "notebooks" / "exercise_demo.ipynb").read_bytes()
    result = run(book)
    assert result.returncode == 0 and result.stdout == ""  # nothing rewritten
    assert (book / "notebooks" / "exercise_demo.ipynb").read_bytes() == first


def test_a_chapter_without_the_canonical_setup_cell_is_refused(book: Path):
    md = book / "book" / "exercise_demo.md"
    md.write_text(md.read_text().replace("elmo-mini/elmo-book", "someone/else"))
    result = run(book)
    assert result.returncode == 1 and "exercise_demo.md" in result.stderr
    assert "setup cell" in result.stderr
    assert run(book, "--insert-setup-cell", str(md)).returncode == 0
    assert md.read_text().count("google.colab") == 1
    assert run(book).returncode == 0


def test_the_url_lives_in_config_only(book: Path):
    config = book / "_config.yml"
    config.write_text(config.read_text().replace("elmo-mini/elmo-book", "fork/elmo-book"))
    result = run(book)
    assert result.returncode == 1 and "setup cell" in result.stderr
    assert "git+https://github.com/fork/elmo-book" in run(book, "--setup-cell").stdout


def test_insert_setup_cell_into_a_chapter_without_one(tmp_path: Path):
    md = tmp_path / "x.md"
    md.write_text("# Title\n\nText.\n\n```{code-cell} ipython3\nprint(1)\n```\n")
    assert mn.insert_setup_cell(md, URL)
    text = md.read_text()
    assert text.index("google.colab") < text.index("print(1)")
    assert not mn.insert_setup_cell(md, URL)  # idempotent


def test_colab_url():
    assert colab_links.colab_url(URL + ".git", "main", "notebooks/00_preface.ipynb") == (
        "https://colab.research.google.com/github/elmo-mini/elmo-book/blob/main/"
        "notebooks/00_preface.ipynb")
    with pytest.raises(ValueError):
        colab_links.colab_url("https://gitlab.com/a/b", "main", "x.ipynb")


def test_student_notebook_runs_to_the_end(book: Path):
    """The raises-exception tags let a notebook full of stubs run end to end (as nbmake does)."""
    nbclient = pytest.importorskip("nbclient")
    import nbformat

    assert run(book).returncode == 0
    nb = nbformat.read(book / "notebooks" / "exercise_demo.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3",
                            resources={"metadata": {"path": str(book / "notebooks")}}).execute()
    errors = [o["ename"] for c in nb.cells if c.cell_type == "code"
              for o in c.outputs if o["output_type"] == "error"]
    assert errors == ["NotImplementedError", "NotImplementedError"]


@pytest.mark.slow
def test_the_convention_renders_in_jupyter_book(book: Path):
    """In the built book, the solution's code runs inside the gated dropdown, the check after it."""
    jb = Path(sys.executable).parent / "jupyter-book"
    if not jb.exists():
        pytest.skip("jupyter-book is not installed next to this python")
    shutil.copytree(ROOT / "tools", book / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "figs", book / "figs")
    assert run(book).returncode == 0
    result = subprocess.run([str(jb), "build", str(book), "-W", "--keep-going"],
                            check=False, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = (book / "_build" / "html" / "book" / "exercise_demo.html").read_text()
    solution = html.index('class="solution dropdown admonition"')
    assert html.index('class="nf">pad_word<') > solution  # the code sits inside the dropdown
    assert "check_pad_word: passed" in html  # the solution was executed and passes its check
    assert "notebooks/exercise_demo.ipynb" in html  # Colab badge/button


def nbgrader_cells(path: Path) -> list[dict]:
    return [{**c, "nbgrader": raw["metadata"]["nbgrader"]}
            for c, raw in zip(cells(path), json.loads(path.read_text())["cells"])]


def test_nbgrader_edition(book: Path, tmp_path: Path):
    """Answer cells keep their solution; checks are 1-point locked test cells; the rest locked."""
    source = tmp_path / "course" / "source"
    assert run(book, "--nbgrader", str(source)).returncode == 0
    path = source / "exercise_demo" / "exercise_demo.ipynb"  # source/<assignment>/<notebook>
    cs = nbgrader_cells(path)
    by_id = {c["nbgrader"]["grade_id"]: c for c in cs}
    assert len(by_id) == len(cs)  # one grade_id per cell, all distinct
    assert all(c["nbgrader"]["schema_version"] == 3 for c in cs)

    answer = by_id["solution-pad_word"]
    assert "### BEGIN SOLUTION\n    chars = list(word)" in answer["source"]
    assert answer["nbgrader"] == {"schema_version": 3, "grade": False, "solution": True,
                                  "locked": False, "grade_id": "solution-pad_word"}
    assert by_id["solution-n_chars"]["nbgrader"]["solution"]  # a top-level answer: its name
    check = by_id["check-pad_word"]
    assert check["source"] == "check_pad_word(pad_word)"
    assert check["nbgrader"] == {"schema_version": 3, "grade": True, "solution": False,
                                 "locked": True, "points": 1, "grade_id": "check-pad_word"}
    others = [c for c in cs if c["nbgrader"]["grade_id"].startswith("cell-")]
    assert len(others) == len(cs) - 3
    assert all(c["nbgrader"]["locked"] and not c["nbgrader"]["grade"]
               and not c["nbgrader"]["solution"] for c in others)
    # the definition of the check and the setup cell are locked, not graded
    assert any(c["source"].startswith("def check_pad_word") for c in others)
    assert any("google.colab" in c["source"] for c in others)


def test_nbgrader_edition_is_the_student_edition_with_the_solutions(book: Path, tmp_path: Path):
    """Same cells and tags as the student edition: stubbing the answers gives it back exactly."""
    assert run(book, "--nbgrader", str(tmp_path / "source")).returncode == 0
    assert not (book / "notebooks").exists()  # one edition a run
    assert run(book, "--edition", "student").returncode == 0
    graded = cells(tmp_path / "source" / "exercise_demo" / "exercise_demo.ipynb")
    student = cells(book / "notebooks" / "exercise_demo.ipynb")
    assert [(c["type"], mn.clear_solutions(c["source"]), c["tags"]) for c in graded] == [
        (c["type"], c["source"], c["tags"]) for c in student]
    text = (tmp_path / "source" / "exercise_demo" / "exercise_demo.ipynb").read_text()
    assert "negative repeat" not in text and "**Solution**" not in text  # the written answer
    assert 'pad_word(\\"playing\\", 3)' not in text  # the demonstration inside the solution


def test_nbgrader_metadata_passes_nbgrader_validation(book: Path, tmp_path: Path):
    nbgrader_format = pytest.importorskip("nbgrader.nbgraderformat")
    import nbformat

    assert run(book, "--nbgrader", str(tmp_path)).returncode == 0
    nb = nbformat.read(tmp_path / "exercise_demo" / "exercise_demo.ipynb", as_version=4)
    nbgrader_format.MetadataValidator().validate_nb(nb)  # raises on a bad or duplicate cell
    nb.cells[2].metadata["nbgrader"]["grade_id"] = nb.cells[1].metadata["nbgrader"]["grade_id"]
    with pytest.raises(nbgrader_format.ValidationError, match="Duplicate grade id"):
        nbgrader_format.MetadataValidator().validate_nb(nb)


def test_nbgrader_refuses_a_check_inside_an_answer_cell(book: Path, tmp_path: Path):
    md = book / "book" / "exercise_demo.md"
    md.write_text(md.read_text().replace("    ### END SOLUTION\n```",
                                         "    ### END SOLUTION\ncheck_pad_word(pad_word)\n```", 1))
    result = run(book, "--nbgrader", str(tmp_path / "source"))
    assert result.returncode == 1
    assert "exercise_demo.md" in result.stderr and "both a solution" in result.stderr
    assert "cell of its own" in result.stderr  # says how to fix it


def test_one_edition_a_run_and_the_shorthands(book: Path, tmp_path: Path):
    """``--teacher DIR`` is ``--edition teacher --out DIR``; an edition other than the student
    one needs a folder of its own, and two different editions at once are refused."""
    assert run(book, "--teacher", str(tmp_path / "a")).returncode == 0
    assert run(book, "--edition", "teacher", "--out", str(tmp_path / "b")).returncode == 0
    assert ((tmp_path / "a" / "exercise_demo.ipynb").read_bytes()
            == (tmp_path / "b" / "exercise_demo.ipynb").read_bytes())
    assert not (book / "notebooks").exists()
    result = run(book, "--edition", "nbgrader")
    assert result.returncode == 1 and "--out DIR" in result.stderr
    result = run(book, "--edition", "teacher", "--nbgrader", str(tmp_path / "c"))
    assert result.returncode == 1 and "contradicts" in result.stderr
