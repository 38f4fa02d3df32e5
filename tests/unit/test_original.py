"""elmo_mini.original: it reproduces the original ELMo's outputs from the original weight files,
writes files it reads back exactly, and names what is wrong in a bad file."""

from __future__ import annotations

import json

import h5py
import numpy as np
import pytest
import torch

from elmo_mini import BiLM, Embedder, batch_to_ids, load_original, save_original

FIXTURES = [
    ("elmo_fixtures", "sentences.json"),  # AllenNLP's, use_skip_connections: true
    ("bilm_tf_fixtures", "lm_embeddings_sentences.json"),  # bilm-tf's, use_skip_connections: false
]


def _load(reference_dir, folder, stateful=True):
    d = reference_dir / folder
    emb = Embedder.from_original(d / "options.json", d / "lm_weights.hdf5", stateful=stateful, device="cpu")
    return d, emb


def _expected(d, k, i):
    with h5py.File(d / f"lm_embeddings_{k}.hdf5", "r") as f:
        forward, backward = f[str(i)][...]  # each (n_tokens, P)
    return np.concatenate([forward, backward], axis=-1)


@pytest.mark.parametrize("folder,sentences_file", FIXTURES)
def test_top_layer_matches_reference_statefully(reference_dir, folder, sentences_file):
    """As the reference test: batch i = sentence i of each of 3 lists, 10 calls, one model."""
    d, emb = _load(reference_dir, folder)
    lists = json.loads((d / sentences_file).read_text())
    assert len(lists) == 3 and all(len(s) == 10 for s in lists)
    for i in range(10):
        batch = [lists[k][i].split() for k in range(3)]
        layers, mask = emb.embed_batch(batch)  # (3, 3, T, 2P)
        for k in range(3):
            expected = _expected(d, k, i)
            n = len(batch[k])
            assert expected.shape[0] == n == int(mask[k].sum())
            np.testing.assert_allclose(layers[2, k, :n].numpy(), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("folder,sentences_file", FIXTURES)
def test_embed_sentences_stateful_chunks_match_reference(reference_dir, folder, sentences_file):
    """embed_sentences(batch_size=3, stateful) runs consecutive chunks like the original."""
    d, emb = _load(reference_dir, folder)
    lists = json.loads((d / sentences_file).read_text())
    flat = [lists[k][i].split() for i in range(10) for k in range(3)]
    vectors = emb.embed_sentences(flat, batch_size=3)
    for i in range(10):
        for k in range(3):
            got = vectors[3 * i + k]
            assert got.dtype == np.float32 and got.shape == (3, len(flat[3 * i + k]), 32)
            np.testing.assert_allclose(got[2], _expected(d, k, i), rtol=1e-5, atol=1e-6)


def test_stateless_default_ignores_history_and_differs_from_stateful(reference_dir):
    d, emb = _load(reference_dir, "elmo_fixtures", stateful=False)
    lists = json.loads((d / "sentences.json").read_text())
    sentence = lists[0][3].split()
    first = emb.embed_sentence(sentence)
    emb.embed_sentences([s.split() for s in lists[1]], batch_size=4)
    np.testing.assert_array_equal(emb.embed_sentence(sentence), first)
    # The stateful model, after other sentences, gives other vectors: the well-known trap.
    _, stateful = _load(reference_dir, "elmo_fixtures", stateful=True)
    stateful.embed_sentences([s.split() for s in lists[1]], batch_size=1)
    assert np.abs(stateful.embed_sentence(sentence)[2] - first[2]).max() > 1e-3
    stateful.reset_state()
    np.testing.assert_allclose(stateful.embed_sentence(sentence), first, rtol=1e-5, atol=1e-6)


def test_token_embeddings_match_reference(reference_dir):
    """The char-CNN's vector for each of the 458 test words (10 sentences of 50, last padded).

    (Only AllenNLP's fixture ships expected token embeddings.)
    """
    d, emb = _load(reference_dir, "elmo_fixtures", stateful=False)
    words = (d / "vocab_test.txt").read_text().split("\n")
    words = [w for w in words if w]
    with h5py.File(d / "elmo_token_embeddings.hdf5", "r") as f:
        expected = f["embedding"][...]
    assert len(words) == expected.shape[0] == 458
    got = []
    for start in range(0, len(words), 50):
        ids = batch_to_ids([words[start : start + 50]])  # (1, <=50, 50)
        with torch.no_grad():
            got.append(emb.model.char_cnn(ids)[0])
    got = torch.cat(got).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_sentence_start_token_equals_added_boundary(reference_dir):
    d, emb = _load(reference_dir, "elmo_fixtures", stateful=False)
    with torch.no_grad():
        added = emb.model(batch_to_ids([["a"]])).layers[0][0, 0]  # <S> added by the model
        typed = emb.model.char_cnn(batch_to_ids([["<S>"]]))[0, 0]
    torch.testing.assert_close(torch.cat([typed, typed]), added)


@pytest.mark.parametrize("skip", [True, False])
def test_save_original_round_trip(tmp_path, tiny_config, skip):
    tiny_config.use_skip_connections = skip
    torch.manual_seed(1)
    model = BiLM(tiny_config).eval()
    save_original(model, tmp_path / "options.json", tmp_path / "weights.hdf5")
    loaded = load_original(tmp_path / "options.json", tmp_path / "weights.hdf5")
    assert loaded.config == model.config
    for (name, a), (_, b) in zip(model.state_dict().items(), loaded.state_dict().items()):
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)
    sentences = [["Round", "trip", "."], ["ok"]]
    a = Embedder(model, device="cpu").embed_sentences(sentences)
    b = Embedder(loaded, device="cpu").embed_sentences(sentences)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_not_hdf5(tmp_path, tiny_bilm):
    save_original(tiny_bilm, tmp_path / "options.json", tmp_path / "w.hdf5")
    (tmp_path / "fake.hdf5").write_text("this is not HDF5")
    with pytest.raises(ValueError, match="not an HDF5 file"):
        load_original(tmp_path / "options.json", tmp_path / "fake.hdf5")


def test_missing_dataset_is_named(tmp_path, tiny_bilm):
    save_original(tiny_bilm, tmp_path / "options.json", tmp_path / "w.hdf5")
    with h5py.File(tmp_path / "w.hdf5", "a") as f:
        del f["CNN_proj/W_proj"]
    with pytest.raises(ValueError, match=r"no dataset 'CNN_proj/W_proj' \(expected shape \(28, 8\)\)"):
        load_original(tmp_path / "options.json", tmp_path / "w.hdf5")


def test_shape_disagreeing_with_options_is_named(tmp_path, tiny_bilm):
    save_original(tiny_bilm, tmp_path / "options.json", tmp_path / "w.hdf5")
    options = json.loads((tmp_path / "options.json").read_text())
    options["lstm"]["dim"] = 32  # the file was written with C = 24
    (tmp_path / "options.json").write_text(json.dumps(options))
    with pytest.raises(ValueError, match=r"W_0' .* has shape \(16, 96\), but options.json implies \(16, 128\)"):
        load_original(tmp_path / "options.json", tmp_path / "w.hdf5")


def test_options_missing_a_key(tmp_path):
    (tmp_path / "options.json").write_text(json.dumps({"lstm": {"dim": 4}}))
    with pytest.raises(ValueError, match="missing the key 'char_cnn'"):
        load_original(tmp_path / "options.json", tmp_path / "w.hdf5")
