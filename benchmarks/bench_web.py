"""How fast is the "Try it" page's live panel in headless chromium?

    python benchmarks/bench_web.py [--rounds 3] [--queries 20]

Needs the built book (``bash scripts/build_book.sh``) and Debian's chromium. Serves
``_build/html`` on 127.0.0.1 and, in a fresh browser context each round (empty cache):

- time to first result: from the click that opens a panel until its first answer is on the page
  (downloading ONNX Runtime Web and the model's files from the local server, starting the runtime,
  one query: the panel computes its default word or sentence at once);
- per-query latency after load, for a word and for a 20-token sentence: the time the page itself
  measures (``performance.now()`` around the computation, shown to the reader) and the wall time
  seen from Playwright (fill, click, until the answer is on the page; includes the round trips).

Goals (issue 12): a word <= 50 ms, a 20-token sentence <= 300 ms after load. Issue 21: a
20-token sentence's predictions ("Predict": both LSTM stacks and the softmax over 20,000 words
at 21 positions per direction) <= 50 ms after load on 2 cores; model data <= 15 MB for any one
panel, <= 25 MB in all. Also prints the download sizes of the panels' files.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from support.browser import HTML, launch_chromium, serve  # noqa: E402

WORDS = ["snuffleupagus", "glamping", "unfriendable", "platypus", "axolotl", "kerfuffle",
         "Москва", "defenestration", "photobombing", "hangry"]
SENTENCE = ("After the storm the old power plant on the edge of town stayed closed for weeks "
            "while engineers worked .")  # 20 tokens
VARIANTS = ["worked", "waited", "argued", "slept", "left"]  # same length, a new sentence each time


def _wait_done(page, panel: str, text: str) -> None:
    page.wait_for_function(
        "([id, text]) => { const r = document.querySelector(`#${id} .elmo-result`);"
        " const s = document.querySelector(`#${id} .elmo-status`);"
        " return s.dataset.state === 'done' && r.dataset.query === text; }",
        arg=[panel, text], timeout=120_000)


def first_result(browser, url: str, panel: str) -> float:
    """Seconds from opening ``panel`` (fresh context, empty cache) to its first answer."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}/book/try_it.html")
    default = page.locator(f"#{panel} .elmo-row input").input_value()
    start = time.perf_counter()
    page.locator(f"#{panel} summary").first.click()
    _wait_done(page, panel, default)
    seconds = time.perf_counter() - start
    context.close()
    return seconds


def query_latencies(browser, url: str, panel: str, texts: list[str]) -> tuple[list, list]:
    """(in-page ms, wall ms) for each of ``texts``, after the panel has loaded."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}/book/try_it.html")
    page.locator(f"#{panel} summary").first.click()
    _wait_done(page, panel, page.locator(f"#{panel} .elmo-row input").input_value())
    in_page, wall = [], []
    for text in texts:
        start = time.perf_counter()
        page.locator(f"#{panel} .elmo-row input").fill(text)
        page.locator(f"#{panel} .elmo-row button").click()
        _wait_done(page, panel, text)
        wall.append(1000 * (time.perf_counter() - start))
        in_page.append(float(page.locator(f"#{panel} .elmo-status").get_attribute("data-ms")))
    context.close()
    return in_page, wall


def _summary(values: list[float]) -> str:
    return (f"median {statistics.median(values):6.1f}  min {min(values):6.1f}  "
            f"max {max(values):6.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="fresh page loads per panel")
    parser.add_argument("--queries", type=int, default=20, help="queries per panel")
    args = parser.parse_args()
    web = HTML / "elmo-web"
    if not (web / "data" / "manifest.json").is_file():
        raise SystemExit(f"no panel files in {web}: run `bash scripts/build_book.sh` first")
    print("download sizes (bytes):")
    total = 0
    for folder in ("data", "ort"):
        for f in sorted((web / folder).iterdir()):
            print(f"  {folder}/{f.name:28s} {f.stat().st_size:>12,}")
            total += f.stat().st_size if folder == "data" else 0
    print(f"  model data total (loaded on opening every panel) {total:,}")
    manifest = json.loads((web / "data" / "manifest.json").read_text())
    manifest_size = (web / "data" / "manifest.json").stat().st_size
    for panel, names in manifest["panels"].items():
        size = manifest_size + sum(manifest["bytes"][n] for n in names)
        print(f"  the {panel} panel loads {size:,} bytes of model data (budget 15,000,000)")
    for f in sorted(web.glob("*.js")) + [web / "panel.css"]:
        print(f"  {f.name:33s} {f.stat().st_size:>12,}")
    words = (WORDS * args.queries)[: args.queries]
    sentences = [SENTENCE.replace("worked", VARIANTS[i % len(VARIANTS)]) + " " * (i // 5)
                 for i in range(args.queries)]  # trailing spaces: a new query, same tokens
    with serve(HTML) as url, launch_chromium() as browser:
        for panel, name in (("elmo-any-word", "Any word"), ("elmo-any-sentence", "Any sentence"),
                            ("elmo-predict", "Predict"), ("elmo-filters", "Inside the CNN")):
            loads = [first_result(browser, url, panel) for _ in range(args.rounds)]
            print(f"{name}: time to first result after opening (s): "
                  + ", ".join(f"{s:.2f}" for s in loads))
        # (what, panel, queries, goal for the in-page time); the wall time adds Playwright's trips
        for what, panel, queries, goal in [
            ("word query", "elmo-any-word", words, "  (goal <= 50)"),
            ("20-token sentence", "elmo-any-sentence", sentences, "  (goal <= 300)"),
            ("20-token predictions", "elmo-predict", sentences, "  (goal <= 50)"),
            ("inside the CNN, a word", "elmo-filters", words, ""),
        ]:
            in_page, wall = query_latencies(browser, url, panel, queries)
            print(f"{what + ', in page (ms):':38s} {_summary(in_page)}{goal}")
            print(f"{what + ', wall (ms):':38s} {_summary(wall)}")


if __name__ == "__main__":
    main()
