"""Self-checks for chapter 7 (layers and the scalar mix): ``scalar_mix``, ``masked_layer_norm``."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from ..scalar_mix import masked_layer_norm, scalar_mix
from .common import as_array, assert_close, call, passed


def _layers() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Three layers (3, B=2, T=4, D=5) on different scales, unnormalised weights s, and a mask."""
    g = torch.Generator().manual_seed(7)
    layers = torch.randn(3, 2, 4, 5, generator=g) * torch.tensor([8.0, 1.0, 2.0])[:, None, None, None]
    scalars = torch.tensor([0.5, -1.0, 2.0])
    mask = torch.tensor([[True, True, True, True], [True, True, False, False]])
    return layers, scalars, mask


def _same(got: np.ndarray, expected: torch.Tensor) -> bool:
    e = expected.detach().numpy()
    return got.shape == e.shape and np.allclose(got, e, rtol=1e-4, atol=1e-5)


def check_scalar_mix(fn: Callable) -> None:
    """``fn(layers, scalars, gamma)``: gamma * sum_k softmax(scalars)_k * layers[k]."""
    layers, scalars, _ = _layers()
    gamma = torch.tensor(1.7)
    got = as_array(call(fn, layers, scalars, gamma, name="scalar_mix"), "scalar_mix")
    expected = scalar_mix(layers, scalars, gamma)
    if not _same(got, expected):
        weighted = (scalars[:, None, None, None] * layers).sum(0)
        softmaxed = (torch.softmax(scalars, 0)[:, None, None, None] * layers).sum(0)
        if _same(got, gamma * weighted) or _same(got, weighted):
            hint = "the weights are softmax(scalars), not the raw scalars"
        elif _same(got, softmaxed):
            hint = "multiply the weighted sum by gamma"
        elif _same(got, gamma * layers.mean(0)):
            hint = "weight each layer by softmax(scalars)[k]; a plain mean ignores the scalars"
        else:
            hint = "weights = torch.softmax(scalars, dim=0); then sum weights[k] * layers[k]"
        assert_close(got, expected, "scalar_mix(layers, scalars, gamma)", hint=hint, rtol=1e-4)
        raise AssertionError(f"scalar_mix(layers, scalars, gamma) is wrong. Hint: {hint}")
    passed("check_scalar_mix", "3 layers of shape (2, 4, 5), scalars [0.5, -1, 2], gamma 1.7")


def check_masked_layer_norm(fn: Callable) -> None:
    """``fn(layer, mask)``: (layer - mean) / std over all unmasked elements of the layer."""
    layers, _, mask = _layers()
    layer = layers[0] + 3.0  # (2, 4, 5), mean far from 0
    got = as_array(call(fn, layer, mask, name="masked_layer_norm"), "masked_layer_norm")
    expected = masked_layer_norm(layer, mask)
    if _same(got, expected):
        passed("check_masked_layer_norm", "a (2, 4, 5) layer with 2 padded positions")
        return
    keep = got[mask.numpy()]  # the real positions only: padding may hold anything
    if keep.shape == expected[mask].shape and np.allclose(keep, expected[mask].numpy(), 1e-4, 1e-5):
        passed("check_masked_layer_norm", "a (2, 4, 5) layer with 2 padded positions")
        return
    per_vector = torch.nn.functional.layer_norm(layer, layer.shape[-1:], eps=1e-13)
    values = layer[mask]
    unbiased = (layer - values.mean()) / values.std()
    no_mask = masked_layer_norm(layer, None)
    if _same(got, per_vector):
        hint = "one mean and one std for the whole layer, not one per vector (that is nn.LayerNorm)"
    elif _same(got, no_mask):
        hint = "leave the padded positions (mask False) out of the mean and the std"
    elif _same(got, unbiased):
        hint = "use the population std (divide by n, torch.std(..., unbiased=False)), as AllenNLP"
    else:
        hint = "mean and std over the elements where mask is True, over every dimension"
    assert_close(got, expected, "masked_layer_norm(layer, mask)", hint=hint, rtol=1e-4)
    raise AssertionError(f"masked_layer_norm is wrong. Hint: {hint}")
