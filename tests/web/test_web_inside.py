"""The "Try it" page's panels that look inside ELMo give the numbers elmo_mini gives, in chromium.

Typed into like a reader (the model is ``test_web_panel.py``), and compared with the package:

- "Predict": for 4 sentences and every position (moved with the arrow keys and by clicking),
  the forward and the backward LM's top-10 words equal ``LanguageModel.log_probs``' top 10, with
  probabilities within 1e-4 (the weights are the shipped float16 ones, computed in float32 on
  both sides); each direction's perplexity within 1e-4 relative;
- "Inside the character CNN": for 8 words, the strongest filters, the windows that won their max,
  the heatmap's values (atol 1e-4), the highway carry and the layer-0 neighbours;
- "Mix the layers": for each preset, the 5 nearest occurrences of the mixed, centred vectors;
- links: a shared address (``#panel=…&q=…&at=…``) reproduces the panel, its input and the word.

Skips without a built book or chromium, fails under CI (``support.browser.unavailable``).
"""

from __future__ import annotations

from urllib.parse import quote

import numpy as np
import pytest
import torch
from support.panel import ask, ask_and_pick, open_panel, record, try_it_page, wait_position

from elmo_mini import batch_to_ids
from elmo_mini.data import tokenize

ATOL = 1e-4
PREDICT = ["The president asked Congress to cut taxes .",
           "We camped on the bank of the river .",
           "The snuffleupagus refused to pay its taxes .",  # an unseen word: <UNK> as a target
           "Our economy is strong , and the state of the Union is strong ."]
WORDS = ["unfriendable", "bank", "snuffleupagus", "taxes", "Москва", "1776", "glamping", "Mr."]


@pytest.fixture(scope="module")
def python_side():
    from elmo_mini import Embedder
    from elmo_mini.pretrained import load_pretrained
    from elmo_mini.web_export import panel_tables

    mini = load_pretrained()
    mini.lm.float()
    return mini, Embedder(mini.bilm, device="cpu"), panel_tables(mini.bilm, mini.vocab)


@pytest.fixture(scope="module")
def page(server, browser):
    yield from try_it_page(server, browser, needs="lm_softmax.onnx")


def _top10(log_probs: torch.Tensor, words):
    values, ids = log_probs.exp().topk(10)
    return [words[i] for i in ids.tolist()], values.numpy()


def _shown(page, direction: str):
    lines = page.locator(f"#elmo-predict pre[data-vector={direction}]")
    if lines.count() == 0:
        return None
    text = _vector_text(page, direction)
    pairs = [line.split("\t") for line in text.strip().split("\n")]
    return [w for w, _ in pairs], np.array([float(p) for _, p in pairs])


def _vector_text(page, name: str) -> str:
    details = page.locator(f"#elmo-predict details.elmo-vector:has(pre[data-vector={name}])")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return page.locator(f"#elmo-predict pre[data-vector={name}]").inner_text()


