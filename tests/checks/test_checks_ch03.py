"""Chapter 3's self-checks: they pass on the book's solutions and fail on stubs and wrong answers."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from support.book_cells import run_solution, stub
from support.check_messages import Mistake, assert_message, mistake_ids

from elmo_mini.checks import check_highway_layer, check_max_pool_conv

CHAPTER = "03_char_cnn"


def solution(label: str) -> dict:
    """The namespace after running the chapter's solution to exercise ``label``."""
    return run_solution(CHAPTER, label, {"torch": torch})


# ---- max_pool_conv ----------------------------------------------------------------------------
def _conv(chars, weight, bias, **kwargs):
    return F.conv1d(chars.transpose(1, 2), weight, bias, **kwargs)  # (N, n, windows)


def test_max_pool_conv_passes_on_the_solution(capsys):
    check_max_pool_conv(solution("ex-03-max-pool-conv")["max_pool_conv"])
    assert "passed" in capsys.readouterr().out


def test_max_pool_conv_passes_on_a_loop():
    def loop(chars, weight, bias):
        width = weight.shape[-1]
        values = [torch.einsum("nek,fek->nf", chars[:, t : t + width].transpose(1, 2), weight) + bias
                  for t in range(chars.shape[1] - width + 1)]
        return torch.stack(values, dim=1).max(dim=1).values

    check_max_pool_conv(loop)


def test_max_pool_conv_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_max_pool_conv(stub)


def _unfold(chars, weight, bias):  # (N, L - w + 1, n), as the book's solution computes it
    windows = chars.unfold(1, weight.shape[-1], 1)  # (N, L - w + 1, E, w)
    return torch.einsum("ntek,fek->ntf", windows, weight) + bias


def _einsum_transposed(chars, weight, bias):  # weight read as (n, w, E)
    windows = chars.unfold(1, weight.shape[-1], 1)
    return (torch.einsum("ntek,fke->ntf", windows, weight) + bias).max(dim=1).values


def _transposed_when_square(chars, weight, bias):  # a transpose that keeps the shape (E == w)
    if weight.shape[1] == weight.shape[2]:
        weight = weight.transpose(1, 2)
    return _unfold(chars, weight, bias).max(dim=1).values


CONV = check_max_pool_conv
CONV_MISTAKES = [
    Mistake("mean-not-max", CONV, lambda c, w, b: _conv(c, w, b).mean(dim=-1),
            r"differs at index \(0, 0\): got -?\d", "MEAN"),
    Mistake("max-over-filters", CONV, lambda c, w, b: _conv(c, w, b).max(dim=1).values,
            r"has shape \(3, 10\), expected \(3, 5\)", "over the filters"),
    Mistake("max-over-words", CONV, lambda c, w, b: _unfold(c, w, b).max(dim=0).values,
            r"has shape \(10, 5\), expected \(3, 5\)", "over the words"),
    Mistake("relu", CONV, lambda c, w, b: torch.relu(_conv(c, w, b).max(dim=-1).values),
            r"differs at index \(\d, \d\): got 0, expected -", "ReLU"),
    Mistake("no-bias", CONV, lambda c, w, b: _conv(c, w, b * 0).max(dim=-1).values,
            r"differs at index \(0, 0\)", "bias is missing"),
    Mistake("flipped-kernel", CONV, lambda c, w, b: _conv(c, w.flip(-1), b).max(dim=-1).values,
            r"differs at index", "flipped"),
    Mistake("zero-padding", CONV,
            lambda c, w, b: _conv(c, w, b, padding=w.shape[-1] - 1).max(dim=-1).values,
            r"differs at index", "past the end"),
    Mistake("no-max", CONV, lambda c, w, b: _conv(c, w, b),
            r"has shape \(3, 5, 10\), expected \(3, 5\)", "one number per word and filter"),
    Mistake("einsum-transposed", CONV, _einsum_transposed, "raised RuntimeError", "check the axes"),
    Mistake("conv1d-without-transpose", CONV,
            lambda c, w, b: F.conv1d(c, w, b).max(dim=-1).values, "raised RuntimeError",
            r"chars\.transpose\(1, 2\)"),
    Mistake("transposed-weight-E-equals-w", CONV, _transposed_when_square,
            r"weight \(4, 3, 3\) differs at index", "missing transpose"),
]


