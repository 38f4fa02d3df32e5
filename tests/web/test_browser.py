"""Open every built chapter in headless Chromium and look at it as a reader would.

Needs the built book (``bash scripts/build_book.sh``) and Debian's chromium at /usr/bin/chromium,
driven through Playwright's Python API (never ``playwright install``). Without them the tests
skip, except when the environment variable ``CI`` is set: then they fail.

Checks, per chapter page: every image loaded; no cell output shows a traceback (cells tagged
``raises-exception`` may, on purpose); the Colab badge and button name a notebook that exists in
``notebooks/``. A full-page screenshot of each chapter goes to ``screenshots/`` (gitignored).

Width (issue 14): with every folded cell and solution dropdown opened, no code cell of any
chapter scrolls sideways at 1280x800; the outputs that do, and what scrolls at a phone's 390x844,
are counted and printed (and written to ``screenshots/overflow.txt``). The column really holds
``LIMIT`` characters in a folded cell and ``SOLUTION_LIMIT`` in a solution, and a 90-character
line does scroll, so the count can fail. Dark mode: every figure is opaque or sits on a light
background (screenshots ``screenshots/dark_*.png``). Search works offline.
"""

from __future__ import annotations

import re

import pytest
from format_book_cells import LIMIT, SOLUTION_LIMIT
from make_notebooks import is_notebook
from support import ROOT
from support.browser import HTML, unavailable

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


# ---------------------------------------------------------------------------- width (issue 14)

WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
OPEN_EVERYTHING = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.admonition.dropdown.toggle-hidden, .toggle-hidden')
    .forEach(e => e.classList.remove('toggle-hidden'));
}"""
# Code cells and outputs whose content is wider than their box (they scroll sideways). An output
# counts once, whichever of its elements scrolls (a <pre>, a pandas table's wrapper).
OVERFLOW = """() => {
  const over = el => el.scrollWidth > el.clientWidth + 1;
  const code = [...document.querySelectorAll('.cell_input pre')];
  const outputs = [...document.querySelectorAll('.cell_output')];
  const wide = outputs.filter(o => [o, ...o.querySelectorAll('*')].some(over));
  return {code: code.length, code_over: code.filter(over).length,
          code_lines: code.filter(over).map(p => p.innerText.split('\\n')
            .reduce((a, b) => (b.length > a.length ? b : a), '').slice(0, 90)),
          outputs: outputs.length, outputs_over: wide.length,
          output_lines: wide.map(o => o.innerText.trim().split('\\n')[0].slice(0, 70))};
}"""
# How many characters of code one <pre> shows without scrolling (its box less its padding, over
# the width of one character of its font).
CAPACITY = """pre => {
  const style = getComputedStyle(pre);
  const probe = document.createElement('span');
  probe.textContent = 'x'.repeat(100);
  pre.appendChild(probe);
  const char = probe.getBoundingClientRect().width / 100;
  probe.remove();
  const inner = pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return {chars: Math.floor(inner / char + 1e-6), char_px: char, box_px: pre.clientWidth,
          font: style.fontFamily, size: style.fontSize};
}"""
# A line of n characters in the given <pre>: does it scroll?
SCROLLS_WITH = """(pre, n) => {
  const saved = pre.innerHTML;
  pre.textContent = 'x'.repeat(n);
  const scrolls = pre.scrollWidth > pre.clientWidth + 1;
  pre.innerHTML = saved;
  return scrolls;
}"""
REPORT: dict = {}


@pytest.fixture(scope="module")
def report():
    yield REPORT
    if REPORT:
        lines = [f"{name:28s} {w:>7s}  code cells scrolling {r['code_over']:2d}/{r['code']:3d}  "
                 f"outputs scrolling {r['outputs_over']:2d}/{r['outputs']:3d}"
                 for (name, w), r in sorted(REPORT.items())]
        for w in WIDTHS:
            code = sum(r["code_over"] for (_, ww), r in REPORT.items() if ww == w)
            outs = sum(r["outputs_over"] for (_, ww), r in REPORT.items() if ww == w)
            lines.append(f"{'all chapters':28s} {w:>7s}  code cells scrolling {code:2d}      "
                         f"outputs scrolling {outs:2d}")
        SHOTS.mkdir(exist_ok=True)
        (SHOTS / "overflow.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        print("\n" + "\n".join(lines))


def open_page(browser, server, path: str, size: tuple[int, int], dark: bool = False):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  color_scheme="dark" if dark else "light")
    context.route(re.compile(r"^(?!http://127\.0\.0\.1:).*"), lambda route: route.abort())
    page = context.new_page()
    page.goto(f"{server}/{path}", wait_until="load")
    return context, page


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("html", CHAPTERS or [None], ids=lambda p: p.stem if p else "none")
def test_nothing_scrolls_sideways(browser, server, report, html, width, capsys):
    if html is None:
        unavailable(f"no built chapters in {HTML / 'book'}: run `bash scripts/build_book.sh`")
    context, page = open_page(browser, server, f"book/{html.name}", WIDTHS[width])
    try:
        page.evaluate(OPEN_EVERYTHING)
        result = page.evaluate(OVERFLOW)
        # what a reader sees around the first folded cell (or the second code cell)
        cells = page.query_selector_all(".cell")
        target = page.query_selector(".cell.tag_hide-input") or (cells[1:] or cells or [None])[0]
        if target is not None:
            target.scroll_into_view_if_needed()
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{width}_{html.stem}.png"))
    finally:
        context.close()
    report[(html.stem, width)] = result
    with capsys.disabled():
        print(f"\n{html.stem} {width}: code cells scrolling {result['code_over']}/"
              f"{result['code']}, outputs scrolling {result['outputs_over']}/"
              f"{result['outputs']}" + "".join(f"\n    output: {t}"
                                                for t in result["output_lines"]))
    if width == "desktop":
        assert result["code_over"] == 0, (
            f"{html.name}: {result['code_over']} code cells scroll sideways at 1280 px; their "
            f"longest lines: {result['code_lines']}. Run `python tools/format_book_cells.py`.")


def _capacity_in(page, selector: str):
    handle = page.query_selector(selector)
    return None if handle is None else handle.evaluate(CAPACITY), handle


def test_the_column_holds_the_limits(browser, server):
    """The limits of tools/format_book_cells.py are what the built book shows at 1280 px."""
    if not CHAPTERS:
        unavailable(f"no built chapters in {HTML / 'book'}: run `bash scripts/build_book.sh`")
    plain = folded = solution = None
    for html in CHAPTERS:
        context, page = open_page(browser, server, f"book/{html.name}", WIDTHS["desktop"])
        try:
            page.evaluate(OPEN_EVERYTHING)
            found = {
                "plain": _capacity_in(page, ".cell:not(.tag_hide-input) .cell_input pre"),
                "folded": _capacity_in(page, ".cell.tag_hide-input .cell_input pre"),
                "solution": _capacity_in(page, ".solution .cell_input pre"),
            }
            for name, (capacity, handle) in found.items():
                if capacity is None:
                    continue
                limit = {"plain": LIMIT, "folded": LIMIT, "solution": SOLUTION_LIMIT}[name]
                print(f"{html.stem} {name}: {capacity}")
                assert capacity["chars"] >= limit, (
                    f"{html.name}: a {name} code cell shows {capacity['chars']} characters at "
                    f"1280 px, fewer than the limit {limit} of tools/format_book_cells.py")
                assert not handle.evaluate(SCROLLS_WITH, limit), name
                # the probe that the overflow count can fail: 90 characters do scroll
                assert handle.evaluate(SCROLLS_WITH, 90), (
                    f"{html.name}: a 90-character line does not scroll: the overflow test "
                    "could not fail")
            plain = plain or found["plain"][0]
            folded = folded or found["folded"][0]
            solution = solution or found["solution"][0]
        finally:
            context.close()
        if plain and folded and solution:
            break
    assert plain and folded and solution, (
        "no chapter has a plain, a folded (hide-input) and a solution code cell to measure")


FIGURE_BACKGROUND = """img => {
  // corners of the image as drawn (alpha 255 = opaque), and the box's background colour
  const canvas = document.createElement('canvas');
  canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const w = canvas.width - 1, h = canvas.height - 1;
  const alphas = [[0, 0], [w, 0], [0, h], [w, h]].map(([x, y]) => ctx.getImageData(x, y, 1, 1).data[3]);
  const bg = getComputedStyle(img).backgroundColor.match(/[\\d.]+/g).map(Number);
  const [r, g, b, a = 1] = bg;
  return {src: img.currentSrc.split('/').pop(), alphas,
          background_luminance: a > 0 ? (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 : null};
}"""


@pytest.mark.parametrize("stem", ["01_words_and_characters", "08_unseen_words",
                                  "09_contextual_neighbours"])
def test_dark_mode_figures_are_legible(browser, server, stem):
    """Matplotlib draws black on white; in dark mode each figure must keep a light ground."""
    if not (HTML / "book" / f"{stem}.html").exists():
        unavailable(f"no built chapter {stem}: run `bash scripts/build_book.sh`")
    context, page = open_page(browser, server, f"book/{stem}.html", WIDTHS["desktop"], dark=True)
    try:
        page.evaluate("document.documentElement.dataset.theme = 'dark';"
                      "document.documentElement.dataset.mode = 'dark';")
        page.evaluate("document.querySelectorAll('img[loading=lazy]')"
                      ".forEach(i => { i.loading = 'eager'; })")
        page.wait_for_function("Array.from(document.images).every(i => i.complete)",
                               timeout=15000)
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        body = page.evaluate("getComputedStyle(document.body).backgroundColor")
        figures = page.query_selector_all(".bd-content .cell_output img, .bd-content figure img")
        assert figures, f"{stem}: no figures found"
        for img in figures:
            info = img.evaluate(FIGURE_BACKGROUND)
            opaque = min(info["alphas"]) == 255
            light = (info["background_luminance"] or 0) > 0.6
            assert opaque or light, (
                f"{stem}: figure {info['src']} is transparent and sits on a dark background "
                f"in dark mode ({info}); the page is {body}")
        SHOTS.mkdir(exist_ok=True)
        first = figures[0]
        first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"dark_{stem}.png"))
    finally:
        context.close()


def test_search_finds_a_word_offline(browser, server):
    """Sphinx's search page (its index is a local script) finds "snuffleupagus" with no network."""
    if not (HTML / "search.html").exists():
        unavailable(f"no {HTML / 'search.html'}: run `bash scripts/build_book.sh`")
    context, page = open_page(browser, server, "search.html?q=snuffleupagus", WIDTHS["desktop"])
    try:
        page.wait_for_selector("#search-results li", timeout=20000)
        page.wait_for_function(
            "!document.querySelector('#search-results h2') ||"
            " !/Searching/.test(document.querySelector('#search-results h2').innerText)",
            timeout=20000)
        hits = page.eval_on_selector_all("#search-results li a",
                                         "links => links.map(a => a.getAttribute('href'))")
        print(f"search for snuffleupagus: {len(hits)} pages: {hits}")
        assert any("08_unseen_words" in h for h in hits), (
            f"searching 'snuffleupagus' did not find chapter 8 (found {hits})")
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "search_snuffleupagus.png"))
    finally:
        context.close()


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