def test_predict_matches_python(page, python_side):
    mini, _, _ = python_side
    words = mini.vocab.words
    open_panel(page, "elmo-predict")
    for text in PREDICT:
        tokens = tokenize(text)
        box = page.locator("#elmo-predict .elmo-row input")
        box.fill("")
        box.type(text)  # a reader types, then presses Enter
        box.press("Enter")
        page.wait_for_function(
            "t => document.querySelector('#elmo-predict .elmo-result').dataset.query === t && "
            "document.querySelector('#elmo-predict .elmo-status').dataset.state === 'done'",
            arg=text, timeout=30_000)
        shown = page.locator("#elmo-predict .elmo-token").all_inner_texts()
        assert shown == ["<S>", *tokens, "</S>"]
        forward, backward = mini.lm.log_probs(batch_to_ids([tokens]))  # (1, T + 1, V)
        n = len(tokens) + 2
        page.locator("#elmo-predict .elmo-token").first.click()  # position 0, then arrow keys
        for position in range(n):
            if position:  # back to the token row (reading the numbers moved the focus)
                page.locator("#elmo-predict .elmo-token.elmo-picked").focus()
                page.keyboard.press("ArrowRight")
            wait_position(page, "elmo-predict", position)
            for direction, row in (("forward", forward[0, position] if position < n - 1 else None),
                                   ("backward", backward[0, position - 1] if position else None)):
                got = _shown(page, direction)
                if row is None:
                    assert got is None, f"{text!r} {position}: {direction} shows a prediction"
                    continue
                expected_words, expected_p = _top10(row, words)
                assert got[0] == expected_words, f"{text!r} at {position}, {direction}"
                diff = float(np.abs(got[1] - expected_p).max())
                record("predict: top-10 probabilities", diff)
                assert diff <= ATOL, f"{text!r} at {position}, {direction}: {diff:.2e}"
        ids = mini.vocab.encode(tokens, boundaries=True)
        ppl = page.locator("#elmo-predict .elmo-perplexity")
        for direction, logp, targets in (("forward", forward[0], ids[1:]),
                                         ("backward", backward[0], ids[:-1])):
            nll = -logp[torch.arange(n - 1), torch.tensor(targets)].mean()
            got = float(ppl.get_attribute(f"data-{direction}"))
            assert got == pytest.approx(float(nll.exp()), rel=1e-4), f"{text!r} {direction}"
        if "snuffleupagus" in tokens:  # an unseen word is predicted as <UNK>, labelled so
            page.locator("#elmo-predict .elmo-token", has_text="snuffleupagus").click()
            assert "not in the vocabulary" in ppl.inner_text()
        page.locator("#elmo-predict .elmo-token").nth(2).click()  # a click moves the cursor
        wait_position(page, "elmo-predict", 2)


def test_predict_labels_unk(page):
    open_panel(page, "elmo-predict")
    ask(page, "elmo-predict", "The snuffleupagus said snuffleupagus .")
    page.locator("#elmo-predict .elmo-token").nth(1).click()  # "The": next is unseen
    wait_position(page, "elmo-predict", 1)
    labels = page.locator("#elmo-predict .elmo-bar-word").all_inner_texts()
    line = page.locator("#elmo-predict .elmo-actual-line").first.inner_text()
    assert "<UNK> (any word outside" in line
    assert all(not t.startswith("<UNK>") or "outside" in t for t in labels)


def _python_filters(mini, word: str):
    cnn = mini.bilm.char_cnn
    ids = batch_to_ids([[word]])[:, 0]  # (1, 50)
    with torch.no_grad():
        chars = cnn.char_embedding(ids).transpose(1, 2)
        windows = {w: conv(chars)[0].numpy() for (w, _), conv in
                   zip(mini.config.filters, cnn.convolutions)}  # width -> (n_w, 50 - w + 1)
        x = cnn.activation(torch.cat([torch.from_numpy(v).max(-1).values
                                      for v in windows.values()]))
        carry = float((1 - torch.sigmoid(cnn.highway.gates[0](x))).mean())
    return windows, carry


