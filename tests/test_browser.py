"""Open every built chapter in headless Chromium and look at it as a reader would.

Needs the built book (``bash scripts/build_book.sh``) and Debian's chromium at /usr/bin/chromium,
driven through Playwright's Python API (never ``playwright install``). Without them the tests
skip, except when the environment variable ``CI`` is set: then they fail.

Checks, per chapter page: every image loaded; no cell output shows a traceback (cells tagged
``raises-exception`` may, on purpose); the Colab badge and button name a notebook that exists in
``notebooks/``. A full-page screenshot of each chapter goes to ``screenshots/`` (gitignored).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_fixtures import HTML, unavailable
from make_notebooks import is_notebook

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "screenshots"
COLAB = re.compile(r"^https://colab\.research\.google\.com/github/[^/]+/[^/]+/blob/[^/]+/"
                   r"notebooks/(?P<name>[^/]+\.ipynb)$")
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s*\w+(Error|Exception): ", re.MULTILINE)


pytestmark = pytest.mark.slow
CHAPTERS = sorted(HTML.glob("book/*.html"))


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Offline: only the local server answers, so a hot-linked image shows up as a broken one.
    context.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"), lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()


@pytest.mark.parametrize("html", CHAPTERS or [None], ids=lambda p: p.stem if p else "none")
def test_chapter_page(page, server, html):
    if html is None:
        unavailable(f"no built chapters in {HTML / 'book'}: run `bash scripts/build_book.sh`")
    page.goto(f"{server}/book/{html.name}", wait_until="load")
    page.evaluate("document.querySelectorAll('img[loading=lazy]')"
                  ".forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=15000)

    broken = page.evaluate("Array.from(document.images)"
                           ".filter(i => !(i.naturalWidth > 0)).map(i => i.currentSrc || i.src)")
    assert broken == [], f"{html.name}: images that did not load: {broken}"

    outputs = page.eval_on_selector_all(
        ".cell:not(.tag_raises-exception) .cell_output",
        "nodes => nodes.map(n => n.innerText)")
    for text in outputs:
        match = TRACEBACK.search(text)
        assert match is None, f"{html.name}: a cell output shows an error:\n{text[:1500]}"

    source = ROOT / "book" / f"{html.stem}.md"
    links = page.eval_on_selector_all("a[href*='colab.research.google.com']",
                                      "nodes => nodes.map(n => n.href)")
    if source.exists() and is_notebook(source):
        badges = page.eval_on_selector_all("a.colab-badge-link img", "nodes => nodes.length")
        assert badges == 1, f"{html.name}: expected one Open in Colab badge, found {badges}"
        assert links, f"{html.name}: no Colab link"
    for link in links:
        match = COLAB.match(link)
        assert match, f"{html.name}: Colab link {link} does not open a notebook in notebooks/"
        assert match["name"] == f"{html.stem}.ipynb", f"{html.name}: Colab opens {link}"
        assert (ROOT / "notebooks" / match["name"]).exists(), (
            f"{html.name}: Colab link names notebooks/{match['name']}, which does not exist: "
            "run `python tools/make_notebooks.py`")

    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{html.stem}.png"), full_page=True)


def test_every_notebook_page_has_the_colab_badge(page, server):
    """Each page of _toc.yml that is a notebook, the preface (the book's root) first, shows one
    Open in Colab badge that opens its own student notebook. The glob above would silently pass
    over a page that was not built; this test starts from the table of contents instead."""
    from make_notebooks import toc_files

    pages = [p for p in toc_files(ROOT) if is_notebook(p)]
    assert pages and pages[0].stem == "00_preface", f"the preface is not the first notebook: {pages}"
    for source in pages:
        html = HTML / "book" / f"{source.stem}.html"
        if not html.exists():
            unavailable(f"{html} is not built: run `bash scripts/build_book.sh`")
        page.goto(f"{server}/book/{html.name}", wait_until="load")
        hrefs = page.eval_on_selector_all("a.colab-badge-link:has(img[alt='Open in Colab'])",
                                          "nodes => nodes.map(n => n.href)")
        assert len(hrefs) == 1, f"{html.name}: expected one Open in Colab badge, found {hrefs}"
        match = COLAB.match(hrefs[0])
        assert match and match["name"] == f"{source.stem}.ipynb", (
            f"{html.name}: the badge opens {hrefs[0]}, not notebooks/{source.stem}.ipynb")
        assert (ROOT / "notebooks" / match["name"]).exists(), (
            f"{html.name}: notebooks/{match['name']} is missing: run `python tools/make_notebooks.py`")
