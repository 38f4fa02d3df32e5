"""Every student notebook runs as in Colab: alone, on Python 3.13, installing itself.

Each ``notebooks/*.ipynb`` is copied alone into an empty directory and executed there in a fresh
overlay of the Colab stand-in (``tests/support/colab_env.py``: Python 3.13 with Colab's torch, numpy,
matplotlib, scikit-learn, pandas and ``ipywidgets==7.7.1``). Its own first cell installs
``elmo-mini[book]``, pointed by ``ELMO_MINI_INSTALL`` (the setup cell's documented switch) at a
wheel of this checkout instead of the git URL. Asserted per notebook: it runs to the end (cells
tagged ``raises-exception`` may raise, as under nbmake); torch and ipywidgets are the very ones
Colab had (same versions, torch from the same place); elmo_mini came from the install, not from
the repository; no file under the repository was opened or listed. The last test prints the
per-notebook times and checks that the base environment is as it was built.

Slow (the first run builds a ~3 GB environment, then about three minutes). Without Python 3.13
the tests skip, except when ``CI`` is set: then they fail. Chapter 11's download of the published
small ELMo runs only when ``google.colab`` is imported, which the stand-in cannot provide: here,
as in the book build, the chapter takes its offline fallback (the mini ELMo).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from support.browser import unavailable
from support.colab_env import (
    ROOT,
    VERSIONS_CODE,
    BaseEnv,
    NotebookRun,
    base_env,
    build_wheel,
    find_python,
    run_notebook,
    site_listing,
)

pytestmark = pytest.mark.slow
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
RUNS: dict[str, NotebookRun] = {}


@dataclass
class StandIn:
    base: BaseEnv
    how: str                 # how the interpreter was found
    before: dict             # versions in the base env, before any install
    listing: list[str]       # the base's distributions, to see it unchanged at the end
    wheel: Path
    scratch: Path
    setup_seconds: float     # finding/building the base env, the wheel, reading versions


@pytest.fixture(scope="module")
def standin() -> Iterator[StandIn]:
    start = time.perf_counter()
    python, how = find_python()
    if python is None:
        unavailable(how)
    base = base_env(python)
    before = json.loads(subprocess.run([str(base.python), "-c", VERSIONS_CODE], check=True,
                                       capture_output=True, text=True).stdout.splitlines()[-1])
    # A directory of our own, not pytest's tmp_path: pytest deletes all but the three newest
    # base temps of a user, so other pytest sessions on a shared machine could remove it mid-run.
    scratch = Path(tempfile.mkdtemp(prefix="colab-standin-"))
    try:
        wheel = build_wheel(scratch / "wheel")
        yield StandIn(base, how, before, site_listing(base.path), wheel, scratch,
                      time.perf_counter() - start)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_audit_hook_sees_a_repository_read(standin):
    """The check can fail: a notebook that opens or lists repository files is caught."""
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(f"text = open({str(ROOT / 'README.md')!r}).read()"),
        nbformat.v4.new_code_cell(f"import os\nnames = os.listdir({str(ROOT / 'figs')!r})"),
        nbformat.v4.new_code_cell("import torch  # reads the base env under .cache: allowed"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = standin.scratch / "reads_the_repo.ipynb"
    nbformat.write(nb, path)
    run = run_notebook(path, standin.base, standin.wheel, standin.scratch)
    assert run.error is None, run.error
    assert run.repo_reads == [f"open {ROOT / 'README.md'}", f"os.listdir {ROOT / 'figs'}"]
    assert run.elmo_mini_file is None  # nothing installed it, and the repository is not on the path


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_colab_standin(standin, notebook):
    run = run_notebook(notebook, standin.base, standin.wheel, standin.scratch)
    RUNS[notebook.stem] = run
    shutil.rmtree(run.overlay, ignore_errors=True)  # its installs: about 200 MB a notebook
    assert run.error is None, f"{notebook.name} failed in the Colab stand-in:\n{run.error}"
    after = run.versions_after
    assert after is not None, f"{notebook.name}: the version cell printed nothing"
    for name in ("torch", "ipywidgets"):
        assert after[name] == standin.before[name], (
            f"{notebook.name}: installing elmo-mini[book] changed {name} from "
            f"{standin.before[name]} to {after[name]}: loosen the pin in pyproject.toml")
    assert after["torch_file"] == standin.before["torch_file"], (
        f"{notebook.name}: torch now comes from {after['torch_file']}, not Colab's "
        f"{standin.before['torch_file']}: the install shadowed it")
    installed = str(run.overlay / "lib")
    assert run.elmo_mini_file and run.elmo_mini_file.startswith(installed), (
        f"{notebook.name}: elmo_mini came from {run.elmo_mini_file}, not from the install")
    assert run.repo_reads == [], (
        f"{notebook.name} read files that only the repository has (ship them with the package "
        f"or draw them in the notebook): {run.repo_reads}")


def test_report_and_base_unchanged(standin, capsys):
    """Prints the per-notebook times; the base env still holds exactly what it was built with."""
    lines = [
        "",
        f"Colab stand-in: Python from {standin.how}; base env {standin.base.path.name} "
        f"({'cached' if standin.base.cached else 'built now'}; built in "
        f"{standin.base.build_seconds:.0f} s, {standin.base.size_bytes / 1e9:.2f} GB); "
        f"set-up this run {standin.setup_seconds:.1f} s",
        f"before install: torch {standin.before['torch']}, "
        f"ipywidgets {standin.before['ipywidgets']}",
        f"{'notebook':<32} {'seconds':>8}  result  torch / ipywidgets after",
    ]
    for name, run in RUNS.items():
        after = run.versions_after or {}
        lines.append(f"{name:<32} {run.seconds:8.1f}  {'ok' if run.error is None else 'FAILED':<6}"
                     f"  {after.get('torch', '-')} / {after.get('ipywidgets', '-')}")
    lines.append(f"{'total':<32} {sum(r.seconds for r in RUNS.values()):8.1f}")
    with capsys.disabled():
        print("\n".join(lines))
    assert site_listing(standin.base.path) == standin.listing, (
        "a notebook's install changed the shared base environment")
