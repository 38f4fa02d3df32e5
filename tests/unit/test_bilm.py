"""The pieces of the model: shapes, the exact shortcuts, round trips, devices."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from elmo_mini import BiLM, Embedder, ScalarMix, batch_to_ids, load_original, save_original
from elmo_mini.chars import EOS_IDS, add_sentence_boundaries, word_to_char_ids
from elmo_mini.lstm import reverse_padded


def test_word_to_char_ids_scheme():
    ids = word_to_char_ids("cat")
    assert len(ids) == 50
    # begin-of-word 258, the bytes of "cat", end-of-word 259, padding 260; all shifted by +1
    assert ids[:6] == [259, ord("c") + 1, ord("a") + 1, ord("t") + 1, 260, 261]
    assert set(ids[5:]) == {261}


def test_long_and_unusual_tokens_follow_the_original():
    long = word_to_char_ids("x" * 1000)
    assert long[0] == 259 and long[-1] == 260 and long[1:49] == [ord("x") + 1] * 48
    assert word_to_char_ids("")[:3] == [259, 260, 261]  # an empty token is still a token
    snowman = word_to_char_ids("☃")  # 3 UTF-8 bytes
    assert snowman[1:4] == [b + 1 for b in "☃".encode()]
    cjk = word_to_char_ids("漢" * 20)  # 60 bytes: truncated to 48, the last character cut
    assert cjk[1:49] == [b + 1 for b in ("漢" * 20).encode()[:48]]


def test_batch_to_ids_pads_with_zero_rows():
    ids = batch_to_ids([["a", "b", "c"], ["d"]])
    assert ids.shape == (2, 3, 50) and ids.dtype == torch.long
    assert (ids[1, 1:] == 0).all() and (ids[0] > 0).any(-1).all()


def test_boundaries_go_right_after_each_sentence():
    ids, mask = add_sentence_boundaries(batch_to_ids([["a", "b", "c"], ["d"]]))
    assert ids.shape == (2, 5, 50)
    assert mask.tolist() == [[True] * 5, [True, True, True, False, False]]
    assert ids[1, 2].tolist() == EOS_IDS and (ids[1, 3:] == 0).all()


def test_fast_char_cnn_equals_plain(tiny_bilm):
    sentences = [["the", "cat", "sat", "the"], ["a" * 60, "", "☃"], []]
    ids = batch_to_ids(sentences)
    with torch.no_grad():
        fast = tiny_bilm.char_cnn(ids, fast=True)
        plain = tiny_bilm.char_cnn(ids, fast=False)
    torch.testing.assert_close(fast, plain, rtol=1e-6, atol=1e-6)
    assert (fast[2] == 0).all() and (fast[1, 3] == 0).all()


def test_fast_char_cnn_gradients_equal_plain(tiny_bilm):
    """The fast path's filler rows and cut characters must not leak into any weight's gradient."""
    ids = batch_to_ids([["the", "cat", "sat", "the"], ["snuffleupagus", "☃"]])
    grads = []
    for fast in (True, False):
        tiny_bilm.zero_grad()
        tiny_bilm.char_cnn(ids, fast=fast).square().sum().backward()
        grads.append({name: p.grad.clone() for name, p in tiny_bilm.char_cnn.named_parameters()})
    for name, grad in grads[0].items():
        torch.testing.assert_close(grad, grads[1][name], rtol=1e-5, atol=1e-6, msg=name)


def test_fast_char_cnn_gives_convolutions_few_shapes(tiny_bilm):
    """oneDNN builds a kernel per input shape: the fast path rounds the convolutions' input up
    (words to a multiple of ROW_MULTIPLE, characters to one of CHAR_MULTIPLE, at most 50), so
    batches of 1 to 40 distinct words of up to 14 characters meet five shapes (41 without the rounding)."""
    from elmo_mini.char_cnn import CHAR_MULTIPLE, ROW_MULTIPLE

    shapes = set()
    hook = tiny_bilm.char_cnn.convolutions[0].register_forward_pre_hook(
        lambda module, args: shapes.add(tuple(args[0].shape))
    )
    with torch.no_grad():
        for n_words in range(1, 41):
            words = [chr(ord("a") + i % 26) * (1 + i % 12) + str(i) for i in range(n_words)]
            tiny_bilm.char_cnn(batch_to_ids([words]))
        tiny_bilm.char_cnn(batch_to_ids([["a" * 60]]))  # longer than 50 characters
    hook.remove()
    for n_rows, _, n_chars in shapes:
        assert n_rows % ROW_MULTIPLE == 0 and (n_chars % CHAR_MULTIPLE == 0 or n_chars == 50)
    assert len(shapes) <= 5, shapes


def test_reverse_padded_reverses_within_length():
    x = torch.arange(8).view(2, 4, 1).float()
    out = reverse_padded(x, torch.tensor([4, 2]))
    assert out[:, :, 0].tolist() == [[3, 2, 1, 0], [5, 4, 6, 7]]


def test_lstm_layer_on_a_ragged_batch_equals_each_row_alone():
    """Rows of different lengths in one batch: outputs, final states and input gradients are
    those of each row run alone (the layer skips masking while every row is still real)."""
    from elmo_mini.lstm import LstmCellWithProjection

    torch.manual_seed(0)
    layer = LstmCellWithProjection(6, 10, 4, cell_clip=0.5, proj_clip=0.5)
    lengths = [5, 2, 4]
    x = torch.randn(3, 5, 6, requires_grad=True)
    mask = torch.arange(5)[None, :] < torch.tensor(lengths)[:, None]  # (3, 5)
    out, (h, c) = layer(x, mask)
    (out.sum() + h.sum() + c.sum()).backward()
    for b, n in enumerate(lengths):
        row = x.detach()[b : b + 1, :n].clone().requires_grad_(True)
        out_b, (h_b, c_b) = layer(row, torch.ones(1, n, dtype=torch.bool))
        (out_b.sum() + h_b.sum() + c_b.sum()).backward()
        torch.testing.assert_close(out[b, :n], out_b[0])
        assert torch.all(out[b, n:] == 0)
        torch.testing.assert_close(h[b], h_b[0])
        torch.testing.assert_close(c[b], c_b[0])
        torch.testing.assert_close(x.grad[b, :n], row.grad[0])
        assert torch.all(x.grad[b, n:] == 0)


def test_padding_does_not_change_a_sentence(tiny_bilm):
    emb = Embedder(tiny_bilm, device="cpu")
    alone = emb.embed_sentence(["the", "cat", "sat"])
    layers, _ = emb.embed_batch([["the", "cat", "sat"], ["a", "much", "longer", "sentence", "here"]])
    np.testing.assert_allclose(layers[:, 0, :3].numpy(), alone, rtol=1e-5, atol=1e-6)


def test_backward_direction_reads_right_to_left(tiny_bilm):
    """Changing the last word changes the backward layer at the first word, not the forward one."""
    emb = Embedder(tiny_bilm, device="cpu")
    a = emb.embed_sentence(["one", "two", "three"])
    b = emb.embed_sentence(["one", "two", "four"])
    p = tiny_bilm.config.projection_dim
    np.testing.assert_array_equal(a[1, 0, :p], b[1, 0, :p])
    assert np.abs(a[1, 0, p:] - b[1, 0, p:]).max() > 1e-4


def test_layer_zero_is_the_token_vector_twice(tiny_bilm):
    v = Embedder(tiny_bilm, device="cpu").embed_sentence(["hello", "world"])
    p = tiny_bilm.config.projection_dim
    assert v.shape == (3, 2, 2 * p)
    np.testing.assert_array_equal(v[0, :, :p], v[0, :, p:])


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


def test_scalar_mix_is_a_softmax_weighted_scaled_sum():
    mix = ScalarMix(3)
    layers = [torch.full((2, 4, 5), float(k)) for k in range(3)]
    torch.testing.assert_close(mix(layers), torch.full((2, 4, 5), 1.0))  # equal weights: mean
    with torch.no_grad():
        mix.scalars.copy_(torch.tensor([0.0, 0.0, 100.0]))
        mix.gamma.fill_(2.0)
    torch.testing.assert_close(mix(layers), torch.full((2, 4, 5), 4.0))
    normed = ScalarMix(3, do_layer_norm=True)(
        [torch.randn(2, 4, 5) * 3 + 1 for _ in range(3)], torch.ones(2, 4, dtype=torch.bool)
    )
    assert normed.shape == (2, 4, 5)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_runs_on_cuda(tiny_bilm):
    cpu = Embedder(tiny_bilm, device="cpu").embed_sentence(["a", "b"])
    gpu = Embedder(tiny_bilm, device="cuda").embed_sentence(["a", "b"])
    np.testing.assert_allclose(cpu, gpu, rtol=1e-4, atol=1e-5)


def test_default_device_is_cuda_when_available(tiny_bilm):
    emb = Embedder(tiny_bilm)
    assert emb.device.type == ("cuda" if torch.cuda.is_available() else "cpu")
