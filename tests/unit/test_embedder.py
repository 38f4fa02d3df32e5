"""elmo_mini.embedder: bad input gets a clear error or a documented behaviour, never a crash deep
inside torch."""

from __future__ import annotations

import numpy as np
import pytest

from elmo_mini import Embedder, save_original


@pytest.fixture
def emb(tiny_bilm):
    return Embedder(tiny_bilm, device="cpu")


def test_empty_sentence_gives_zero_tokens(emb):
    out = emb.embed_sentence([])
    assert out.shape == (3, 0, emb.dim) and out.dtype == np.float32
    both = emb.embed_sentences([[], ["word"]])
    assert both[0].shape == (3, 0, emb.dim) and both[1].shape == (3, 1, emb.dim)
    assert emb.embed_sentences([]) == []


def test_token_that_is_not_a_string_is_named(emb):
    with pytest.raises(TypeError, match=r"token 1 of sentence 0 is a int"):
        emb.embed_sentence(["a", 3, "b"])


def test_plain_string_suggests_split(emb):
    with pytest.raises(TypeError, match=r"split\(\)"):
        emb.embed_sentence("The bank is closed")
    with pytest.raises(TypeError, match=r"split\(\)"):
        emb.embed_sentences("The bank is closed")


@pytest.mark.parametrize("token", ["", "🙂", "漢字", "x" * 1000, "<S>", "</S>"])
def test_unusual_tokens_are_embedded(emb, token):
    out = emb.embed_sentence(["before", token, "after"])
    assert out.shape == (3, 3, emb.dim) and np.isfinite(out).all()


def test_missing_files_name_the_path(tmp_path, tiny_bilm):
    with pytest.raises(FileNotFoundError, match="nope.json"):
        Embedder.from_original(tmp_path / "nope.json", tmp_path / "w.hdf5")
    save_original(tiny_bilm, tmp_path / "options.json", tmp_path / "w.hdf5")
    with pytest.raises(FileNotFoundError, match="missing.hdf5"):
        Embedder.from_original(tmp_path / "options.json", tmp_path / "missing.hdf5")


def test_bad_batch_size(emb):
    with pytest.raises(ValueError, match="batch_size"):
        emb.embed_sentences([["a"]], batch_size=0)
