"""Self-checks for chapter 6 (training): the language-model targets and the joint loss."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from torch.nn import functional as F

from ..lm import IGNORE, joint_lm_loss, lm_targets
from .common import as_array, assert_close, call, describe, fail, passed

# Three sentences of 4, 1 and 2 words, laid out as batch_to_word_ids does:
# <S> (id 0), the words' ids, </S> (id 1), then 0 for padding (the same id as <S>).
_WORD_IDS = torch.tensor([
    [0, 7, 3, 9, 5, 1],
    [0, 4, 1, 0, 0, 0],
    [0, 8, 6, 1, 0, 0],
])
_LENGTHS = torch.tensor([4, 1, 2])


def _two_tensors(result, name: str) -> tuple:
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{name} returned {describe(result)}, not two tensors "
             "(forward_targets, backward_targets)",
             "return both directions' targets, each (B, T + 1): return forward, backward")
    return result


def _targets_hint(direction: str, got: np.ndarray, word_ids: np.ndarray) -> str:
    """What a wrong target tensor most likely got wrong."""
    if got.shape != (word_ids.shape[0], word_ids.shape[1] - 1):
        return ("word_ids has T + 2 columns (<S>, T words, </S>); there are T + 1 pairs of "
                "neighbours, so T + 1 predictions per direction")
    same, before, after = word_ids[:, :-1], word_ids[:, :-1], word_ids[:, 1:]
    wanted, other = (after, before) if direction == "forward" else (before, after)
    real = np.arange(got.shape[1])[None, :] < (_LENGTHS.numpy()[:, None] + 1)
    if direction == "forward" and (got[real] == same[real]).all():
        return ("the forward LM predicts the NEXT word: shift by one, word_ids[:, 1:] "
                "(word_ids[:, :-1] are the backward targets)")
    if (got[real] == other[real]).all():
        return f"these are the {'backward' if direction == 'forward' else 'forward'} targets"
    counts = (got != IGNORE).sum(axis=1)
    if ((got[real] == wanted[real]).all()
            and (counts == np.minimum(_LENGTHS.numpy() + 2, got.shape[1])).all()):
        return ("one prediction too many per row: a sentence of n words has n + 1 predictions "
                "per direction, then IGNORE")
    if (got[real] == wanted[real]).all():
        return (f"right words, wrong padding: after a sentence's n + 1 predictions every column "
                f"must be IGNORE = {IGNORE} (padding id 0 is also <S>'s id, so leaving it would "
                "train the model to predict <S>)")
    if direction == "forward":
        return ("forward_targets[:, t] is word_ids[:, t + 1]; a sentence of n words has n + 1 "
                "predictions, the last one </S>")
    return ("backward_targets[:, t] is word_ids[:, t] (predicted from position t + 1); a "
            "sentence of n words has n + 1 predictions, the first one <S>")


def check_lm_targets(fn: Callable) -> None:
    """``fn(word_ids, lengths)`` -> (forward_targets, backward_targets), each (B, T + 1)."""
    name = "lm_targets"
    result = _two_tensors(call(fn, _WORD_IDS.clone(), _LENGTHS.clone(), name=name), name)
    expected = lm_targets(_WORD_IDS, _LENGTHS)
    got_f, got_b = (as_array(t, name) for t in result)
    if (got_f.shape == got_b.shape == tuple(expected[0].shape)
            and (got_f == expected[1].numpy()).all() and (got_b == expected[0].numpy()).all()):
        assert_close(got_f, expected[0], "forward_targets",
                     "forward and backward are swapped: return (forward_targets, backward_targets)")
    for direction, got, want in zip(("forward", "backward"), result, expected):
        got_a = as_array(got, f"{direction}_targets")
        hint = _targets_hint(direction, got_a, _WORD_IDS.numpy())
        assert_close(got_a, want, f"{direction}_targets", hint)
    passed(name, "next-word and previous-word targets, IGNORE after each sentence")


def _loss_inputs():
    g = torch.Generator().manual_seed(6)
    forward_targets, backward_targets = lm_targets(_WORD_IDS, _LENGTHS)
    vocab_size = 10
    forward_logits = torch.randn(*forward_targets.shape, vocab_size, generator=g)
    backward_logits = 2 * torch.randn(*backward_targets.shape, vocab_size, generator=g)
    return forward_logits, backward_logits, forward_targets, backward_targets


def _nll(log_probs: torch.Tensor, targets: torch.Tensor) -> float:
    """Mean of minus the target's score over the real targets (no normalisation here)."""
    keep = targets != IGNORE
    return float(-log_probs[keep].gather(-1, targets[keep][:, None]).mean())


