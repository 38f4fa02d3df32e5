"""What the tests share, one module per role; no test module imports another test module.

- :mod:`support.book_cells`: the book's exercise solutions, read out of ``book/NN_name.md``.
- :mod:`support.check_messages`: wrong answers (``Mistake``) and the form of a check's message.
- :mod:`support.browser`: the built book served on 127.0.0.1 and Debian's chromium.
- :mod:`support.panel`: typing into the "Try it" panels and recording their differences.
- :mod:`support.training`: the tiny training run that the training tests share.
- :mod:`support.colab_env`: the Colab stand-in's environment and notebook runner.

The fixtures built on them (``reference_dir``, ``tiny_bilm``, ``server``, ``browser``) live in
``tests/conftest.py``, which reaches every folder under ``tests/``. ``pyproject.toml`` puts
``tests`` (for this package) and ``tools`` (the generators under test) on pytest's path.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository
SHARED = Path(os.environ.get("ELMO_SHARED", ROOT.parent / "shared"))  # ../shared beside it
REFERENCE = SHARED / "reference"  # the original ELMo's weights and outputs (parity tests)
