"""elmo_mini.bilm through Embedder: padding, the two directions, layer 0, devices."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from elmo_mini import Embedder


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


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine")
def test_runs_on_cuda(tiny_bilm):
    cpu = Embedder(tiny_bilm, device="cpu").embed_sentence(["a", "b"])
    gpu = Embedder(tiny_bilm, device="cuda").embed_sentence(["a", "b"])
    np.testing.assert_allclose(cpu, gpu, rtol=1e-4, atol=1e-5)


def test_default_device_is_cuda_when_available(tiny_bilm):
    emb = Embedder(tiny_bilm)
    assert emb.device.type == ("cuda" if torch.cuda.is_available() else "cpu")
