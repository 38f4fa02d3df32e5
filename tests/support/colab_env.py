"""The Colab stand-in: a Python 3.13 environment with what Colab preinstalls, and a notebook runner.

A student opens a chapter in Colab: the notebook sits alone in ``/content``, Python is 3.13, torch
(a CUDA build), numpy, matplotlib, scikit-learn, pandas and ``ipywidgets==7.7.1`` are installed
already, and the notebook's own first cell installs ``elmo-mini[book]``. This module rebuilds that
situation on this machine for ``tests/colab/test_colab_standin.py``:

- ``find_python()``: the interpreter: ``$COLAB_PYTHON``, else ``python3.13`` on PATH (if it runs:
  a pyenv shim may not), else ``~/.pyenv/versions/3.13*/bin/python3.13``.
- ``base_env(python)``: a venv with ``COLAB_PACKAGES``, built once and cached in
  ``.cache/colab-env-<hash of interpreter and packages>/`` (gitignored; ``$COLAB_ENV_CACHE``
  moves it). A ``READY`` file, written last, marks a complete build; a lock keeps two test runs
  from building the same one.
- ``overlay_env(base, dir)``: a fresh venv per notebook that sees the base's packages through a
  ``.pth`` file and installs into its own ``site-packages``: one notebook's ``%pip install``
  cannot leak into the next, and the base stays as built (pip will not uninstall a package that
  lies outside the running environment; it shadows it instead, which the version checks see).
- ``run_notebook(...)``: copies one notebook alone into an empty directory and executes it there
  with nbclient, in a kernel of the overlay, with ``ELMO_MINI_INSTALL`` set (the setup cell's
  documented switch) and a fresh ``HOME``. An audit hook started with every Python process of the
  overlay (``sitecustomize``-style ``.pth``) logs each file opened under the repository root,
  except the stand-in's own environments: a notebook must not read a file only the repository has.
"""

from __future__ import annotations

import contextlib
import fcntl
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
CACHE = Path(os.environ.get("COLAB_ENV_CACHE", ROOT / ".cache"))

# What Colab has before a notebook's first cell runs (the parts our chapters touch). Colab's torch
# is a CUDA build; PyPI's Linux wheel for cp313 is one too (about 3 GB with its nvidia-* wheels).
# torch is pinned as in requirements.txt; ipywidgets at Colab's 7.7.1.
COLAB_PACKAGES = (
    "torch==2.13.0",
    "numpy",
    "matplotlib",
    "scikit-learn",
    "pandas",
    "ipykernel",
    "nbclient",
    "nbformat",
    "ipywidgets==7.7.1",
)
# Printed by the base env (before any install) and by the kernel (after the notebook ran).
VERSIONS_CODE = """\
import json, torch, ipywidgets
print(json.dumps({"torch": torch.__version__, "torch_file": torch.__file__,
                  "ipywidgets": ipywidgets.__version__}))
"""

# Started in every Python process of an overlay: logs files opened (or listed) under WATCH but not
# under one of ALLOW, one JSON line each, to LOG. Only the standard library, no imports kept.
AUDIT_MODULE = '''\
"""Colab stand-in: log every file a process opens under the repository (tests/support/colab_env.py)."""
import os as _os
import sys as _sys


def _install():
    watch = _os.environ.get("COLAB_AUDIT_WATCH")
    log = _os.environ.get("COLAB_AUDIT_LOG")
    if not watch or not log:
        return
    allow = tuple(a for a in _os.environ.get("COLAB_AUDIT_ALLOW", "").split(_os.pathsep) if a)
    watch = _os.path.join(_os.path.realpath(watch), "")
    events = {"open", "os.listdir", "os.scandir"}
    seen = set()
    busy = []

    def hook(event, args):
        if event not in events or busy or not args:
            return
        path = args[0]
        if isinstance(path, int) or path is None:
            return
        busy.append(1)
        try:
            path = _os.path.realpath(_os.fsdecode(path))
            if path.startswith(watch) and not path.startswith(allow) and path not in seen:
                seen.add(path)
                with open(log, "a", encoding="utf-8") as out:
                    out.write(event + " " + path + "\\n")
        except Exception:
            pass
        finally:
            busy.pop()

    _sys.addaudithook(hook)


_install()
'''


# ----------------------------------------------------------------------------- the interpreter