def test_filters_match_python(page, python_side):
    from elmo_mini.unseen import char_cnn_vectors, cosine_nearest

    mini, _, tables = python_side
    open_panel(page, "elmo-filters")
    for word in WORDS:
        ask(page, "elmo-filters", word)
        windows, carry = _python_filters(mini, word)
        pooled = sorted(((max(float(v.max()), 0.0), w, f) for w, rows in windows.items()
                         for f, v in enumerate(rows)), key=lambda t: (-t[0], t[1], t[2]))
        items = page.locator("#elmo-filters .elmo-filters li")
        shown = items.evaluate_all(
            "ls => ls.map(l => [l.dataset.filter, Number(l.dataset.start), Number(l.dataset.value)])")
        assert [s[0] for s in shown] == [f"{w}:{f}" for _, w, f in pooled[:8]], word
        for name, start, value in shown:
            width, f = map(int, name.split(":"))
            row = windows[width][f]
            assert abs(value - row.max()) <= ATOL and abs(row[start] - row.max()) <= ATOL, name
            record("filters: winning window value", abs(value - float(row.max())))
        for table in page.locator("#elmo-filters table.elmo-heat").all():
            width = int(table.get_attribute("data-width"))
            for tr in table.locator("tbody tr").all():
                f = int(tr.get_attribute("data-filter").split(":")[1])
                values = np.array(tr.locator("td").evaluate_all(
                    "cs => cs.map(c => Number(c.dataset.value))"))
                diff = float(np.abs(values - windows[width][f][: len(values)]).max())
                record("filters: heatmap values", diff)
                assert diff <= ATOL, f"{word!r} width {width} filter {f}: {diff:.2e}"
        got_carry = float(page.locator("#elmo-filters .elmo-carry").get_attribute("data-carry"))
        assert got_carry == pytest.approx(carry, abs=ATOL)
        vector = char_cnn_vectors(mini.bilm, [word]).numpy()
        _, index = cosine_nearest(vector - tables.vocab_mean, tables.vocab_vectors - tables.vocab_mean,
                                  k=5)
        shown_words = page.locator("#elmo-filters td.elmo-word").all_inner_texts()
        assert shown_words[:5] == [tables.vocab_words[i] for i in index[0].tolist()], word


MIX_SENTENCES = [("We camped on the bank of the river .", "bank"),
                 ("She gave me a present for my birthday .", "present"),
                 ("The interest on the national debt keeps rising .", "interest")]


def test_mix_presets_match_python(page, python_side):
    from elmo_mini.unseen import cosine_nearest
    from elmo_mini.web_export import CHAPTER10_MIX

    _, embedder, tables = python_side
    open_panel(page, "elmo-any-sentence")
    for text, word in MIX_SENTENCES:
        tokens, position = ask_and_pick(page, "elmo-any-sentence", text, tables.forms[word])
        layers = embedder.embed_sentence(tokens)[:, position] - tables.layer_means  # (3, 2P)
        presets = page.locator("#elmo-any-sentence .elmo-preset")
        assert presets.count() == 4 + len(CHAPTER10_MIX)
        for k in range(presets.count()):
            presets.nth(k).click()
            weights = np.array(page.locator("#elmo-any-sentence .elmo-mix").get_attribute(
                "data-weights").split(), dtype=np.float64)
            query = np.tensordot(weights, layers, axes=1)  # (2P,)
            rows = np.tensordot(weights, tables.vectors[word], axes=1)  # (N, 2P)
            scores, index = cosine_nearest(query[None], rows, k=5)
            cells = page.locator("#elmo-any-sentence .elmo-mixed td[data-index]")
            shown = [int(i) for i in cells.evaluate_all("cs => cs.map(c => c.dataset.index)")]
            got = [float(s) for s in page.locator(
                "#elmo-any-sentence .elmo-mixed .elmo-score").all_inner_texts()]
            name = presets.nth(k).inner_text()
            if name.startswith("ch. 10: "):  # chapter 10's learned weights (normalised)
                learned = np.array(CHAPTER10_MIX[name[len("ch. 10: "):]])
                np.testing.assert_allclose(weights, learned / learned.sum(), atol=1e-6)
            assert got == pytest.approx(scores[0].tolist(), abs=0.006), f"{text!r} {name}"
            if weights[0] < 0.99:  # layer 0 alone ties every occurrence of a form
                assert shown == index[0].tolist(), f"{text!r}: preset {name}"


