"""Shared fixtures, for every folder under tests/: the reference material, small random models, the browser.

The helpers behind them live in the ``support`` package (``tests/support/``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from support import REFERENCE

from elmo_mini import BiLM, ElmoConfig


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """``../shared/reference`` (or $ELMO_SHARED/reference); skip the test when absent."""
    if not (REFERENCE / "elmo_fixtures" / "options.json").is_file():
        pytest.skip(
            f"reference fixtures not found at {REFERENCE}: put the shared/ folder beside the "
            "repository (or set ELMO_SHARED) to run the parity tests"
        )
    return REFERENCE


TINY = dict(
    char_dim=4,
    filters=[[1, 4], [2, 8], [3, 16]],
    n_highway=1,
    lstm_dim=24,
    projection_dim=8,
    n_layers=2,
)


@pytest.fixture
def tiny_config() -> ElmoConfig:
    return ElmoConfig(**TINY)


@pytest.fixture
def tiny_bilm(tiny_config) -> BiLM:
    torch.manual_seed(0)
    model = BiLM(tiny_config)
    with torch.no_grad():  # make every weight non-trivial, the biases included
        for p in model.parameters():
            p.uniform_(-0.5, 0.5)
    return model.eval()


@pytest.fixture(scope="module")
def server():
    """The built book (``_build/html``) served on 127.0.0.1; skip (fail under CI) if not built."""
    from support.browser import HTML, serve, unavailable

    if not any(HTML.glob("book/*.html")):
        unavailable(f"no built chapters in {HTML / 'book'}: run `bash scripts/build_book.sh`")
    with serve(HTML) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Debian chromium through Playwright; skip (fail under CI) when it is missing."""
    from support.browser import launch_chromium

    with launch_chromium() as chromium:
        yield chromium