def _python_313(candidate: str) -> bool:
    """Whether ``candidate`` runs and is CPython 3.13 with venv (a pyenv shim may not run)."""
    try:
        done = subprocess.run(
            [candidate, "-c", "import sys, venv; print(sys.version_info[:2] == (3, 13))"],
            capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0 and done.stdout.strip() == "True"


def find_python() -> tuple[Path | None, str]:
    """Colab's Python (3.13): ``(path, how it was found)`` or ``(None, why there is none)``."""
    given = os.environ.get("COLAB_PYTHON")
    if given:
        if _python_313(given):
            return Path(given), f"$COLAB_PYTHON={given}"
        return None, f"$COLAB_PYTHON={given} is not a working Python 3.13 with venv"
    on_path = shutil.which("python3.13")
    if on_path and _python_313(on_path):
        return Path(on_path), f"python3.13 on PATH ({on_path})"
    pyenv = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.13*/bin/python3.13")))
    for candidate in reversed(pyenv):  # the newest 3.13.x first
        if _python_313(candidate):
            return Path(candidate), f"pyenv ({candidate})"
    return None, ("no Python 3.13 found: set COLAB_PYTHON, put python3.13 on PATH, or "
                  "`pyenv install 3.13`")


# ----------------------------------------------------------------------------- environments


def _site_packages(env: Path) -> Path:
    return env / "lib" / "python3.13" / "site-packages"


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(map(str, cmd))}` failed ({done.returncode}):\n"
                           f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done


def spec_hash(python: Path) -> str:
    """Names a base env: the interpreter's exact version and path, and COLAB_PACKAGES."""
    version = _run([str(python), "-c", "import sys; print(sys.version)"]).stdout.strip()
    text = "\n".join([version, str(python), *COLAB_PACKAGES])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class BaseEnv:
    """A built base environment and what it reported when it was built."""

    path: Path
    python: Path
    versions: dict            # VERSIONS_CODE's output: torch, torch_file, ipywidgets
    build_seconds: float      # of the build that made it (0 for a cached one is not stored here)
    cached: bool              # True when this call found it built already
    size_bytes: int = 0

    @property
    def site_packages(self) -> Path:
        return _site_packages(self.path)


def _du(path: Path) -> int:
    return int(_run(["du", "-sb", str(path)]).stdout.split()[0])


def base_env(python: Path) -> BaseEnv:
    """The cached Colab-like venv for ``python``; builds it (minutes, ~3 GB) when missing."""
    env = CACHE / f"colab-env-{spec_hash(python)}"
    ready = env / "READY"
    with _locked(CACHE / f"{env.name}.lock"):
        cached = ready.exists()
        if not cached:
            shutil.rmtree(env, ignore_errors=True)  # an interrupted build
            start = time.perf_counter()
            _run([str(python), "-m", "venv", str(env)])
            _run([str(env / "bin" / "python"), "-m", "pip", "install", "-q", "--no-input",
                  *COLAB_PACKAGES], timeout=3600)
            versions = json.loads(_run([str(env / "bin" / "python"), "-c", VERSIONS_CODE])
                                  .stdout.strip().splitlines()[-1])
            freeze = _run([str(env / "bin" / "python"), "-m", "pip", "freeze"]).stdout
            (env / "freeze.txt").write_text(freeze, encoding="utf-8")
            info = {"versions": versions, "build_seconds": round(time.perf_counter() - start, 1),
                    "packages": list(COLAB_PACKAGES), "python": str(python)}
            info["size_bytes"] = _du(env)
            (env / "colab_env.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
            ready.write_text("complete\n", encoding="utf-8")
    info = json.loads((env / "colab_env.json").read_text(encoding="utf-8"))
    return BaseEnv(env, env / "bin" / "python", info["versions"], info["build_seconds"],
                   cached, info["size_bytes"])


def overlay_env(base: BaseEnv, path: Path) -> Path:
    """A fresh venv at ``path`` that sees ``base``'s packages and installs into its own.

    No pip of its own: ``python -m pip`` (what ``%pip`` runs) finds the base's pip, which installs
    into the running environment, i.e. the overlay. The base's ``site-packages`` is added with
    ``site.addsitedir`` so its own ``.pth`` files are processed as in the base.
    """
    _run([str(base.python.resolve()), "-m", "venv", "--without-pip", str(path)])
    site = _site_packages(path)
    (site / "_colab_base.pth").write_text(
        f"import site; site.addsitedir({str(base.site_packages)!r})\n", encoding="utf-8")
    (site / "_colab_audit.py").write_text(AUDIT_MODULE, encoding="utf-8")
    (site / "_colab_audit.pth").write_text("import _colab_audit\n", encoding="utf-8")
    return path


def site_listing(env: Path) -> list[str]:
    """The distributions installed in ``env`` (its ``*.dist-info`` names), to see it unchanged."""
    return sorted(p.name for p in _site_packages(env).glob("*.dist-info"))


# ----------------------------------------------------------------------------- the package


def build_wheel(out: Path) -> Path:
    """A wheel of this checkout (``pip wheel --no-deps``), as the setup cell will install it."""
    out.mkdir(parents=True, exist_ok=True)
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
          "-w", str(out), str(ROOT)], timeout=600)
    wheels = sorted(out.glob("elmo_mini-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one elmo_mini wheel in {out}, found {wheels}")
    return wheels[0]


# ----------------------------------------------------------------------------- running a notebook


@dataclass
class NotebookRun:
    """What one notebook's run in the stand-in showed."""

    name: str
    seconds: float
    error: str | None                  # the first cell error (not a raises-exception cell)
    versions_after: dict | None        # VERSIONS_CODE in the kernel after the last cell
    elmo_mini_file: str | None         # where the kernel imported elmo_mini from
    repo_reads: list[str] = field(default_factory=list)  # files read under the repository
    overlay: Path | None = None
    cell_seconds: list[tuple[float, str]] = field(default_factory=list)  # (seconds, first line)


# Appended to the run's copy of the notebook (never to the file): the versions after the install,
# and where elmo_mini came from (None when the notebook did not install it).
AFTER_CODE = """\
import importlib.util, json, torch, ipywidgets
spec = importlib.util.find_spec("elmo_mini")
print(json.dumps({"torch": torch.__version__, "torch_file": torch.__file__,
                  "ipywidgets": ipywidgets.__version__,
                  "elmo_mini": spec.origin if spec else None}))
"""


def _clean_environ(overlay: Path, home: Path) -> dict[str, str]:
    """The kernel's environment: this process's, less what points into the test's own venv."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV",
                        "JUPYTER_PATH", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR",
                        "IPYTHONDIR", "MPLBACKEND", "ELMO_MINI_CACHE"}}
    test_bin = str(Path(sys.prefix) / "bin")
    path = [p for p in env.get("PATH", "").split(os.pathsep) if p and p != test_bin]
    env["PATH"] = os.pathsep.join([str(overlay / "bin"), *path])
    env["VIRTUAL_ENV"] = str(overlay)
    # A fresh HOME, as on a new Colab machine: no ~/.cache/elmo_mini, no matplotlib cache. pip
    # keeps this machine's download cache so a rerun does not fetch gensim & co. again.
    env["PIP_CACHE_DIR"] = os.environ.get("PIP_CACHE_DIR", os.path.expanduser("~/.cache/pip"))
    env["HOME"] = str(home)
    return env


def run_notebook(notebook: Path, base: BaseEnv, wheel: Path, scratch: Path,
                 timeout: int = 900) -> NotebookRun:
    """Execute ``notebook`` alone in ``scratch/<name>/content`` in a fresh overlay of ``base``."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    where = scratch / notebook.stem
    content, home, kernels = where / "content", where / "home", where / "kernels"
    for d in (content, home, kernels / "colab"):
        d.mkdir(parents=True)
    overlay = overlay_env(base, where / "env")
    shutil.copy2(notebook, content / notebook.name)   # the notebook alone, nothing beside it
    log = where / "repo_reads.log"
    (kernels / "colab" / "kernel.json").write_text(json.dumps({
        "argv": [str(overlay / "bin" / "python"), "-m", "ipykernel_launcher",
                 "-f", "{connection_file}"],
        "display_name": "Colab stand-in", "language": "python"}), encoding="utf-8")

    env = _clean_environ(overlay, home)
    env["ELMO_MINI_INSTALL"] = wheel.as_uri()
    env["COLAB_AUDIT_WATCH"] = str(ROOT)
    env["COLAB_AUDIT_ALLOW"] = os.pathsep.join(
        str(p.resolve()) for p in (base.path, overlay, wheel.parent, scratch))
    env["COLAB_AUDIT_LOG"] = str(log)

    nb = nbformat.read(content / notebook.name, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(AFTER_CODE))
    km = KernelManager(kernel_name="colab",
                       kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)]))
    client = NotebookClient(nb, km=km, timeout=timeout, allow_errors=False,
                            resources={"metadata": {"path": str(content)}})
    start = time.perf_counter()
    error = None
    try:
        client.execute(env=env, cwd=str(content))
    except CellExecutionError as err:
        error = str(err)[-4000:]
    seconds = time.perf_counter() - start

    versions = None
    outputs = nb.cells[-1].get("outputs", []) if error is None else []
    for out in outputs:
        if out.get("name") == "stdout":
            versions = json.loads(out["text"].strip().splitlines()[-1])
    reads = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return NotebookRun(notebook.stem, seconds, error, versions,
                       versions.get("elmo_mini") if versions else None, reads, overlay,
                       _cell_seconds(nb))


def _cell_seconds(nb: object) -> list[tuple[float, str]]:
    """Each executed code cell's wall time (nbclient's timing metadata) and its first line."""
    from datetime import datetime

    timed = []
    for cell in nb.cells:
        times = cell.get("metadata", {}).get("execution", {})
        start, end = times.get("iopub.execute_input"), times.get("shell.execute_reply")
        if cell.cell_type == "code" and start and end:
            span = datetime.fromisoformat(end) - datetime.fromisoformat(start)
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            timed.append((span.total_seconds(), first[:60]))
    return timed
