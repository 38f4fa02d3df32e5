"""Self-checks for chapter 12 (using ELMo): ``penalised_loss``, ``elmo_input``, ``per_class_f1``."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch
from torch.nn import functional as F

from ..task import elmo_input, per_class_f1
from .common import as_array, assert_close, call, fail, passed, plain


def _loss_inputs() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float]:
    """Logits (4, 3), labels (4,), mix scalars s (3,) and lambda."""
    g = torch.Generator().manual_seed(12)
    logits = torch.randn(4, 3, generator=g)
    labels = torch.tensor([0, 2, 1, 2])
    scalars = torch.tensor([0.5, -1.0, 2.0])
    return logits, labels, scalars, 0.1


def check_penalised_loss(fn: Callable) -> None:
    """``fn(logits, labels, scalars, lam)``: mean cross-entropy + lam * sum(scalars ** 2)."""
    logits, labels, scalars, lam = _loss_inputs()
    got = as_array(call(fn, logits, labels, scalars, lam, name="penalised_loss"),
                   "penalised_loss")
    if got.size != 1:
        fail(f"penalised_loss returned shape {plain(tuple(got.shape))}, expected one number",
             "sum the penalty over the L scalars and average the cross-entropy over the batch")
    value = float(got.reshape(()))
    ce = F.cross_entropy(logits, labels).item()
    penalty = (scalars**2).sum().item()
    expected = ce + lam * penalty
    if math.isclose(value, expected, rel_tol=1e-5, abs_tol=1e-6):
        passed("check_penalised_loss", "4 examples, 3 classes, s = [0.5, -1, 2], lambda 0.1")
        return
    known = {
        "the penalty is on the unnormalised s, not on softmax(s): softmax(s) sums to 1 and "
        "cannot say how far the mix is from equal":
            ce + lam * (torch.softmax(scalars, 0) ** 2).sum().item(),
        "the penalty is lambda * |s|^2, the squared norm: no square root":
            ce + lam * math.sqrt(penalty),
        "multiply the squared norm by lambda": ce + penalty,
        "the cross-entropy is the batch's mean (F.cross_entropy's default), not its sum":
            4 * ce + lam * penalty,
        "add the penalty to the cross-entropy; it does not replace it": lam * penalty,
        "square each scalar before summing: sum(s ** 2), not sum(s) ** 2":
            ce + lam * scalars.sum().item() ** 2,
    }
    for hint, wrong in known.items():
        if math.isclose(value, wrong, rel_tol=1e-5, abs_tol=1e-6):
            fail(f"penalised_loss gave {plain(value)}, expected {plain(expected)}", hint)
    fail(f"penalised_loss gave {plain(value)}, expected {plain(expected)}",
         "F.cross_entropy(logits, labels) + lam * (scalars ** 2).sum()")


def check_elmo_input(fn: Callable) -> None:
    """``fn(x, elmo, p, training)``: [x; dropout(elmo)] along the last axis."""
    g = torch.Generator().manual_seed(3)
    x = torch.randn(2, 3, 4, generator=g) + 5.0  # (B, T, S): far from 0, so a drop shows
    elmo = torch.randn(2, 3, 6, generator=g) + 5.0  # (B, T, D)
    crash = "concatenate along the last axis (dim=-1): x is (B, T, S), elmo (B, T, D)"
    got = as_array(call(fn, x, elmo, 0.5, False, name="elmo_input", hint=crash), "elmo_input")
    expected = elmo_input(x, elmo, 0.5, False)
    if got.shape == (2, 3, 10) and np.allclose(got, torch.cat([elmo, x], -1).numpy()):
        fail("elmo_input(x, elmo, training=False) has elmo first",
             "the task's own vector comes first: torch.cat([x, elmo], dim=-1)")
    if got.shape == (2, 3, 10) and not np.allclose(got, expected.numpy()):
        fail("elmo_input(x, elmo, training=False) changed the vectors",
             "no dropout when not training: pass training to F.dropout")
    assert_close(got, expected, "elmo_input(x, elmo, training=False)", crash)
    torch.manual_seed(0)
    got = as_array(call(fn, x, elmo, 0.5, True, name="elmo_input", hint=crash), "elmo_input")
    torch.manual_seed(0)
    expected = elmo_input(x, elmo, 0.5, True).numpy()
    if not np.allclose(got[..., :4], x.numpy()):
        fail("elmo_input(x, elmo, training=True) changed x",
             "dropout goes on ELMo's part only: the task's own input x is left as it is")
    dropped = got[..., 4:] == 0
    if not dropped.any():
        fail("elmo_input(x, elmo, training=True) dropped nothing",
             "apply F.dropout(elmo, p, training) while training")
    if np.allclose(got[..., 4:][~dropped], elmo.numpy()[~dropped]):
        fail("elmo_input(x, elmo, training=True) kept values unscaled",
             "dropout scales the kept values by 1 / (1 - p): use F.dropout, not a bare mask")
    assert_close(got, expected, "elmo_input(x, elmo, training=True)",
                 "call F.dropout(elmo, p, training) once, with torch's random generator")
    passed("check_elmo_input", "x (2, 3, 4), elmo (2, 3, 6), p 0.5, training False and True")


def check_per_class_f1(fn: Callable) -> None:
    """``fn(predicted, gold, classes)``: {class: F1}, 0.0 when a class has no true positive."""
    gold = ["a", "a", "a", "b", "b", "c", "c", "c", "d"]
    predicted = ["a", "b", "a", "b", "a", "a", "c", "c", "a"]  # d is never predicted
    classes = ["a", "b", "c", "d", "e"]  # e is never predicted and never true
    got = call(fn, predicted, gold, classes, name="per_class_f1")
    if not isinstance(got, dict) or set(got) != set(classes):
        fail(f"per_class_f1 returned {type(got).__name__} with keys "
             f"{plain(sorted(got) if isinstance(got, dict) else None)}, expected a dict with "
             f"keys {plain(classes)}", "return {class: F1} for every class in `classes`")
    expected = per_class_f1(predicted, gold, classes)
    for c in classes:
        value = float(got[c])
        if math.isnan(value):
            fail(f"per_class_f1 gave nan for {c!r}, expected {plain(expected[c])}",
                 "a class with no true positive has F1 0, not 0 / 0")
        if not math.isclose(value, expected[c], rel_tol=1e-6, abs_tol=1e-9):
            fail(f"per_class_f1 gave {plain(value)} for {c!r}, expected {plain(expected[c])}",
                 _f1_hint(predicted, gold, c, value))
    passed("check_per_class_f1", "9 predictions, 5 classes (one never predicted, one absent)")


def _f1_hint(predicted, gold, c, value) -> str:
    """Name the likely mistake of a wrong F1 for class ``c``."""
    p, g = np.asarray(predicted), np.asarray(gold)
    tp = np.sum((p == c) & (g == c))
    precision = tp / max(np.sum(p == c), 1)
    recall = tp / max(np.sum(g == c), 1)
    known = {
        "that is the precision alone: F1 combines it with the recall": precision,
        "that is the recall alone: F1 combines it with the precision": recall,
        "F1 is the harmonic mean 2PR / (P + R), not the plain average (P + R) / 2":
            (precision + recall) / 2,
        "that is the accuracy over all examples: count only the predictions and the gold "
        "labels of this class": float(np.mean(p == g)),
    }
    for hint, wrong in known.items():
        if math.isclose(value, float(wrong), rel_tol=1e-6, abs_tol=1e-9):
            return hint
    return "precision = TP / predicted as c, recall = TP / truly c, F1 = 2PR / (P + R)"
