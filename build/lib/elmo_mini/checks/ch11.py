"""Self-checks for chapter 11 (the real ELMo): converting the original TensorFlow weights."""

from __future__ import annotations

from typing import Callable

import torch

from ..original import split_lstm_kernel, tf_conv_to_conv1d
from .common import as_array, assert_close, call, passed


def check_tf_conv_to_conv1d(fn: Callable) -> None:
    """``fn(weight)``: TF kernel (1, width, E, n) -> Conv1d weight (n, E, width)."""
    name = "tf_conv_to_conv1d"
    g = torch.Generator().manual_seed(11)
    weight = torch.randn(1, 3, 4, 5, generator=g)  # width 3, E = 4, n = 5: every axis differs
    got = as_array(call(fn, weight.clone(), name=name), name)
    want = tf_conv_to_conv1d(weight)
    hint = ("Conv1d wants (out_channels n, in_channels E, width): drop the leading 1, then "
            "permute the axes (w, E, n) -> (n, E, w); reshape would keep the wrong memory order")
    assert_close(got, want, name, hint)
    # The converted kernel must make Conv1d compute what TF's conv2d computes.
    chars = torch.randn(2, 4, 9, generator=g)  # (batch, E, characters)
    tf_style = torch.stack([  # sum over window and channels, as conv2d with a (1 x 3) kernel
        torch.einsum("bew,wen->bn", chars[:, :, i : i + 3], weight[0]) for i in range(7)
    ], dim=-1)
    ours = torch.nn.functional.conv1d(chars, torch.as_tensor(got))
    assert_close(ours, tf_style, "Conv1d output with your weight", hint, atol=1e-4)
    passed(name, "(1, 3, 4, 5) -> (5, 4, 3), and Conv1d gives the TF convolution's numbers")


def check_split_lstm_kernel(fn: Callable) -> None:
    """``fn(w0, input_dim)`` -> (input_weight (4C, in), recurrent_weight (4C, P))."""
    name = "split_lstm_kernel"
    g = torch.Generator().manual_seed(5)
    for input_dim, projection_dim, cell_dim in [(6, 3, 2), (4, 4, 2)]:
        w0 = torch.randn(input_dim + projection_dim, 4 * cell_dim, generator=g)
        result = call(fn, w0.clone(), input_dim, name=name)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise AssertionError(f"{name} should return two tensors (input_weight, "
                                 f"recurrent_weight), got {type(result).__name__}")
        want_x, want_h = split_lstm_kernel(w0, input_dim)
        case = f" (W_0 of shape {tuple(w0.shape)}, input_dim={input_dim})"
        assert_close(result[0], want_x, "input_weight" + case,
                     "the FIRST input_dim rows of W_0 act on x_t; nn.Linear stores them "
                     "transposed, (4C, input_dim)")
        assert_close(result[1], want_h, "recurrent_weight" + case,
                     "the rows AFTER the first input_dim act on h_{t-1}; transpose them to (4C, P)")
    passed(name, "input rows first, then recurrent rows, both transposed for nn.Linear")