# ---- highway_layer ----------------------------------------------------------------------------
def test_highway_layer_passes_on_the_solution(capsys):
    check_highway_layer(solution("ex-03-highway-layer")["highway_layer"])
    assert "passed" in capsys.readouterr().out


def test_highway_layer_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_highway_layer(stub)


def _gate(x, W_g, b_g):
    return torch.sigmoid(x @ W_g + b_g)


def _highway(gate_of=lambda x, W_g, b_g: torch.sigmoid(x @ W_g + b_g), carry=True):
    def highway_layer(x, W_t, b_t, W_g, b_g):
        gate, transformed = gate_of(x, W_g, b_g), torch.relu(x @ W_t + b_t)
        return gate * transformed + ((1 - gate) * x if carry else x)

    return highway_layer


def _allennlp(x, W_t, b_t, W_g, b_g):  # AllenNLP's convention: the gate multiplies the input
    gate = _gate(x, W_g, b_g)
    return gate * x + (1 - gate) * torch.relu(x @ W_t + b_t)


def _swapped(x, W_t, b_t, W_g, b_g):  # the gate computed with the transform's weights
    gate = _gate(x, W_t, b_t)
    return gate * torch.relu(x @ W_g + b_g) + (1 - gate) * x


def _transposed(x, W_t, b_t, W_g, b_g):  # x @ W.T, nn.Linear's orientation
    return _highway()(x, W_t.T, b_t, W_g.T, b_g)


def _no_relu(x, W_t, b_t, W_g, b_g):
    gate = _gate(x, W_g, b_g)
    return gate * (x @ W_t + b_t) + (1 - gate) * x


def _tanh(x, W_t, b_t, W_g, b_g):
    gate = _gate(x, W_g, b_g)
    return gate * torch.tanh(x @ W_t + b_t) + (1 - gate) * x


HIGHWAY = check_highway_layer
HIGHWAY_MISTAKES = [
    Mistake("forgotten-1-minus-g", HIGHWAY, _highway(carry=False), r"on x of shape \(4, 6\) differs at",
            r"\(1 - g\) \* x, not x"),
    Mistake("gate-on-input", HIGHWAY, _allennlp, "differs at index", "TRANSFORMED branch"),
    Mistake("gate-transform-swapped", HIGHWAY, _swapped, "differs at index", "swapped"),
    Mistake("missing-transpose", HIGHWAY, _transposed, "differs at index", "orientation"),
    Mistake("no-relu", HIGHWAY, _no_relu, "differs at index", "ReLU"),
    Mistake("tanh", HIGHWAY, _tanh, "differs at index", "not tanh"),
    Mistake("no-sigmoid", HIGHWAY, _highway(gate_of=lambda x, W_g, b_g: x @ W_g + b_g),
            "differs at index", "needs its sigmoid"),
    Mistake("no-gate-bias", HIGHWAY, _highway(gate_of=lambda x, W_g, b_g: torch.sigmoid(x @ W_g)),
            "differs at index", "b_g is missing"),
    Mistake("identity", HIGHWAY, lambda x, W_t, b_t, W_g, b_g: x, r"got -?\d", r"g = sigmoid"),
    Mistake("matmul-wrong-side", HIGHWAY, lambda x, W_t, b_t, W_g, b_g: _highway()(x.T, W_t, b_t, W_g, b_g),
            "raised RuntimeError", r"x @ W_t \+ b_t"),
]

MISTAKES = CONV_MISTAKES + HIGHWAY_MISTAKES


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_ids(MISTAKES))
def test_messages_name_the_mistake(mistake):
    assert_message(mistake)