def test_links_reproduce_the_view(server, browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    text = "The bank raised interest rates ."
    page.goto(f"{server}/book/try_it.html#panel=predict&q={quote(text)}&at=3")
    page.locator("#elmo-predict .elmo-result[data-position='3']").wait_for(timeout=120_000)
    assert page.locator("#elmo-predict .elmo-row input").input_value() == text
    assert page.locator("#elmo-predict .elmo-token.elmo-picked").inner_text() == "raised"
    page.locator("#elmo-predict .elmo-token").nth(5).click()
    page.wait_for_function("() => location.hash.includes('at=5')")
    shared = page.url
    other = context.new_page()
    other.goto(shared)
    other.locator("#elmo-predict .elmo-result[data-position='5']").wait_for(timeout=120_000)
    assert other.locator("#elmo-predict .elmo-token.elmo-picked").inner_text() == "rates"
    sentence = "He sat on the river bank ."
    other.goto(f"{server}/book/try_it.html#panel=sentence&q={quote(sentence)}&at=5")
    other.locator("#elmo-any-sentence .elmo-result[data-position='5']").wait_for(timeout=120_000)
    assert other.locator("#elmo-any-sentence .elmo-row input").input_value() == sentence
    other.goto(f"{server}/book/try_it.html#panel=filters&q=glamping")
    other.wait_for_function("() => document.querySelector('#elmo-filters .elmo-result')"
                            "?.dataset.query === 'glamping'", timeout=120_000)
    assert other.locator("#elmo-any-word").get_attribute("open") is None
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots(server, browser, width):
    """Screenshots of every panel open, for a person to look at (/tmp/elmo_web_<width>.png)."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/book/try_it.html#panel=predict&q={quote(PREDICT[0])}&at=4")
    page.locator("#elmo-predict .elmo-result[data-position='4']").wait_for(timeout=120_000)
    for panel in ("elmo-filters", "elmo-any-sentence"):
        open_panel(page, panel)
        page.locator(f"#{panel} .elmo-status[data-state=done]").wait_for(timeout=60_000)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    page.screenshot(path=f"/tmp/elmo_web_{width}.png", full_page=True)
    context.close()
    assert overflow <= 0, f"the page scrolls sideways at {width} px by {overflow} px"


#: Where each panel appears inline, in the chapter that teaches its idea (issue 21).
CHAPTER_PANELS = [("03_char_cnn", "elmo-filters"), ("06_training", "elmo-predict"),
                  ("07_layers_and_mix", "elmo-mix"), ("09_contextual_neighbours", "elmo-any-sentence")]


@pytest.mark.parametrize(("chapter", "panel"), CHAPTER_PANELS)
def test_chapter_panels_load_only_when_opened(server, browser, chapter, panel):
    from support.browser import HTML, unavailable

    if not (HTML / "book" / f"{chapter}.html").is_file():
        unavailable(f"{chapter}.html is not built")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "/elmo-web/data/" in r.url else None)
    page.goto(f"{server}/book/{chapter}.html")
    page.wait_for_load_state("load")
    page.wait_for_timeout(1000)  # the panel's script has run (it fetches nothing before opening)
    root = page.locator(f"#{panel}")
    assert root.count() == 1, f"{chapter} has no {panel} panel"
    assert root.get_attribute("open") is None and fetched == [], "nothing loads until opened"
    open_panel(page, panel)
    page.locator(f"#{panel} .elmo-status[data-state=done]").wait_for(timeout=60_000)
    assert fetched, "opening the panel loads the model"
    if panel == "elmo-mix":
        assert page.locator("#elmo-mix .elmo-preset").count() >= 4
    context.close()


def test_sentence_tokens_by_keyboard(page):
    """The sentence panel's tokens are one toolbar: arrow keys, Home and End move the pick."""
    open_panel(page, "elmo-any-sentence")
    ask(page, "elmo-any-sentence", "We camped on the bank of the river .")
    wait_position(page, "elmo-any-sentence", 4)  # "bank", the first target word
    picked = page.locator("#elmo-any-sentence .elmo-token.elmo-picked")
    picked.focus()
    page.keyboard.press("ArrowRight")
    wait_position(page, "elmo-any-sentence", 5)
    assert picked.get_attribute("aria-pressed") == "true" and picked.inner_text() == "of"
    page.keyboard.press("End")
    wait_position(page, "elmo-any-sentence", 8)
    page.keyboard.press("Home")
    wait_position(page, "elmo-any-sentence", 0)
    assert page.evaluate("() => document.activeElement.textContent") == "We"
