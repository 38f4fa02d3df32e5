"""Driving the "Try it" panels as a reader does, for ``web/test_web_panel.py`` and ``web/test_web_inside.py``.

``MEASURED`` collects the largest browser-minus-python difference of each quantity across both
modules; their ``page`` fixtures print it at the end (``pytest -s``).
"""

from __future__ import annotations

MEASURED: dict = {}  # max abs differences, printed at the end of each web module (pytest -s)


def open_panel(page, panel: str) -> None:
    """Open a panel (this starts its download) and wait until it is ready."""
    root = page.locator(f"#{panel}")
    if root.get_attribute("open") is None:
        root.locator("summary").first.click()
    root.locator(".elmo-status[data-state=done], .elmo-status[data-state=ready]").wait_for(
        timeout=120_000)


def ask(page, panel: str, text: str) -> None:
    """Type ``text`` into a panel's box and press its button; wait for the answer."""
    root = page.locator(f"#{panel}")
    root.locator(".elmo-row input").fill(text)
    root.locator(".elmo-row button").click()
    page.wait_for_function(
        "([id, text]) => { const r = document.querySelector(`#${id} .elmo-result`);"
        " const s = document.querySelector(`#${id} .elmo-status`);"
        " return s.dataset.state === 'empty' || (s.dataset.state === 'done' && r.dataset.query === text); }",
        arg=[panel, text], timeout=30_000)


def record(name: str, diff: float) -> None:
    """Keep the largest difference seen for ``name``."""
    MEASURED[name] = max(MEASURED.get(name, 0.0), diff)
