"""Self-checks for chapter 11 (the real ELMo): converting the original TensorFlow weights, and
the prediction of what a stateful embedder changes (``predict_stateful``)."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from ..original import split_lstm_kernel, tf_conv_to_conv1d
from .common import as_array, assert_close, call, describe, fail, passed, plain


def _conv_hint(got: np.ndarray, weight: torch.Tensor) -> str:
    """Name the likely mistake of a wrong tf_conv_to_conv1d on ``weight`` (1, w, E, n)."""
    w = weight[0].numpy()  # (w, E, n)
    width, dim, n = w.shape
    if got.shape == w.shape:
        return "drop the leading 1, then permute the axes (w, E, n) -> (n, E, w): permute(2, 1, 0)"
    if got.shape == (n, width, dim):
        return "width and channels are swapped: Conv1d wants (n, E, w), that is permute(2, 1, 0)"
    if got.shape == tuple(weight.shape) or got.ndim == 4:
        return "drop the leading height axis of size 1 first: weight[0] is (w, E, n)"
    if got.shape == (n, dim, width):
        if np.allclose(got, w.transpose(2, 1, 0)[..., ::-1]):
            return ("your kernel is reversed along the width: neither TF's conv2d nor Conv1d "
                    "flips it, so keep the order")
        if np.allclose(got, w.reshape(n, dim, width)):
            return ("reshape keeps the memory order and only regroups it, so the numbers land in "
                    "the wrong places: use permute(2, 1, 0)")
    return ("Conv1d wants (out_channels n, in_channels E, width): drop the leading 1, then "
            "permute the axes (w, E, n) -> (n, E, w)")


def check_tf_conv_to_conv1d(fn: Callable) -> None:
    """``fn(weight)``: TF kernel (1, width, E, n) -> Conv1d weight (n, E, width)."""
    name = "tf_conv_to_conv1d"
    g = torch.Generator().manual_seed(11)
    weight = torch.randn(1, 3, 4, 5, generator=g)  # width 3, E = 4, n = 5: every axis differs
    got = as_array(call(fn, weight.clone(), name=name), name)
    want = tf_conv_to_conv1d(weight)
    hint = _conv_hint(got, weight)
    assert_close(got, want, name + " on a (1, 3, 4, 5) kernel", hint)
    # The converted kernel must make Conv1d compute what TF's conv2d computes.
    chars = torch.randn(2, 4, 9, generator=g)  # (batch, E, characters)
    tf_style = torch.stack([  # sum over window and channels, as conv2d with a (1 x 3) kernel
        torch.einsum("bew,wen->bn", chars[:, :, i : i + 3], weight[0]) for i in range(7)
    ], dim=-1)
    ours = torch.nn.functional.conv1d(chars, torch.as_tensor(got))
    assert_close(ours, tf_style, "Conv1d output with your weight", hint, atol=1e-4)
    passed(name, "(1, 3, 4, 5) -> (5, 4, 3), and Conv1d gives the TF convolution's numbers")


def _split_hint(part: str, got: np.ndarray, w0: torch.Tensor, input_dim: int) -> str:
    """Name the likely mistake in ``part`` ("input" or "recurrent") of a wrong split."""
    w = w0.numpy()  # (input_dim + P, 4C)
    rows = {"input": w[:input_dim], "recurrent": w[input_dim:]}
    other = {"input": w[-input_dim:], "recurrent": w[: w.shape[0] - input_dim]}
    mine = rows[part]
    if got.shape == mine.shape and np.allclose(got, mine):
        return ("a missing transpose: nn.Linear stores its weight as (out, in), so transpose the "
                f"rows, w0[...].T of shape {mine.T.shape}")
    if got.shape == mine.T.shape and np.allclose(got, other[part].T):
        return ("the input rows come FIRST: [x_t, h_{t-1}] W_0 makes rows 0 to input_dim - 1 "
                "act on x_t, the rest on h_{t-1}")
    if got.shape in ((w.shape[0], input_dim), (input_dim, w.shape[0])):
        return ("split W_0 along its rows (what it reads: x_t then h_{t-1}), not along its "
                "columns (the 4C gate units)")
    if part == "input":
        return "the FIRST input_dim rows of W_0 act on x_t; nn.Linear wants them as (4C, input_dim)"
    return "the rows AFTER the first input_dim act on h_{t-1}; transpose them to (4C, P)"


def check_split_lstm_kernel(fn: Callable) -> None:
    """``fn(w0, input_dim)`` -> (input_weight (4C, in), recurrent_weight (4C, P))."""
    name = "split_lstm_kernel"
    g = torch.Generator().manual_seed(5)
    for input_dim, projection_dim, cell_dim in [(6, 3, 2), (4, 4, 2)]:
        w0 = torch.randn(input_dim + projection_dim, 4 * cell_dim, generator=g)
        result = call(fn, w0.clone(), input_dim, name=name)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            fail(f"{name} returned {describe(result)}, not two tensors (input_weight, "
                 "recurrent_weight)", "return both halves: return input_weight, recurrent_weight")
        want_x, want_h = split_lstm_kernel(w0, input_dim)
        case = f" (W_0 of shape {tuple(w0.shape)}, input_dim={input_dim})"
        for part, got, want in (("input", result[0], want_x), ("recurrent", result[1], want_h)):
            got_a = as_array(got, part + "_weight")
            assert_close(got_a, want, part + "_weight" + case, _split_hint(part, got_a, w0, input_dim))
    passed(name, "input rows first, then recurrent rows, both transposed for nn.Linear")


def _stateful_changes() -> list[bool]:
    """For layers 0, 1, 2: does a stateful embedder's second call on the same sentence change
    them? Measured on a small random biLM (seed 0)."""
    from .ch07 import _tiny_embedder

    embedder = _tiny_embedder(stateful=True)
    sentence = ["the", "bank", "raised", "its", "rates"]
    first = embedder.embed_sentence(sentence)  # (layers, tokens, 2P)
    second = embedder.embed_sentence(sentence)
    return [bool(np.abs(a - b).max() > 1e-6) for a, b in zip(first, second)]


def check_stateful_prediction(fn: Callable) -> None:
    """``fn()`` returns a prediction, one bool per layer (0, 1, 2): does embedding the same
    sentence a second time with a stateful embedder change that layer's vectors? The check
    measures it on a small random biLM and compares."""
    name = "predict_stateful()"
    got = call(fn, name=name)
    if (not isinstance(got, (tuple, list)) or len(got) != 3
            or not all(isinstance(x, (bool, np.bool_)) for x in got)):
        fail(f"{name} returned {describe(got)}, expected 3 booleans",
             "return [layer 0 changes, layer 1 changes, layer 2 changes], each True or False")
    got = [bool(x) for x in got]
    measured = _stateful_changes()
    wrong = [k for k in range(3) if got[k] != measured[k]]
    if not wrong:
        passed("check_stateful_prediction", "layer 0 stays, layers 1 and 2 change")
        return
    says = ", ".join(f"layer {k} {'changes' if got[k] else 'stays'}" for k in wrong)
    if 0 in wrong:
        hint = "layer 0 is the char-CNN, which reads one word at a time and keeps no state"
    elif wrong == [1, 2]:
        hint = ("a stateful embedder starts the second call from the LSTM states the first "
                "call left, not from zeros")
    elif wrong == [2]:
        hint = ("layer 2's LSTM carries its own state into the second call, and it also reads "
                "layer 1's changed output")
    else:
        hint = "layer 1's LSTM starts the second call from the state the first call left"
    fail(f"your prediction says {says}; measured changes of layers 0, 1, 2: {plain(measured)}", hint)
