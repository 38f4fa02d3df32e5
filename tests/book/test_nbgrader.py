"""nbgrader itself on the nbgrader edition (``tools/make_notebooks.py --nbgrader``), as a course runs it.

In a temporary course directory (``nbgrader_config.py``, ``source/<chapter>/<chapter>.ipynb``)
every chapter is released with ``generate_assignment`` (the command line for the first, then
nbgrader's Python API ``NbGraderAPI``, which its web UI runs) and must come out as the student
edition (a few seconds: not ``slow``). Then, on three chapters, ``autograde`` (the API) of three
submissions the test makes from the released notebook:

* ``solutions``: every answer cell gets the book's solution back -> every check's point;
* ``stubs``: the released notebook untouched -> 0 points for every exercise;
* ``wrong``: the solutions, except one plausible mistake per chapter -> only that exercise's
  check loses its point.

The scores are read from nbgrader's gradebook and printed (``pytest -s`` shows them). Autograding
executes each chapter three times: 1.5 to 4 minutes on the shared two-core machine, most of it
the nine executions (the printout gives each one's time).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path

import make_notebooks as mn
import pytest
from support import ROOT

# chapter -> (the answer cell to break, the line of the book's solution, the mistake)
WRONG = {
    # </S> at the end of the padded row, not right after the sentence's last word
    "02_characters_to_ids": ("solution-add_sentence_boundaries",
                             "out[b, n + 1] = ", "out[b, steps + 1] = "),
    # the perplexity with the sign dropped: exp(mean log p) instead of exp(-mean log p)
    "04_language_models": ("solution-perplexity_from_log_probs",
                           "math.exp(-sum(values) / len(values))",
                           "math.exp(sum(values) / len(values))"),
    # the raw scalars used as weights, without the softmax
    "07_layers_and_mix": ("solution-scalar_mix",
                          "weights = torch.softmax(scalars, dim=0)", "weights = scalars"),
}
SUBMISSIONS = ("solutions", "stubs", "wrong")
CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "elmo-book"
# autograding executes the whole chapter: the slowest cell (a corpus load, a model) needs more
# than nbgrader's default 30 seconds on a busy two-core machine
c.Execute.timeout = 180
"""


def nbgrader_cli(course: Path, *args: str) -> None:
    """Run ``nbgrader ARGS`` in ``course`` as an instructor does; fail with its log on an error."""
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, text=True,
                            capture_output=True, timeout=900, check=False)
    log = result.stdout + result.stderr
    assert result.returncode == 0 and "[ERROR]" not in log, f"nbgrader {' '.join(args)}:\n{log}"


def nbgrader_api(course: Path):
    """nbgrader's own Python API (what its web UI calls) on ``course``, with its config file.

    The same apps as the command line, in this process: it saves starting nbgrader for each
    step (several seconds each on a busy machine).
    """
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    return NbGraderAPI(config=config)


def succeeded(step: str, result: dict) -> None:
    assert result["success"] and "[ERROR]" not in result.get("log", ""), (
        f"{step}:\n{result.get('log', '')}\n{result.get('error', '')}")


def grade_ids(nb: dict, kind: str) -> list[str]:
    return [c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"]
            if c["metadata"].get("nbgrader", {}).get(kind)]


def submission(release: dict, source: dict, which: str, chapter: str) -> dict:
    """A student's notebook: the release with its answer cells filled in as ``which`` says."""
    answers = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in source["cells"]
               if c["metadata"].get("nbgrader", {}).get("solution")}
    nb = json.loads(json.dumps(release))
    if which == "stubs":
        return nb
    broken, right, wrong = WRONG[chapter]
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
            if which == "wrong" and grade_id == broken:
                assert right in cell["source"], f"{chapter}: {right!r} is no longer in {broken}"
                cell["source"] = cell["source"].replace(right, wrong)
    return nb


def execution_seconds(path: Path) -> float:
    """Seconds from the first code cell's start to the last one's end (nbclient's timestamps)."""
    stamps = [c["metadata"].get("execution", {}) for c in json.loads(path.read_text())["cells"]
              if c["cell_type"] == "code"]
    start, end = stamps[0].get("iopub.execute_input"), stamps[-1].get("shell.execute_reply")
    if not (start and end):
        return float("nan")
    return (datetime.fromisoformat(end.replace("Z", "+00:00"))
            - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> dict:
    """A course directory with every chapter's source notebook, each released by nbgrader."""
    try:
        import nbgrader  # noqa: F401
    except ImportError:
        reason = "nbgrader is not installed: pip install -r requirements.txt (it is pinned there)"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI is set, so this is a failure, not a skip)")
        pytest.skip(reason)

    root = tmp_path_factory.mktemp("course")
    (root / "nbgrader_config.py").write_text(CONFIG)
    source = root / "source"
    mn.write(source, mn.expected_nbgrader(ROOT))  # what `make_notebooks.py --nbgrader` writes
    api = nbgrader_api(root)
    chapters = sorted(p.name for p in source.iterdir())
    nbgrader_cli(root, "generate_assignment", chapters[0])  # the command line a course runs
    for chapter in chapters[1:]:
        succeeded(f"generate_assignment {chapter}", api.generate_assignment(chapter))
    return {"root": root, "api": api, "chapters": chapters}


