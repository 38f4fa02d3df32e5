"""Chapter 3's self-checks: they pass on the book's solutions and fail on stubs and wrong answers."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from book_cells import run_solution, stub

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


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda c, w, b: _conv(c, w, b).mean(dim=-1), "MEAN"),
        (lambda c, w, b: _conv(c, w, b).max(dim=1).values, "over the filters"),
        (lambda c, w, b: torch.relu(_conv(c, w, b).max(dim=-1).values), "ReLU"),
        (lambda c, w, b: _conv(c, w, b * 0).max(dim=-1).values, "bias is missing"),
        (lambda c, w, b: _conv(c, w.flip(-1), b).max(dim=-1).values, "flipped"),
        (lambda c, w, b: _conv(c, w, b, padding=w.shape[-1] - 1).max(dim=-1).values, "past the end"),
        (lambda c, w, b: _conv(c, w, b), "one number per word and filter"),
    ],
)
def test_max_pool_conv_names_the_mistake(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_max_pool_conv(wrong)


# ---- highway_layer ----------------------------------------------------------------------------
def test_highway_layer_passes_on_the_solution(capsys):
    check_highway_layer(solution("ex-03-highway-layer")["highway_layer"])
    assert "passed" in capsys.readouterr().out


def test_highway_layer_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_highway_layer(stub)


def _gate(x, W_g, b_g):
    return torch.sigmoid(x @ W_g + b_g)


@pytest.mark.parametrize(
    "wrong, message",
    [
        # AllenNLP's convention: the gate multiplies the input
        (lambda x, W_t, b_t, W_g, b_g: _gate(x, W_g, b_g) * x
         + (1 - _gate(x, W_g, b_g)) * torch.relu(x @ W_t + b_t), "TRANSFORMED branch"),
        (lambda x, W_t, b_t, W_g, b_g: _gate(x, W_g, b_g) * (x @ W_t + b_t)
         + (1 - _gate(x, W_g, b_g)) * x, "ReLU"),
        (lambda x, W_t, b_t, W_g, b_g: _gate(x, W_g, b_g) * torch.tanh(x @ W_t + b_t)
         + (1 - _gate(x, W_g, b_g)) * x, "not tanh"),
        (lambda x, W_t, b_t, W_g, b_g: _gate(x, W_g.T, b_g) * torch.relu(x @ W_t.T + b_t)
         + (1 - _gate(x, W_g.T, b_g)) * x, "orientation"),
        (lambda x, W_t, b_t, W_g, b_g: _gate(x, W_t, b_t) * torch.relu(x @ W_g + b_g)
         + (1 - _gate(x, W_t, b_t)) * x, "swapped"),
        (lambda x, W_t, b_t, W_g, b_g: x, "differs"),
    ],
)
def test_highway_layer_names_the_mistake(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_highway_layer(wrong)
