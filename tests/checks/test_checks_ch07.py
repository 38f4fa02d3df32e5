"""The chapter 7 self-checks pass the solutions and fail stubs and typical mistakes."""

from __future__ import annotations

import pytest
import torch
from support.book_cells import run_solution, stub
from support.check_messages import Mistake, assert_message, mistake_ids

from elmo_mini.checks import check_layer0_prediction, check_masked_layer_norm, check_scalar_mix


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


def scalar_mix_weights_not_reshaped(layers, scalars, gamma):  # (L,) * (L, B, T, D): last axis
    return gamma * (torch.softmax(scalars, dim=0) * layers).sum(dim=0)


def scalar_mix_softmax_after_reshape(layers, scalars, gamma):  # softmax over an axis of size 1
    weights = torch.softmax(scalars.view(-1, 1, 1, 1), dim=-1)
    return gamma * (weights * layers).sum(dim=0)


def scalar_mix_sum_over_last(layers, scalars, gamma):
    weights = torch.softmax(scalars, dim=0).view(-1, 1, 1, 1)
    return gamma * (weights * layers).sum(dim=-1)


def scalar_mix_exp(layers, scalars, gamma):
    return gamma * (scalars.exp().view(-1, 1, 1, 1) * layers).sum(dim=0)


def scalar_mix_mean_of_weighted(layers, scalars, gamma):
    return gamma * (torch.softmax(scalars, dim=0).view(-1, 1, 1, 1) * layers).mean(dim=0)


def layer_norm_no_sqrt(layer, mask):
    values = layer[mask]
    return (layer - values.mean()) / values.var(unbiased=False)


def layer_norm_no_division(layer, mask):
    return layer - layer[mask].mean()


def layer_norm_per_token_count(layer, mask):  # AllenNLP's masked sums, divided by tokens only
    m = mask[..., None]
    mean = (layer * m).sum() / mask.sum()
    return (layer - mean) / torch.sqrt(((layer - mean) ** 2 * m).sum() / mask.sum() + 1e-13)


def layer_norm_per_feature(layer, mask):
    values = layer[mask]
    return (layer - values.mean(0)) / values.std(0, unbiased=False)


MIX, NORM = check_scalar_mix, check_masked_layer_norm
MISTAKES = [
    Mistake("no-softmax", MIX, scalar_mix_no_softmax,
            r"differs at index \(0, 0, 0\): got -?\d", "not the raw scalars"),
    Mistake("no-gamma", MIX, scalar_mix_no_gamma, r"differs at index \(0, 0, 0\)", "by gamma"),
    Mistake("plain-mean", MIX, scalar_mix_mean, r"differs at index \(0, 0, 0\)", "plain mean"),
    Mistake("softmax-over-wrong-axis", MIX, scalar_mix_softmax_after_reshape,
            r"differs at index \(0, 0, 0\)", "softmax over an axis of size 1"),
    Mistake("weights-not-reshaped", MIX, scalar_mix_weights_not_reshaped, "raised RuntimeError",
            r"reshape them to \(L, 1, 1, 1\)"),
    Mistake("sum-over-last-axis", MIX, scalar_mix_sum_over_last,
            r"has shape \(3, 2, 4\), expected \(2, 4, 5\)", "dim=0"),
    Mistake("exp-not-normalised", MIX, scalar_mix_exp, r"differs at index", "normalised"),
    Mistake("mean-of-weighted", MIX, scalar_mix_mean_of_weighted, r"differs at index",
            "summed, not averaged"),
    Mistake("per-vector", NORM, layer_norm_per_vector,
            r"differs at index \(0, 0, 0\): got -0\.736833, expected -0\.743488 \(30 of the 30 values at real tokens differ\)", "nn.LayerNorm"),
    Mistake("mask-ignored", NORM, layer_norm_ignores_mask, r"differs at index \(0, 0, 0\)",
            "padded positions"),
    Mistake("unbiased-std", NORM, layer_norm_unbiased, r"differs at index \(0, 0, 0\)",
            "population std"),
    Mistake("no-sqrt", NORM, layer_norm_no_sqrt, r"differs at index", "square root"),
    Mistake("no-division", NORM, layer_norm_no_division, r"differs at index", "divide by the std"),
    Mistake("mean-over-tokens-not-elements", NORM, layer_norm_per_token_count, r"differs at index",
            r"mask\.sum\(\) \* D"),
    Mistake("per-feature", NORM, layer_norm_per_feature, r"differs at index", "per feature"),
]


LAYER0 = check_layer0_prediction
MISTAKES += [
    Mistake("halves-differ", LAYER0, lambda: (1.0, 1.0),
            r"distance between the two halves of layer 0 is 1, measured: 0", r"written twice, \[x, x\]"),
    Mistake("negative-distance", LAYER0, lambda: (-1.0, 1.0), r"is -1, measured: 0",
            "never negative"),
    Mistake("context-in-layer-0", LAYER0, lambda: (0.0, 0.6),
            r"cosine between a word's layer 0 in two sentences is 0\.6, measured: 1",
            "only the word's own characters"),
    Mistake("cosine-above-1", LAYER0, lambda: (0.0, 2.0), r"is 2, measured: 1", "at most 1"),
    Mistake("one-number", LAYER0, lambda: 0.0, r"returned float 0, expected 2 numbers",
            r"\(distance, cosine\)"),
    Mistake("not-numbers", LAYER0, lambda: ("zero", "one"),
            r"returned a tuple of 2 items, expected 2 numbers", "two numbers"),
]


def test_layer0_check_passes_on_the_chapter(capsys):
    check_layer0_prediction(run_solution("07_layers_and_mix", "ex-07-predict-layer0", {})["predict_layer0"])
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_ids(MISTAKES))
def test_messages_name_the_mistake(mistake):
    assert_message(mistake)


@pytest.mark.parametrize("check", [check_scalar_mix, check_masked_layer_norm, check_layer0_prediction])
def test_checks_fail_on_the_stub(check):
    with pytest.raises(AssertionError, match="not implemented"):
        check(stub)


@pytest.mark.parametrize("check, label, name", [
    (check_scalar_mix, "ex-07-scalar-mix", "scalar_mix"),
    (check_masked_layer_norm, "ex-07-masked-layer-norm", "masked_layer_norm"),
])
def test_checks_pass_on_the_book_solution(check, label, name, capsys):
    check(run_solution("07_layers_and_mix", label, {"torch": torch})[name])
    assert "passed" in capsys.readouterr().out