def _loss_hint(got: float, inputs) -> str:
    """Name the mistake if the wrong value matches a common one."""
    forward_logits, backward_logits, forward_targets, backward_targets = inputs
    v = forward_logits.shape[-1]

    def ce(logits, targets, **kw):
        return float(F.cross_entropy(logits.reshape(-1, v), targets.reshape(-1), **kw))

    f, b = ce(forward_logits, forward_targets), ce(backward_logits, backward_targets)
    padded_f = ce(forward_logits, forward_targets.clamp(min=0))
    padded_b = ce(backward_logits, backward_targets.clamp(min=0))
    known = {
        "you summed the two directions; average them": f + b,
        "that is the forward loss only; add the backward one and average": f,
        "that is the backward loss only; add the forward one and average": b,
        f"padding positions were counted (targets {IGNORE} must be ignored: "
        f"F.cross_entropy(..., ignore_index={IGNORE}))": (padded_f + padded_b) / 2,
        "that is exp(loss), a perplexity; return the loss itself": float(np.exp((f + b) / 2)),
        "the log-softmax ran over the positions (dim=1); normalise over the vocabulary, dim=-1":
            (_nll(forward_logits.log_softmax(dim=1), forward_targets)
             + _nll(backward_logits.log_softmax(dim=1), backward_targets)) / 2,
        "those are raw logits: take log_softmax over the vocabulary (or use F.cross_entropy) "
        "before picking the target's score": (_nll(forward_logits, forward_targets)
                                              + _nll(backward_logits, backward_targets)) / 2,
    }
    for text, value in known.items():
        if np.isclose(got, value, rtol=1e-5, atol=1e-6):
            return text
    return ("the loss is the mean cross-entropy of each direction over its real predictions, "
            "then the average of the two; use log_softmax (or F.cross_entropy) on the logits")


def check_joint_lm_loss(fn: Callable) -> None:
    """``fn(forward_logits, backward_logits, forward_targets, backward_targets)`` -> scalar."""
    name = "joint_lm_loss"
    inputs = _loss_inputs()
    crash = ("F.cross_entropy wants scores (N, V) and targets (N,): flatten both with "
             "reshape(-1, V) and reshape(-1)")
    got = call(fn, *[t.clone() for t in inputs], name=name, hint=crash)
    got_a = as_array(got, name)
    if got_a.size != 1:
        fail(f"{name} returned {describe(got)}, not one number (a 0-d tensor)",
             "average the cross-entropy over the real positions of each direction, then the two")
    want = float(joint_lm_loss(*inputs))
    value = float(got_a.reshape(()))
    if not np.isclose(value, want, rtol=1e-5, atol=1e-5):
        fail(f"{name} returned {value:.6g}, expected {want:.6g}", _loss_hint(value, inputs))
    if isinstance(got, torch.Tensor):
        logits = inputs[0].clone().requires_grad_(True)
        out = call(fn, logits, *[t.clone() for t in inputs[1:]], name=name)
        if not (isinstance(out, torch.Tensor) and out.requires_grad):
            fail(f"{name} returned a tensor with requires_grad=False for logits that require it",
                 "compute it with torch operations on the logits (no .item(), numpy or a new "
                 "tensor) so training can follow the gradient")
    passed(name, f"loss {value:.4f} = mean of the forward and backward cross-entropies")
