"""Driving the "Try it" panels as a reader does, for ``web/test_web_panel.py`` and ``web/test_web_inside.py``.

``MEASURED`` collects the largest browser-minus-python difference of each quantity across both
modules; their ``page`` fixtures print it at the end (``pytest -s``).
"""

from __future__ import annotations

from collections.abc import Iterator

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


def wait_position(page, panel: str, position: int) -> None:
    """Wait until a sentence panel shows its answer for token ``position``."""
    page.locator(f"#{panel} .elmo-result[data-position='{position}']").wait_for()


def ask_and_pick(page, panel: str, text: str, forms) -> tuple[list[str], int]:
    """Type ``text`` into a sentence panel, check that the page tokenises it as elmo_mini does,
    and click, as a reader would, the first token whose lower case is in ``forms``.
    Returns (tokens, position)."""
    from elmo_mini.data import tokenize

    tokens = tokenize(text)
    ask(page, panel, text)
    buttons = page.locator(f"#{panel} .elmo-token")
    assert buttons.all_inner_texts() == tokens, "the page tokenises as elmo_mini does"
    position = next(i for i, t in enumerate(tokens) if t.lower() in forms)
    buttons.nth(position).click()
    wait_position(page, panel, position)
    return tokens, position

def record(name: str, diff: float) -> None:
    """Keep the largest difference seen for ``name``."""
    MEASURED[name] = max(MEASURED.get(name, 0.0), diff)


def try_it_page(server: str, browser, needs: str) -> Iterator:
    """The built Try it page in a fresh 1200x1000 context, for a module's ``page`` fixture
    (``yield from``); skip (fail under CI) when the exported file ``needs`` is missing. At the end:
    no JavaScript error on the page, and the largest differences of ``MEASURED`` printed."""
    from support.browser import HTML, unavailable

    if not (HTML / "elmo-web" / "data" / needs).is_file():
        unavailable(f"the panels' files are missing from {HTML / 'elmo-web'}: build the book "
                    "with `bash scripts/build_book.sh` (it exports the model and copies them)")
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/book/try_it.html")
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"
    for name, value in MEASURED.items():
        print(f"max |browser - python| {name}: {value:.2e}")
