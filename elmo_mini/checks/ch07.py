"""Self-checks for chapter 7 (layers and the scalar mix): ``scalar_mix``, ``masked_layer_norm``,
and the prediction of what layer 0 holds (``predict_layer0``)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from ..scalar_mix import masked_layer_norm, scalar_mix
from .common import as_array, assert_close, call, describe, fail, passed, plain


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


def _mix_hint(got: np.ndarray, layers: torch.Tensor, scalars: torch.Tensor, gamma) -> str:
    """Name the likely mistake of a wrong scalar_mix."""
    def mix(weights):  # (L,) -> gamma * sum_k weights[k] * layers[k]
        return (weights[:, None, None, None] * layers).sum(0)

    softmaxed = mix(torch.softmax(scalars, 0))
    if got.shape != tuple(softmaxed.shape):
        return ("the mix has the shape of one layer: sum the weighted layers over the layer "
                "axis, dim=0")
    known = {
        "the weights are softmax(scalars), not the raw scalars": [gamma * mix(scalars), mix(scalars)],
        "multiply the weighted sum by gamma": [softmaxed],
        "weight each layer by softmax(scalars)[k]; a plain mean ignores the scalars":
            [gamma * layers.mean(0)],
        "every weight came out as 1, a softmax over an axis of size 1: take the softmax over the "
        "L scalars (dim=0) before reshaping them": [gamma * layers.sum(0)],
        "exp(scalars) must be normalised to sum to 1: that is what the softmax does":
            [gamma * mix(scalars.exp())],
        "the weighted layers are summed, not averaged: the softmax weights already sum to 1":
            [gamma * softmaxed / len(layers)],
    }
    for hint, values in known.items():
        if any(_same(got, v) for v in values):
            return hint
    return "weights = torch.softmax(scalars, dim=0); then gamma * the sum of weights[k] * layers[k]"


def check_scalar_mix(fn: Callable) -> None:
    """``fn(layers, scalars, gamma)``: gamma * sum_k softmax(scalars)_k * layers[k]."""
    layers, scalars, _ = _layers()
    gamma = torch.tensor(1.7)
    crash = ("the weights (L,) broadcast against the LAST axis of layers (L, B, T, D): reshape "
             "them to (L, 1, 1, 1) first")
    got = as_array(call(fn, layers, scalars, gamma, name="scalar_mix", hint=crash), "scalar_mix")
    expected = scalar_mix(layers, scalars, gamma)
    if not _same(got, expected):
        assert_close(got, expected, "scalar_mix(layers, scalars, gamma)",
                     _mix_hint(got, layers, scalars, gamma), rtol=1e-4)
    passed("check_scalar_mix", "3 layers of shape (2, 4, 5), scalars [0.5, -1, 2], gamma 1.7")


def _norm_hint(got: np.ndarray, layer: torch.Tensor, mask: torch.Tensor) -> str:
    """Name the likely mistake of a wrong masked_layer_norm (compared at the real tokens)."""
    values = layer[mask]  # (n_real, D)
    mean, std = values.mean(), values.std(unbiased=False)
    n_real = values.shape[0]
    per_token = (layer * mask[..., None]).sum() / n_real  # a masked sum over tokens, not elements
    known = {
        "one mean and one std for the whole layer, not one per vector (that is nn.LayerNorm)":
            torch.nn.functional.layer_norm(layer, layer.shape[-1:], eps=1e-13),
        "leave the padded positions (mask False) out of the mean and the std":
            masked_layer_norm(layer, None),
        "use the population std (divide by n, torch.std(..., unbiased=False)), as AllenNLP":
            (layer - mean) / values.std(),
        "divide by the std, the square root of the variance": (layer - mean) / std ** 2,
        "after subtracting the mean, divide by the std": layer - mean,
        "the mean is over the real ELEMENTS: divide the masked sums by mask.sum() * D, not "
        "mask.sum()": (layer - per_token) / torch.sqrt(
            ((layer - per_token) ** 2 * mask[..., None]).sum() / n_real),
        "one mean and one std for the whole layer, not one per feature (dim 0 of the real tokens)":
            (layer - values.mean(0)) / values.std(0, unbiased=False),
    }
    real = mask.numpy()
    for hint, value in known.items():
        v = value.detach().numpy()
        if got.shape == v.shape and np.allclose(got[real], v[real], rtol=1e-4, atol=1e-5):
            return hint
    return "mean and std over the elements where mask is True, over every dimension"


def check_masked_layer_norm(fn: Callable) -> None:
    """``fn(layer, mask)``: (layer - mean) / std over all unmasked elements of the layer."""
    layers, _, mask = _layers()
    layer = layers[0] + 3.0  # (2, 4, 5), mean far from 0
    got = as_array(call(fn, layer, mask, name="masked_layer_norm"), "masked_layer_norm")
    expected = masked_layer_norm(layer, mask)
    if got.shape != tuple(expected.shape):
        assert_close(got, expected, "masked_layer_norm(layer, mask)",
                     "the result has the shape of the layer: (B, T, D)")
    # Padded positions may hold anything: compare the real tokens only.
    real = np.broadcast_to(mask.numpy()[..., None], got.shape)
    want = expected.numpy()
    bad = real & ~np.isclose(got.astype(np.float64), want, rtol=1e-4, atol=1e-5)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        fail(f"masked_layer_norm(layer, mask) differs at index {plain(where)}: got "
             f"{plain(got[where])}, expected {plain(want[where])} ({int(bad.sum())} of the "
             f"{int(real.sum())} values at real tokens differ)", _norm_hint(got, layer, mask))
    passed("check_masked_layer_norm", "a (2, 4, 5) layer with 2 padded positions")


def _tiny_embedder(stateful: bool = False):
    """A small random biLM (seed 0) in an ``Embedder``: enough to measure what a layer holds."""
    from ..bilm import BiLM
    from ..config import ElmoConfig
    from ..embedder import Embedder

    config = ElmoConfig(char_dim=4, filters=[[1, 4], [2, 8], [3, 8]], lstm_dim=16,
                        projection_dim=8)
    with torch.random.fork_rng():
        torch.manual_seed(0)
        model = BiLM(config)
    return Embedder(model, stateful=stateful, device="cpu")


def _layer0_measured() -> tuple[float, float]:
    """(distance between the two halves of a token's layer 0, cosine of one word's layer 0 in
    two sentences), measured on a small random biLM."""
    embedder = _tiny_embedder()
    money = embedder.embed_sentence(["the", "bank", "raised", "rates"])[0, 1]  # (2P,)
    river = embedder.embed_sentence(["a", "muddy", "bank"])[0, 2]  # (2P,)
    half = len(money) // 2
    distance = float(np.linalg.norm(money[:half] - money[half:]))
    cosine = float(money @ river / (np.linalg.norm(money) * np.linalg.norm(river)))
    return distance, cosine


def check_layer0_prediction(fn: Callable) -> None:
    """``fn()`` returns a prediction ``(distance, cosine)`` for layer 0: the distance between the
    two halves of one token's vector, and the cosine between one word's vectors in two sentences.
    Both are measured here on a small random biLM and compared with the prediction."""
    name = "predict_layer0()"
    got = call(fn, name=name)
    shape_hint = ("return two numbers, (distance, cosine): the distance between the two halves "
                  "of one token's layer 0, then the cosine between a word's layer 0 in two "
                  "sentences")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        fail(f"{name} returned {describe(got)}, expected 2 numbers", shape_hint)
    try:
        distance, cosine = float(got[0]), float(got[1])
    except (TypeError, ValueError):
        fail(f"{name} returned {describe(got)}, expected 2 numbers", shape_hint)
    true_distance, true_cosine = _layer0_measured()
    if not abs(distance - true_distance) <= 1e-3:
        hint = ("a distance is never negative, and the two halves of [x, x] are the same vector"
                if distance < 0 else
                "layer 0 is the char-CNN's vector written twice, [x, x], not a forward and a "
                "backward half, so its two halves are equal")
        fail(f"your distance between the two halves of layer 0 is {plain(distance)}, measured: "
             f"{plain(round(true_distance, 6))}", hint)
    if not abs(cosine - true_cosine) <= 1e-3:
        hint = ("a cosine is at most 1, the value for two vectors that point the same way"
                if cosine > 1 else
                "the char-CNN reads only the word's own characters, so a word's layer 0 is the "
                "same vector in every sentence")
        fail(f"your cosine between a word's layer 0 in two sentences is {plain(cosine)}, "
             f"measured: {plain(round(true_cosine, 6))}", hint)
    passed("check_layer0_prediction", "distance 0 between the halves, cosine 1 across sentences")
