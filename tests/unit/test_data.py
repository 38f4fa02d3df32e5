"""Corpus, tokenisation, split and vocabulary (elmo_mini.data, elmo_mini.vocab)."""

import pytest

from elmo_mini.data import (
    load_corpus,
    load_sotu,
    sentences_with,
    sotu_sentences,
    split_corpus,
    split_of_address,
    split_sentences,
    tokenize,
)
from elmo_mini.vocab import Vocabulary


def test_tokenize_keeps_case_and_splits_clitics():
    assert tokenize("Don't tax the U.S. Bank's well-being, $1,000.") == [
        "Do", "n't", "tax", "the", "U.S.", "Bank", "'s", "well-being", ",", "$", "1,000", "."
    ]


def test_split_sentences_respects_abbreviations_and_paragraphs():
    text = "Mr. Smith went to Washington. He said \"Hi!\" Then J. Doe left.\n\nNew paragraph"
    assert split_sentences(text) == [
        "Mr. Smith went to Washington.", 'He said "Hi!"', "Then J. Doe left.", "New paragraph"
    ]


def test_split_by_address_is_documented():
    assert [split_of_address(i) for i in (0, 1, 10, 20, 30)] == [
        "test", "train", "valid", "test", "valid"
    ]


@pytest.mark.slow
def test_sotu_splits_are_disjoint_and_deterministic():
    train, valid, test = load_sotu("train"), load_sotu("valid"), load_sotu("test")
    assert len(train) > 10 * len(valid) > 0 and len(test) > 0
    assert load_sotu("valid") == valid  # cached, same result
    meta = sotu_sentences("valid")
    assert len(meta) == len(valid) and list(meta[0].tokens) == valid[0]
    addresses = {s.split: set() for s in meta}
    for split in ("train", "valid", "test"):
        addresses[split] = {s.address for s in sotu_sentences(split)}
    assert not addresses["train"] & addresses["valid"] and not addresses["train"] & addresses["test"]
    banks = sentences_with("bank")
    assert banks and all(isinstance(s.year, int) and s.president for s in banks)


def test_load_corpus_forms(tmp_path):
    path = tmp_path / "c.txt"
    path.write_text("One sentence here. And another one!\n", encoding="utf-8")
    assert load_corpus(path) == [["One", "sentence", "here", "."], ["And", "another", "one", "!"]]
    assert load_corpus(["A b.", "C d."]) == [["A", "b", "."], ["C", "d", "."]]
    assert load_corpus([["x", "y"], []]) == [["x", "y"]]


def test_bad_corpora_give_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="empty"):
        load_corpus([])
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="empty"):
        load_corpus(empty)
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("caf\xe9 au lait".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        load_corpus(latin)
    with pytest.raises(FileNotFoundError, match="not found"):
        load_corpus(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="at least 2"):
        split_corpus(load_corpus(["Only one sentence."]))


def test_vocabulary_build_encode_roundtrip(tmp_path):
    sentences = [["the", "cat"], ["the", "dog"], ["a", "cat"]]
    vocab = Vocabulary.build(sentences, max_size=5)
    assert vocab.words == ["<S>", "</S>", "<UNK>", "cat", "the"]  # by count, ties alphabetical
    assert vocab.encode(["the", "emu"], boundaries=True) == [0, 4, 2, 1]
    vocab.save(tmp_path / "v.txt")
    assert Vocabulary.load(tmp_path / "v.txt") == vocab
    assert len(Vocabulary.build(sentences, max_size=None, min_count=2)) == 5
    (tmp_path / "bad.txt").write_text("a\nb\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not an elmo_mini vocabulary"):
        Vocabulary.load(tmp_path / "bad.txt")
