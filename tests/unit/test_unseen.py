"""elmo_mini.unseen: layer-0 vectors of any word, cosine neighbours, n-grams, agreement rates."""

from __future__ import annotations

import pytest
import torch

from elmo_mini import Embedder
from elmo_mini.unseen import (
    agreement_rate,
    chance_rate,
    char_cnn_vectors,
    char_ngrams,
    cosine_nearest,
    single_pos_lemmas,
    suffix,
)


def test_char_cnn_vectors_equal_layer_0_in_any_sentence(tiny_bilm):
    words = ["snuffleupagus", "bank", "dextromethorphan"]
    vectors = char_cnn_vectors(tiny_bilm, words, batch_size=2)  # two batches
    assert vectors.shape == (3, tiny_bilm.config.projection_dim)
    layers = Embedder(tiny_bilm, device="cpu").embed_sentence(["the", "snuffleupagus", "sat"])
    P = tiny_bilm.config.projection_dim
    torch.testing.assert_close(torch.from_numpy(layers[0, 1, :P]), vectors[0])
    torch.testing.assert_close(torch.from_numpy(layers[0, 1, P:]), vectors[0])
    torch.testing.assert_close(char_cnn_vectors(tiny_bilm.char_cnn, words), vectors)  # a CharCNN too


def test_char_cnn_vectors_of_no_word(tiny_bilm):
    assert char_cnn_vectors(tiny_bilm, []).shape == (0, tiny_bilm.config.projection_dim)


def test_cosine_nearest_ranks_by_angle_not_length():
    keys = torch.tensor([[10.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    scores, index = cosine_nearest(torch.tensor([[1.0, 0.1], [0.0, 3.0]]), keys, k=2)
    assert index.tolist() == [[0, 2], [1, 2]]
    torch.testing.assert_close(scores[1], torch.tensor([1.0, 2**-0.5]))
    assert cosine_nearest(keys, keys, k=10)[1].shape == (3, 3)  # k is capped at N


def test_char_ngrams_match_gensim():
    compute_ngrams = pytest.importorskip("gensim.models.fasttext_inner").compute_ngrams
    assert char_ngrams("cat", 3, 4) == ["<ca", "cat", "at>", "<cat", "cat>"]
    for word in ["snuffleupagus", "un", "a", "dextromethorphan"]:
        assert char_ngrams(word, 3, 6) == compute_ngrams(word, 3, 6)


def test_agreement_and_chance():
    assert suffix("Running") == "ing" and suffix("go") == "go"
    assert agreement_rate(["n", "v", "n"], ["n", "n", "n"]) == pytest.approx(2 / 3)
    # pool: 3 of 4 are "n": a noun query agrees with a random pool word 3/4 of the time, a verb 1/4
    assert chance_rate(["n", "v"], ["n", "n", "n", "v"]) == pytest.approx((0.75 + 0.25) / 2)
    assert chance_rate(["a"], ["n", "v"]) == 0.0
    with pytest.raises(ValueError):
        agreement_rate(["n"], [])


def test_single_pos_lemmas():
    pytest.importorskip("elmo_mini.wordnet").wordnet_dir()
    pos_of = single_pos_lemmas()
    assert pos_of["hippopotamus"] == "n" and pos_of["quickly"] == "r"
    assert "bank" not in pos_of  # noun and verb
    assert all(w.isalpha() and w.islower() for w in list(pos_of)[:1000])

