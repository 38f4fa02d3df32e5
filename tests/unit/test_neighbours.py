"""elmo_mini.neighbours: occurrences, their cached vectors, contextual neighbours, agreement."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from elmo_mini import Embedder
from elmo_mini.neighbours import (
    cached_occurrence_vectors,
    contextual_neighbours,
    cue_label,
    find_occurrences,
    model_fingerprint,
    nearest_centroid,
    nearest_neighbour_agreement,
    occurrence_vectors,
)

CORPUS = [
    "the bank lent money to the farmers".split(),
    "we sat on the river bank".split(),
    "no word of interest here".split(),
    "banks of the river and the bank of the state".split(),
    "a bank".split(),
]


def test_find_occurrences_first_per_sentence_with_window_and_limit():
    found = find_occurrences(CORPUS, ["bank", "banks"])
    assert [(o.sentence, o.position, o.word) for o in found] == [
        (0, 1, "bank"), (1, 5, "bank"), (3, 0, "banks"), (4, 1, "bank")]
    windowed = find_occurrences(CORPUS, ["bank"], window=2)
    assert windowed[1].tokens == ("the", "river", "bank") and windowed[1].word == "bank"
    assert windowed[0].tokens == ("the", "bank", "lent", "money")
    assert [o.sentence for o in find_occurrences(CORPUS, ["bank", "banks"], limit=2)] == [0, 4]
    assert "[bank]" in windowed[0].text() and find_occurrences(CORPUS, ["Bank"]) == []


def test_occurrence_vectors_are_the_words_columns(tiny_bilm):
    embedder = Embedder(tiny_bilm, device="cpu")
    found = find_occurrences(CORPUS, ["bank", "banks"])
    vectors = occurrence_vectors(embedder, found, batch_size=3)
    assert vectors.shape == (3, 4, embedder.dim)
    one = embedder.embed_sentence(list(found[1].tokens))[:, found[1].position]
    np.testing.assert_allclose(vectors[:, 1], one, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(vectors[0, 0], vectors[0, 1])  # layer 0: same word, same vector
    assert not np.allclose(vectors[2, 0], vectors[2, 1])  # upper layers depend on the sentence


def test_cache_is_reused_and_keyed_by_model(tiny_bilm, tiny_config, tmp_path):
    embedder = Embedder(tiny_bilm, device="cpu")
    found = find_occurrences(CORPUS, ["bank"])
    first = cached_occurrence_vectors(embedder, found, cache_dir=tmp_path, progress=False)
    files = list((tmp_path / "neighbours").glob("*.npy"))
    assert len(files) == 1 and model_fingerprint(tiny_bilm) in files[0].name
    np.save(files[0], np.zeros_like(first))  # tamper: a second call must read the file
    assert not cached_occurrence_vectors(embedder, found, cache_dir=tmp_path, progress=False).any()
    from elmo_mini import BiLM

    other = Embedder(BiLM(tiny_config).eval(), device="cpu")
    assert model_fingerprint(other.model) != model_fingerprint(tiny_bilm)
    cached_occurrence_vectors(other, found, cache_dir=tmp_path, progress=False)
    assert len(list((tmp_path / "neighbours").glob("*.npy"))) == 2


def test_contextual_neighbours_finds_an_identical_sentence(tiny_bilm):
    embedder = Embedder(tiny_bilm, device="cpu")
    found = find_occurrences(CORPUS, ["bank", "banks"])
    vectors = occurrence_vectors(embedder, found)
    scores, index = contextual_neighbours(embedder, list(CORPUS[1]), 5, vectors, k=2)
    assert scores.shape == index.shape == (3, 2)
    assert index[2, 0] == 1 and scores[2, 0] == pytest.approx(1.0, abs=1e-5)


def test_nearest_neighbour_agreement():
    x = np.array([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0], [0.1, 1.0]])
    assert nearest_neighbour_agreement(x, ["a", "a", "b", "b"]) == 1.0
    assert nearest_neighbour_agreement(x, ["a", "b", "a", "b"]) == 0.0
    same = np.ones((4, 2))  # all tied: each sees 1 of 3 others with its label
    assert nearest_neighbour_agreement(same, ["a", "a", "b", "b"]) == pytest.approx(1 / 3)
    with pytest.raises(ValueError):
        nearest_neighbour_agreement(x, ["a"])


def test_cue_label_and_nearest_centroid():
    cues = {"river": ["river", "Mississippi"], "money": ["loans"]}
    assert cue_label("The Mississippi bank".split(), cues) == "river"
    assert cue_label("River bank loans".split(), cues) is None  # both
    assert cue_label("a bank".split(), cues) is None
    vectors = torch.tensor([[1.0, 0.0], [2.0, 0.2], [0.0, 1.0]])
    assert nearest_centroid(vectors, ["x", "x", "y"], np.array([[1.0, 0.1], [0.1, 2.0]])) == ["x", "y"]


def test_contextual_neighbours_with_layer_means(tiny_bilm):
    embedder = Embedder(tiny_bilm, device="cpu")
    found = find_occurrences(CORPUS, ["bank", "banks"])
    raw = occurrence_vectors(embedder, found)  # (3, N, 2P)
    mean = raw.mean(axis=1)  # (3, 2P)
    scores, index = contextual_neighbours(embedder, list(CORPUS[1]), 5, raw - mean[:, None], k=4,
                                          mean=mean)
    from elmo_mini.unseen import cosine_nearest

    expected, _ = cosine_nearest(raw[2, 1:2] - mean[2], raw[2] - mean[2], k=4)
    torch.testing.assert_close(scores[2], expected[0])
    assert index[2, 0] == 1