@pytest.fixture(scope="module")
def graded(course) -> dict:
    """chapter -> submission -> {check grade_id: (score, max_score)}, from nbgrader's gradebook."""
    from nbgrader.api import Gradebook

    root, api = course["root"], course["api"]
    start = time.perf_counter()
    seconds = {}
    for chapter in WRONG:
        chapter_start = time.perf_counter()
        name = f"{chapter}/{chapter}.ipynb"
        release = json.loads((root / "release" / name).read_text())
        source = json.loads((root / "source" / name).read_text())
        for which in SUBMISSIONS:
            path = root / "submitted" / which / name
            path.parent.mkdir(parents=True)
            path.write_text(json.dumps(submission(release, source, which, chapter)))
        for which in SUBMISSIONS:
            with warnings.catch_warnings():  # nbgrader 0.9.6 adding a submission to its
                # gradebook trips SQLAlchemy's autoflush warning; the grades are stored all right
                warnings.filterwarnings("ignore", message="Object of type <Submitted")
                succeeded(f"autograde {chapter} {which}", api.autograde(chapter, which))
        seconds[chapter] = time.perf_counter() - chapter_start
    elapsed = time.perf_counter() - start

    scores: dict = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}", course_id="elmo-book") as gb:
        for chapter in WRONG:
            for which in SUBMISSIONS:
                nb = gb.find_submission_notebook(chapter, chapter, which)
                scores.setdefault(chapter, {})[which] = {
                    g.name: (g.score, g.max_score) for g in nb.grades}
    print(f"\nnbgrader autograde, {len(WRONG)} chapters x {len(SUBMISSIONS)} submissions "
          f"in {elapsed:.0f} s")
    for chapter, by_submission in scores.items():
        runs = ", ".join(
            f"{which} {execution_seconds(root / 'autograded' / which / chapter / f'{chapter}.ipynb'):.0f} s"
            for which in SUBMISSIONS)
        print(f"  {chapter}: {seconds[chapter]:.0f} s in all; the notebook executed in {runs}")
        for which, grades in by_submission.items():
            total = sum(s for s, _ in grades.values())
            best = sum(m for _, m in grades.values())
            detail = ", ".join(f"{k} {s:g}/{m:g}" for k, (s, m) in sorted(grades.items()))
            print(f"  {chapter:22} {which:9} {total:g}/{best:g}  ({detail})")
    return {"scores": scores, "source": root / "source"}


def test_every_chapter_is_released_as_the_student_edition(course):
    """generate_assignment accepts every chapter as written and strips exactly the stubs out."""
    assert len(course["chapters"]) == len(mn.chapters(ROOT))
    for chapter in course["chapters"]:
        release = json.loads((course["root"] / "release" / chapter / f"{chapter}.ipynb")
                             .read_text())
        student = json.loads((ROOT / "notebooks" / f"{chapter}.ipynb").read_text())
        assert [(c["cell_type"], "".join(c["source"]), c["metadata"].get("tags", []))
                for c in release["cells"]] == [
            (c["cell_type"], "".join(c["source"]), c["metadata"].get("tags", []))
            for c in student["cells"]], chapter
        assert "BEGIN SOLUTION" not in json.dumps(release)
        # the prose and the set-up cells are read-only for the student
        locked = [c for c in release["cells"] if c["metadata"]["nbgrader"]["locked"]]
        assert locked and all(c["metadata"]["editable"] is False for c in locked)


@pytest.mark.slow
def test_solutions_get_every_point(graded):
    for chapter, by_submission in graded["scores"].items():
        checks = grade_ids(json.loads((graded["source"] / chapter / f"{chapter}.ipynb")
                                      .read_text()), "grade")
        assert sorted(by_submission["solutions"]) == sorted(checks) and len(checks) >= 2
        assert all(s == m == 1 for s, m in by_submission["solutions"].values()), (
            chapter, by_submission["solutions"])


@pytest.mark.slow
def test_untouched_stubs_get_no_point(graded):
    for chapter, by_submission in graded["scores"].items():
        assert by_submission["stubs"] and all(
            s == 0 and m == 1 for s, m in by_submission["stubs"].values()), (
            chapter, by_submission["stubs"])


@pytest.mark.slow
def test_one_wrong_answer_loses_only_its_own_point(graded):
    for chapter, by_submission in graded["scores"].items():
        broken = "check-" + WRONG[chapter][0].removeprefix("solution-")
        got = {k: s for k, (s, _) in by_submission["wrong"].items()}
        assert got == {k: (0 if k == broken else 1) for k in got}, (chapter, got)


def test_nbgrader_is_pinned():
    """The tests above grade with the nbgrader that requirements.txt pins (CI installs it)."""
    pins = (ROOT / "requirements.txt").read_text().split()
    assert any(p.startswith("nbgrader==") for p in pins)


@pytest.mark.slow
def test_an_edited_check_is_put_back_before_grading(course):
    """Stubs with every check cell replaced by a print: nbgrader restores the locked checks."""
    from nbgrader.api import Gradebook

    chapter = "02_characters_to_ids"
    name = f"{chapter}/{chapter}.ipynb"
    nb = json.loads((course["root"] / "release" / name).read_text())
    edited = 0
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            cell["source"] = 'print("✔ passed")'
            edited += 1
    assert edited == 2
    path = course["root"] / "submitted" / "edits-checks" / name
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(nb))
    with warnings.catch_warnings():  # as in ``graded``
        warnings.filterwarnings("ignore", message="Object of type <Submitted")
        succeeded("autograde", course["api"].autograde(chapter, "edits-checks"))
    with Gradebook(f"sqlite:///{course['root'] / 'gradebook.db'}", course_id="elmo-book") as gb:
        grades = {g.name: g.score for g in
                  gb.find_submission_notebook(chapter, chapter, "edits-checks").grades}
    print(f"\n  {chapter} with its checks edited: {grades}")
    assert grades == {"check-char_ids_to_word": 0, "check-add_sentence_boundaries": 0}
