"""The built site works with no network: every page, opened in chromium with the internet cut off.

Needs the built book (``bash scripts/build_book.sh``) and Debian's chromium (see
``tests/support/browser.py``); skips without them, fails under CI. For every HTML page a reader can open
(the chapters, the appendices, the Try it page, the index, search and genindex pages), served from
127.0.0.1 with every request to any other address aborted, it asserts:

- no request left 127.0.0.1: no script, style, font or image comes from a CDN;
- every ``.math`` element was typeset by MathJax (it holds an ``mjx-container``), so no formula
  is left as raw TeX; MathJax itself is served from ``_static/mathjax`` (npm's ``mathjax``);
- no console error and no uncaught page error was logged (the theme's "THEBE_JS_URL has already
  been declared" and the widget managers' failed CDN loads among them).

A page opened from the file system (``file://``) cannot fetch the live panels' model; the Try it
page says so and names the command that serves the book.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from support.browser import HTML, unavailable

pytestmark = pytest.mark.slow

# Folders of the built site that hold assets or generated copies, not pages a reader opens.
NOT_PAGES = {"_static", "_sources", "_images", "jupyter_execute", "elmo-web", "_sphinx_design_static"}
PAGES = sorted(
    p.relative_to(HTML).as_posix()
    for p in HTML.rglob("*.html")
    if not NOT_PAGES.intersection(p.relative_to(HTML).parts[:-1])
)
LOCAL = re.compile(r"^(http://127\.0\.0\.1:\d+/|data:|blob:|about:)")


def pages_or_skip() -> list[str]:
    return PAGES or [""]


@pytest.fixture(scope="module")
def offline_context(browser):
    """One browser context whose every request outside 127.0.0.1 is aborted and recorded."""
    outside: list[str] = []

    def guard(route):
        if LOCAL.match(route.request.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", guard)
    yield context, outside
    context.close()


@pytest.mark.parametrize("path", pages_or_skip())
def test_page_works_offline(offline_context, server, path):
    if not path:
        unavailable(f"no built pages in {HTML}: run `bash scripts/build_book.sh`")
    context, outside = offline_context
    outside.clear()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    try:
        page.goto(f"{server}/{path}", wait_until="load")
        page.wait_for_load_state("networkidle")
        n_math = page.evaluate("document.querySelectorAll('.math').length")
        if n_math:
            # MathJax typesets after load; its startup promise settles when the page is done.
            try:
                page.wait_for_function(
                    "window.MathJax && MathJax.startup && MathJax.startup.promise",
                    timeout=15000)
                page.evaluate("MathJax.startup.promise.then(() => true)")
            except PlaywrightError as e:
                errors.append(f"MathJax did not start: {str(e).splitlines()[0]}")
        raw = page.evaluate(
            "Array.from(document.querySelectorAll('.math'))"
            ".filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))")
        page.wait_for_timeout(200)  # late console messages (theme scripts run after load)
    finally:
        page.close()
    problems = []
    if outside:
        problems.append(f"{len(outside)} outside request(s): {sorted(set(outside))}")
    if raw:
        problems.append(f"{len(raw)} of {n_math} formulas not rendered by MathJax, e.g. {raw[:2]}")
    if errors:
        problems.append(f"{len(errors)} console/page error(s): {errors}")
    assert not problems, f"{path}: " + "; ".join(problems)


def test_mathjax_is_served_by_the_site():
    """The pages load MathJax from the site itself (npm's mathjax, copied by build_book.sh)."""
    if not PAGES:
        unavailable(f"no built pages in {HTML}: run `bash scripts/build_book.sh`")
    chapter = (HTML / "book" / "05_bilstm.html").read_text(encoding="utf-8")
    srcs = re.findall(r'<script[^>]+src="([^"]*mathjax[^"]*)"', chapter, re.IGNORECASE)
    assert srcs, "chapter 5 loads no MathJax script"
    for src in srcs:
        assert not re.match(r"^(https?:)?//", src), f"MathJax hot-linked from {src}"
        local = (HTML / "book" / src.split("?")[0]).resolve()
        assert local.is_file(), f"chapter 5 loads {src}, which is not in the built site"


def test_try_it_from_the_file_system_says_how_to_serve(browser):
    """Opened as a file, the panels cannot fetch their model: the page shows the command instead."""
    try_it = HTML / "book" / "try_it.html"
    if not try_it.is_file():
        unavailable(f"{try_it} is missing: run `bash scripts/build_book.sh`")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(Path(try_it).as_uri(), wait_until="load")
        notice = page.locator(".elmo-file-notice").first
        notice.wait_for(state="visible", timeout=10000)
        text = notice.inner_text()
    finally:
        context.close()
    assert "python3 -m http.server" in text and "_build/html" in text, text
