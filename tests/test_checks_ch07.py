"""The chapter 7 self-checks pass the solutions and fail stubs and typical mistakes."""

from __future__ import annotations

import pytest
import torch
from book_cells import stub

from elmo_mini.checks import check_masked_layer_norm, check_scalar_mix


def scalar_mix_solution(layers, scalars, gamma):
    weights = torch.softmax(scalars, dim=0)
    return gamma * sum(w * h for w, h in zip(weights, layers))


def scalar_mix_no_softmax(layers, scalars, gamma):
    return gamma * sum(w * h for w, h in zip(scalars, layers))


def scalar_mix_no_gamma(layers, scalars, gamma):
    return sum(w * h for w, h in zip(torch.softmax(scalars, dim=0), layers))


def scalar_mix_mean(layers, scalars, gamma):
    return gamma * torch.stack(list(layers)).mean(0)


def test_scalar_mix_check_passes_solution(capsys):
    check_scalar_mix(scalar_mix_solution)
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (stub, "not implemented"),
        (scalar_mix_no_softmax, "softmax"),
        (scalar_mix_no_gamma, "gamma"),
        (scalar_mix_mean, "plain mean"),
    ],
)
def test_scalar_mix_check_fails(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_scalar_mix(wrong)


def layer_norm_solution(layer, mask):
    values = layer[mask]
    return (layer - values.mean()) / torch.sqrt(values.var(unbiased=False) + 1e-13)


def layer_norm_zero_padding(layer, mask):
    return layer_norm_solution(layer, mask) * mask[..., None]


def layer_norm_per_vector(layer, mask):
    return torch.nn.functional.layer_norm(layer, layer.shape[-1:], eps=1e-13)


def layer_norm_ignores_mask(layer, mask):
    return (layer - layer.mean()) / layer.std(unbiased=False)


def layer_norm_unbiased(layer, mask):
    values = layer[mask]
    return (layer - values.mean()) / values.std()


@pytest.mark.parametrize("solution", [layer_norm_solution, layer_norm_zero_padding])
def test_layer_norm_check_passes_solutions(solution, capsys):
    check_masked_layer_norm(solution)
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (stub, "not implemented"),
        (layer_norm_per_vector, "nn.LayerNorm"),
        (layer_norm_ignores_mask, "padded positions"),
        (layer_norm_unbiased, "population std"),
    ],
)
def test_layer_norm_check_fails(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_masked_layer_norm(wrong)
