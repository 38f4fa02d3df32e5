"""Self-checks for chapter 3 (the character CNN): one width's max-pooled convolution, a highway layer."""

from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

from ..char_cnn import Highway
from .common import as_array, assert_close, call, passed


def _conv_inputs(n_words: int, length: int, dim: int, n_filters: int, width: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    chars = torch.randn(n_words, length, dim, generator=g)  # (N, L, E)
    weight = torch.randn(n_filters, dim, width, generator=g)  # (n, E, w)
    bias = torch.randn(n_filters, generator=g) - 2.0  # mostly negative: a ReLU would show
    return chars, weight, bias


def _responses(chars: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """(N, n, L - w + 1): every filter's value on every window, via PyTorch's own conv1d."""
    return F.conv1d(chars.transpose(1, 2), weight, bias)


def _conv_hint(got, chars, weight, bias) -> str:
    """Name the likely mistake of a wrong max_pool_conv."""
    responses = _responses(chars, weight, bias)  # (N, n, T)
    n_words, n_filters, n_windows = responses.shape
    got_a = as_array(got, "max_pool_conv")
    if got_a.shape == (n_words, n_windows):
        return "you took the max over the filters; take it over the windows (positions) instead"
    if got_a.shape in ((n_windows, n_filters), (n_filters, n_windows)):
        return "you took the max over the words; take it over the windows (positions) instead"
    if got_a.shape != (n_words, n_filters):
        return f"the result has one number per word and filter: ({n_words}, {n_filters})"
    wrong = {
        "that is the MEAN over positions; ELMo keeps the max": responses.mean(dim=-1),
        "a ReLU was applied: leave the activation out, it comes after the concatenation":
            torch.relu(responses.max(dim=-1).values),
        "the bias is missing: add b_f to every window's weighted sum":
            (responses - bias[None, :, None]).max(dim=-1).values,
        "your weights are flipped along the window (a textbook convolution); nn.Conv1d does not "
        "flip: position k of the window meets weight[..., k]":
            _responses(chars, weight.flip(-1), bias).max(dim=-1).values,
        "the windows run past the end of the word (zero padding); use only the L - w + 1 windows "
        "that lie inside": F.conv1d(chars.transpose(1, 2), weight, bias,
                                    padding=weight.shape[-1] - 1).max(dim=-1).values,
    }
    if weight.shape[1] == weight.shape[2]:  # E == w: a transposed weight has the right shape
        wrong["weight is (n, E, w) but you read it as (n, w, E): a missing transpose (check the "
              "letters of your einsum, or the axes of unfold's (N, L - w + 1, E, w))"] = (
            _responses(chars, weight.transpose(1, 2), bias).max(dim=-1).values)
    for hint, value in wrong.items():
        if torch.allclose(torch.as_tensor(got_a, dtype=value.dtype), value, atol=1e-4):
            return hint
    return ("response(t) = bias + sum over window positions k and dimensions e of "
            "weight[f, e, k] * chars[n, t + k, e]")


_CONV_CRASH = ("check the axes: chars is (N, L, E) and weight (n, E, w), F.conv1d wants "
               "chars.transpose(1, 2), and chars.unfold(1, w, 1) is (N, L - w + 1, E, w)")


def check_max_pool_conv(fn: Callable) -> None:
    """``fn(chars, weight, bias)`` -> ``(N, n)``: max over windows of one width's convolution."""
    name = "max_pool_conv"
    # (words, positions, dim, filters, width): widths 1, 3 and 5, a word as short as its widest
    # window, and E == w last (there a transposed weight keeps its shape and only the values show)
    for shape in [(3, 12, 4, 5, 3), (2, 9, 6, 3, 1), (4, 7, 3, 6, 5), (1, 5, 2, 2, 5),
                  (2, 8, 3, 4, 3)]:
        chars, weight, bias = _conv_inputs(*shape, seed=sum(shape))
        got = call(fn, chars.clone(), weight.clone(), bias.clone(), name=name, hint=_CONV_CRASH)
        expected = _responses(chars, weight, bias).max(dim=-1).values  # (N, n)
        n, length, dim, filters, width = shape
        where = f"{name} on chars {(n, length, dim)}, weight {(filters, dim, width)}"
        assert_close(got, expected, where, _conv_hint(got, chars, weight, bias), rtol=1e-4, atol=1e-4)
    passed(name, "widths 1, 3 and 5, equal to conv1d followed by the max over positions")


# ---- highway ------------------------------------------------------------------------------------
def _highway_inputs(n: int, dim: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, dim, generator=g)
    W_t, W_g = torch.randn(dim, dim, generator=g), torch.randn(dim, dim, generator=g)
    b_t, b_g = torch.randn(dim, generator=g), torch.randn(dim, generator=g) + 1.0
    return x, W_t, b_t, W_g, b_g


def _reference_highway(x, W_t, b_t, W_g, b_g) -> torch.Tensor:
    """elmo_mini's Highway with these weights (nn.Linear stores them as W.T)."""
    layer = Highway(x.shape[-1], 1)
    with torch.no_grad():
        layer.transforms[0].weight.copy_(W_t.T)
        layer.transforms[0].bias.copy_(b_t)
        layer.gates[0].weight.copy_(W_g.T)
        layer.gates[0].bias.copy_(b_g)
        return layer(x)


def _highway_hint(got, x, W_t, b_t, W_g, b_g) -> str:
    gate = torch.sigmoid(x @ W_g + b_g)
    transformed = torch.relu(x @ W_t + b_t)
    wrong = {
        "the gate multiplies the input: in the original ELMo it multiplies the TRANSFORMED branch, "
        "g * relu(x W_t + b_t) + (1 - g) * x": gate * x + (1 - gate) * transformed,
        "the ReLU on the transformed branch is missing": gate * (x @ W_t + b_t) + (1 - gate) * x,
        "the transformed branch uses relu, not tanh":
            gate * torch.tanh(x @ W_t + b_t) + (1 - gate) * x,
        "the weights are in x W orientation (input index first): x @ W, not x @ W.T":
            torch.sigmoid(x @ W_g.T + b_g) * torch.relu(x @ W_t.T + b_t)
            + (1 - torch.sigmoid(x @ W_g.T + b_g)) * x,
        "the gate and the transform are swapped: the gate is sigmoid(x W_g + b_g)":
            torch.sigmoid(x @ W_t + b_t) * torch.relu(x @ W_g + b_g)
            + (1 - torch.sigmoid(x @ W_t + b_t)) * x,
        "that is only the transformed branch, without the gate's mix": transformed,
        "the carry term is (1 - g) * x, not x: the gate shares each unit between the two branches":
            gate * transformed + x,
        "the gate needs its sigmoid: g = sigmoid(x W_g + b_g), a number between 0 and 1":
            (x @ W_g + b_g) * transformed + (1 - (x @ W_g + b_g)) * x,
        "the bias b_g is missing from the gate: g = sigmoid(x W_g + b_g)":
            torch.sigmoid(x @ W_g) * transformed + (1 - torch.sigmoid(x @ W_g)) * x,
    }
    got_a = as_array(got, "highway_layer")
    for hint, value in wrong.items():
        if got_a.shape == tuple(value.shape) and torch.allclose(
            torch.as_tensor(got_a, dtype=value.dtype), value, atol=1e-4
        ):
            return hint
    return "g = sigmoid(x W_g + b_g); y = g * relu(x W_t + b_t) + (1 - g) * x"


def check_highway_layer(fn: Callable) -> None:
    """``fn(x, W_t, b_t, W_g, b_g)`` -> one highway layer, ELMo's convention, ``(N, F)``."""
    name = "highway_layer"
    for n, dim in [(4, 6), (1, 3), (5, 10)]:
        args = _highway_inputs(n, dim, seed=n * 100 + dim)
        got = call(fn, *(a.clone() for a in args), name=name, hint=(
            "x is (N, F) and W_t, W_g are (F, F): x @ W_t + b_t, elementwise products after"))
        expected = _reference_highway(*args)
        assert_close(got, expected, f"{name} on x of shape {(n, dim)}", _highway_hint(got, *args),
                     rtol=1e-4, atol=1e-4)
    passed(name, "three sizes, equal to elmo_mini.Highway with the same weights")
