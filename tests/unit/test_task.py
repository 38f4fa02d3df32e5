"""Chapter 12's task pieces on small inputs: supersense labels, caches, windows, the task model,
the penalty, F1, and fine-tuning from the shipped model (``TrainConfig.init_from``)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from elmo_mini import BiLM, Embedder, task, task_data
from elmo_mini.probes import Example
from elmo_mini.scalar_mix import ScalarMix
from elmo_mini.task import TaskConfig, per_class_f1, train_task


def test_supersenses_name_the_lexicographer_files():
    labels = task_data.supersenses()
    assert labels["09213565-n"] == "noun.object"  # the river bank
    assert len(set(labels.values())) == 41  # 26 noun and 15 verb files (noun.Tops included)


def test_supersense_examples_are_nouns_and_verbs_one_per_sentence():
    examples = [Example(("the", "bank", "."), 1, "bank", "n", "09213565-n"),
                Example(("the", "bank", "."), 1, "bank", "n", "09213565-n"),
                Example(("it", "is", "good"), 2, "good", "a", "01123148-a")]
    kept, labels = task_data.supersense_examples(examples)
    assert kept == examples[:1] and labels == ["noun.object"]
    with pytest.raises(ValueError, match="only 1"):
        task_data.supersense_examples(examples, size=5)


def test_word_table_gives_unk_zeros():
    table = task_data.WordTable(["a", "b"], np.array([[1, 2], [3, 4]], dtype=np.float32))
    np.testing.assert_array_equal(table.lookup(["b", "zzz"]), [[3, 4], [0, 0]])


def test_cached_layers_equal_the_embedder_and_are_read_back(tmp_path, tiny_config):
    torch.manual_seed(0)
    embedder = Embedder(BiLM(tiny_config), device="cpu")
    sentences = [("a", "cat", "sat"), ("dogs",)]
    first = task_data.cached_sentence_layers(embedder, sentences, tmp_path, progress=False)
    second = task_data.cached_sentence_layers(embedder, sentences, tmp_path, progress=False)
    direct = embedder.embed_sentences(sentences)
    for a, b, c in zip(first, second, direct):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, c, rtol=1e-3, atol=1e-3)  # stored as float16
    assert len(list((tmp_path / "task").glob("*.npz"))) == 1


def test_target_vectors_pick_each_examples_word():
    ex = [Example(("x", "y"), 1, "y", "n", "s"), Example(("z",), 0, "z", "v", "s")]
    layers = [np.arange(12, dtype=np.float32).reshape(3, 2, 2), np.ones((3, 1, 2), np.float32)]
    vectors = task_data.target_vectors(layers, ex)  # (L, N, D)
    assert vectors.shape == (3, 2, 2)
    np.testing.assert_array_equal(vectors[:, 0], layers[0][:, 1])


def test_window_features_centre_the_target():
    ex = [Example(("x", "y", "z"), 0, "x", "n", "s")]
    layers = [np.arange(3 * 3 * 2, dtype=np.float32).reshape(3, 3, 2)]  # (L, T, D)
    table = task_data.WordTable(["y"], np.ones((1, 4), dtype=np.float32))
    data = task_data.window_features(ex, ["noun.act"], layers, table, width=2)
    assert data.mask.tolist() == [[False, False, True, True, True]]
    torch.testing.assert_close(data.layers[0, 2], torch.from_numpy(layers[0][:, 0]))
    assert data.static[0, 3].tolist() == [1, 1, 1, 1] and data.static[0, 2].abs().sum() == 0


def test_penalty_and_elmo_input():
    mix = ScalarMix(3)
    with torch.no_grad():
        mix.scalars.copy_(torch.tensor([1.0, 0.0, -2.0]))
    assert task.mix_penalty(mix, 0.5).item() == pytest.approx(2.5)
    x, elmo = torch.ones(1, 2, 3), torch.full((1, 2, 4), 2.0)
    torch.testing.assert_close(task.elmo_input(x, elmo, 0.5, False), torch.cat([x, elmo], -1))
    out = task.elmo_input(x, elmo, 0.5, True)
    assert (out[..., :3] == 1).all() and set(out[..., 3:].unique().tolist()) <= {0.0, 4.0}


def test_per_class_f1():
    f1 = per_class_f1(["a", "b", "a"], ["a", "a", "b"], ["a", "b", "c"])
    assert f1 == {"a": pytest.approx(0.5), "b": 0.0, "c": 0.0}


def _toy_data(n=240, seed=0):
    """Labels readable from ELMo's layer 2 only; the static vectors are noise."""
    g = torch.Generator().manual_seed(seed)
    labels = torch.randint(0, 3, (n,), generator=g)
    layers = torch.randn(n, 3, 3, 8, generator=g)
    layers[:, 1, 2, :3] += 4 * torch.nn.functional.one_hot(labels, 3)
    return task_data.TaskData(torch.randn(n, 3, 4, generator=g), layers,
                              torch.ones(n, 3, dtype=torch.bool), labels, ["a", "b", "c"], 1)


def test_task_model_learns_from_elmo_and_the_mix_finds_the_layer():
    data = _toy_data()
    train, test = np.arange(180), np.arange(180, 240)
    fast = dict(hidden=8, epochs=30, lr=1e-2, batch_size=32, dropout=0.0)
    static = train_task(data, train, test, TaskConfig(layers=(), **fast))
    elmo = train_task(data, train, test, TaskConfig(lam=1e-4, at_output=True, **fast))
    assert elmo.accuracy > 0.9 > static.accuracy + 0.3
    assert elmo.weights.argmax() == 2 and elmo.output_weights.shape == (3,)
    held = train_task(data, train, test, TaskConfig(lam=100.0, **fast))
    np.testing.assert_allclose(held.weights, 1 / 3, atol=0.02)  # a large lambda: equal mix
    with pytest.raises(ValueError, match="needs an input"):
        TaskConfig(static=False, layers=())


def test_subsample_by_lemma_keeps_whole_lemmas():
    lemmas = [f"w{i % 10}" for i in range(100)]
    subset = task.subsample_by_lemma(lemmas, np.arange(100), 0.3)
    assert len({lemmas[i] for i in subset}) == 3 and len(subset) == 30


def test_fine_tuning_starts_from_the_shipped_weights(tmp_path):
    from elmo_mini.pretrained import load_pretrained
    from elmo_mini.train import TrainConfig, evaluate, train

    mini = load_pretrained()
    text = [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "ran", "home"]] * 20
    before = evaluate(mini.lm, text, mini.vocab)["ppl_mean"]
    result = train(TrainConfig(init_from="pretrained", max_steps=0, progress=False),
                   sentences=text)
    assert result.vocab.words == mini.vocab.words
    for name, value in mini.lm.state_dict().items():  # zero steps: the same weights
        torch.testing.assert_close(result.model.state_dict()[name].cpu(), value)
    tuned = train(TrainConfig(init_from="pretrained", max_steps=3, lr=1e-3, batch_tokens=200,
                              progress=False, dropout=0.0), sentences=text, run_dir=tmp_path)
    assert evaluate(tuned.model, text, tuned.vocab)["ppl_mean"] < before
    assert '"init_from": "pretrained"' in (tmp_path / "config.json").read_text()
