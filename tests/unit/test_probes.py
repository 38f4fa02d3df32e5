"""The probes of chapter 10 on small hand-made inputs, and the WordNet example set."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from elmo_mini import Embedder, probes
from elmo_mini.probes import Example
from elmo_mini.vector_cache import model_fingerprint


def test_leave_one_out_nearest_uses_cosine_and_never_itself():
    vectors = np.array([[1.0, 0.0], [10.0, 1.0], [0.0, 1.0], [0.1, 5.0]])
    senses = ["a", "a", "b", "b"]
    assert probes.leave_one_out_nearest(vectors, senses) == senses  # lengths do not matter


def test_most_frequent_leaves_the_example_out():
    assert probes.leave_one_out_most_frequent(["a", "a", "b"]) == ["a", "a", "a"]
    assert probes.leave_one_out_most_frequent(["a", "b", "b", "a"]) == ["b", "a", "a", "b"]


def _examples():
    s = [("x", "1"), ("x", "1"), ("x", "2"), ("x", "2"), ("y", "3"), ("y", "3"), ("y", "4")]
    return [Example(("w",), 0, lemma, "n", sense) for lemma, sense in s]


def test_wsd_accuracy_with_perfect_and_useless_vectors():
    examples = _examples()
    good = np.eye(4)[[0, 0, 1, 1, 2, 2, 3]][None]  # (1, 7, 4): one direction per sense
    result = probes.wsd_accuracy(good, examples)
    assert result["layer 0"] == pytest.approx(6 / 7)  # the lone sense-4 example cannot be right
    assert result["random neighbour"] == pytest.approx((4 * 1 / 3 + 2 * 1 / 2) / 7)
    assert result["most frequent sense"] == pytest.approx(2 / 7)  # only the ties of lemma y


def test_split_by_lemma_keeps_lemmas_apart():
    lemmas = [f"w{i % 13}" for i in range(100)]
    train, test = probes.split_by_lemma(lemmas, 0.25, seed=1)
    assert not {lemmas[i] for i in train} & {lemmas[i] for i in test}
    assert sorted([*train, *test]) == list(range(100))


def test_mix_probes_find_the_informative_layer():
    rng = np.random.default_rng(0)
    n, d = 400, 8
    labels = rng.integers(0, 2, n)
    layers = rng.standard_normal((3, n, d)).astype(np.float32)
    layers[2, :, 0] += 3 * labels  # only layer 2 knows the label
    names = [str(y) for y in labels]
    lemmas = [f"w{i % 40}" for i in range(n)]
    train, test = probes.split_by_lemma(lemmas)
    result = probes.train_mix_probe(layers, names, train, test)
    assert result.weights.argmax() == 2 and result.test_accuracy > 0.9
    examples = [Example(("w",), 0, lemmas[i], "n", f"{lemmas[i]}-{names[i]}") for i in range(n)]
    result = probes.train_mix_neighbours(layers, examples, train, test)
    assert result.weights.argmax() == 2


def test_embed_targets_picks_the_target_and_caches(tiny_bilm, tmp_path, monkeypatch):
    embedder = Embedder(tiny_bilm, device="cpu")
    examples = [Example(("the", "bank", "."), 1, "bank", "n", "s1"),
                Example(("a", "bank"), 1, "bank", "n", "s2")]
    vectors = probes.embed_targets(embedder, examples, progress=False, cache_dir=tmp_path)
    assert vectors.shape == (3, 2, embedder.dim)
    full = embedder.embed_sentence(["the", "bank", "."])
    np.testing.assert_allclose(vectors[:, 0], full[:, 1], rtol=1e-5, atol=1e-6)
    files = list((tmp_path / "probes").glob("*.npy"))  # chapter 9's policy: one file per
    assert len(files) == 1 and files[0].name.startswith(model_fingerprint(tiny_bilm))  # weights

    def embed_again(*args, **kwargs):
        raise AssertionError("embedded again instead of reading the cached file")

    monkeypatch.setattr(embedder, "embed_sentences", embed_again)
    again = probes.embed_targets(embedder, examples, progress=False, cache_dir=tmp_path)
    np.testing.assert_array_equal(again, vectors)
    monkeypatch.undo()
    with torch.no_grad():
        for p in tiny_bilm.parameters():
            p.zero_()  # new weights: the stale file is not read
    changed = probes.embed_targets(embedder, examples, progress=False, cache_dir=tmp_path)
    assert not np.allclose(changed, vectors)
    assert len(list((tmp_path / "probes").glob("*.npy"))) == 2


def test_wordnet_examples():
    try:
        examples = probes.wordnet_examples()
    except FileNotFoundError as err:
        pytest.skip(f"WordNet 3.0 files not installed ({err})")
    assert len(examples) > 40_000
    bank = [e for e in probes.wsd_examples(examples) if e.lemma == "bank" and e.pos == "n"]
    assert {e.sense for e in bank} == {"08420278-n", "09213565-n"}
    assert all(e.word.lower() == "bank" for e in bank)
