"""The chapter 12 self-checks pass the solutions and fail stubs and typical mistakes."""

from __future__ import annotations

import pytest
import torch
from support.book_cells import run_solution, stub
from support.check_messages import Mistake, assert_message, mistake_ids
from torch.nn import functional as F

from elmo_mini.checks import check_elmo_input, check_penalised_loss, check_per_class_f1


def loss_on_softmax(logits, labels, scalars, lam):
    return F.cross_entropy(logits, labels) + lam * (torch.softmax(scalars, 0) ** 2).sum()


def loss_norm_not_squared(logits, labels, scalars, lam):
    return F.cross_entropy(logits, labels) + lam * scalars.norm()


def loss_no_lambda(logits, labels, scalars, lam):
    return F.cross_entropy(logits, labels) + (scalars**2).sum()


def loss_summed(logits, labels, scalars, lam):
    return F.cross_entropy(logits, labels, reduction="sum") + lam * (scalars**2).sum()


def loss_penalty_only(logits, labels, scalars, lam):
    return lam * (scalars**2).sum()


def loss_sum_squared(logits, labels, scalars, lam):
    return F.cross_entropy(logits, labels) + lam * scalars.sum() ** 2


def loss_per_example(logits, labels, scalars, lam):
    return F.cross_entropy(logits, labels, reduction="none") + lam * (scalars**2).sum()


def input_elmo_first(x, elmo, p, training):
    return torch.cat([F.dropout(elmo, p, training), x], dim=-1)


def input_dropout_on_both(x, elmo, p, training):
    return F.dropout(torch.cat([x, elmo], dim=-1), p, training)


def input_no_dropout(x, elmo, p, training):
    return torch.cat([x, elmo], dim=-1)


def input_dropout_always(x, elmo, p, training):
    return torch.cat([x, F.dropout(elmo, p, True)], dim=-1)


def input_unscaled_mask(x, elmo, p, training):
    keep = (torch.rand_like(elmo) >= p).float() if training else 1.0
    return torch.cat([x, elmo * keep], dim=-1)


def input_wrong_axis(x, elmo, p, training):
    return torch.cat([x, F.dropout(elmo, p, training)], dim=0)


def f1_nan(predicted, gold, classes):
    out = {}
    for c in classes:
        tp = sum(p == c and g == c for p, g in zip(predicted, gold))
        n_pred, n_gold = sum(p == c for p in predicted), sum(g == c for g in gold)
        precision = tp / n_pred if n_pred else float("nan")
        recall = tp / n_gold if n_gold else float("nan")
        out[c] = 2 * precision * recall / (precision + recall) if tp else float("nan")
    return out


def _pr(predicted, gold, c):
    tp = sum(p == c and g == c for p, g in zip(predicted, gold))
    return (tp / max(sum(p == c for p in predicted), 1), tp / max(sum(g == c for g in gold), 1))


def f1_precision(predicted, gold, classes):
    return {c: _pr(predicted, gold, c)[0] for c in classes}


def f1_recall(predicted, gold, classes):
    return {c: _pr(predicted, gold, c)[1] for c in classes}


def f1_arithmetic(predicted, gold, classes):
    return {c: sum(_pr(predicted, gold, c)) / 2 for c in classes}


def f1_accuracy(predicted, gold, classes):
    accuracy = sum(p == g for p, g in zip(predicted, gold)) / len(gold)
    return {c: accuracy for c in classes}


def f1_list(predicted, gold, classes):
    return [0.0 for _ in classes]


LOSS, INPUT, F1 = check_penalised_loss, check_elmo_input, check_per_class_f1
MISTAKES = [
    Mistake("softmax-penalised", LOSS, loss_on_softmax, r"gave \d", "not on softmax"),
    Mistake("norm-not-squared", LOSS, loss_norm_not_squared, r"gave \d", "no square root"),
    Mistake("no-lambda", LOSS, loss_no_lambda, r"gave \d", "by lambda"),
    Mistake("summed-cross-entropy", LOSS, loss_summed, r"gave \d", "mean"),
    Mistake("penalty-only", LOSS, loss_penalty_only, r"gave \d", "does not replace"),
    Mistake("square-of-sum", LOSS, loss_sum_squared, r"gave \d", r"not sum\(s\) \*\* 2"),
    Mistake("per-example", LOSS, loss_per_example, r"returned shape \(4,\)", "average"),
    Mistake("elmo-first", INPUT, input_elmo_first, "has elmo first", "own vector comes first"),
    Mistake("dropout-on-both", INPUT, input_dropout_on_both, "changed x", "ELMo's part only"),
    Mistake("no-dropout", INPUT, input_no_dropout, "dropped nothing", "while training"),
    Mistake("dropout-when-not-training", INPUT, input_dropout_always,
            "training=False.* changed the vectors", "no dropout when not training"),
    Mistake("unscaled-mask", INPUT, input_unscaled_mask, "unscaled", r"1 / \(1 - p\)"),
    Mistake("wrong-axis", INPUT, input_wrong_axis, "raised RuntimeError", "last axis"),
    Mistake("nan-for-no-hits", F1, f1_nan, "nan for 'd'", "not 0 / 0"),
    Mistake("precision-only", F1, f1_precision, r"gave 0\.4 for 'a'", "precision alone"),
    Mistake("recall-only", F1, f1_recall, r"for 'a'", "recall alone"),
    Mistake("arithmetic-mean", F1, f1_arithmetic, r"for 'a'", "harmonic mean"),
    Mistake("accuracy", F1, f1_accuracy, r"for 'a'", "accuracy over all examples"),
    Mistake("list-not-dict", F1, f1_list, "returned list", "return"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_ids(MISTAKES))
def test_messages_name_the_mistake(mistake):
    assert_message(mistake)


@pytest.mark.parametrize("check", [LOSS, INPUT, F1])
def test_checks_fail_on_the_stub(check):
    with pytest.raises(AssertionError, match="not implemented"):
        check(stub)


@pytest.mark.parametrize("check, label, name", [
    (LOSS, "ex-12-penalised-loss", "penalised_loss"),
    (INPUT, "ex-12-elmo-input", "elmo_input"),
    (F1, "ex-12-per-class-f1", "per_class_f1"),
])
def test_checks_pass_on_the_book_solution(check, label, name, capsys):
    found = run_solution("12_using_elmo", label, {"torch": torch, "F": F})[name]
    check(found)
    assert "passed" in capsys.readouterr().out
