"""What every browser test shares: the built book served on 127.0.0.1, and Debian's chromium.

The fixtures ``server`` (the base URL of ``_build/html``, served by a thread of the test process
and shut down by it) and ``browser`` (a headless chromium driven through Playwright's Python API,
never ``playwright install``) live in ``conftest.py`` and use the helpers below. Without a built
book or without chromium a browser test skips, except when the environment variable ``CI`` is
set: then it fails, so CI cannot pass by skipping.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]  # the repository
HTML = ROOT / "_build" / "html"
CHROMIUM = Path("/usr/bin/chromium")
# Flags for this machine's closed network: without the background-networking ones chromium
# keeps trying to reach Google's hosts.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-quic", "--no-first-run",
                 "--disable-sync"]


def unavailable(reason: str) -> None:
    """Skip (on a developer's machine) or fail (under CI) a browser test that cannot run."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)")
    pytest.skip(reason)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path = HTML) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) while the block runs; yields the base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0),
                                functools.partial(_QuietHandler, directory=str(directory)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@contextlib.contextmanager
def launch_chromium() -> Iterator[object]:
    """A headless Debian chromium (a Playwright ``Browser``), closed when the block ends."""
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
