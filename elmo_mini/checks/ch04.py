"""Self-checks for chapter 4 (language models): perplexity and continuation counts."""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

from ..kneser_ney import KneserNeyTrigram
from ..vocab import EOS, Vocabulary
from .common import as_array, call, describe, fail, passed

# Per-token natural-log probabilities of a few predictions: one sure, one hard, most in between.
_LOG_PROBS = [math.log(p) for p in (0.5, 0.25, 0.1, 0.05, 0.9, 0.02)]


def _perplexity_hint(got: float, log_probs: np.ndarray) -> str:
    mean = log_probs.mean()
    wrong = {
        "the sign: perplexity is exp(MINUS the mean log-probability), a number >= 1":
            math.exp(mean),
        "use the MEAN log-probability per token, not the sum": math.exp(-log_probs.sum()),
        "average the log-probabilities first, then exponentiate (not the mean of 1/p)":
            float(np.exp(-log_probs).mean()),
        "the log-probabilities are natural logs: use exp, not 2 ** (...)": 2.0 ** (-mean),
        "that is the cross-entropy (mean negative log-probability); perplexity is its exp": -mean,
        "divide by N, the number of predictions, not N - 1":
            math.exp(-log_probs.sum() / (len(log_probs) - 1)),
        "the log-probabilities are natural logs: use exp, not 10 ** (...)": 10.0 ** (-mean),
    }
    for hint, value in wrong.items():
        if math.isclose(got, value, rel_tol=1e-6):
            return hint
    return "perplexity = exp(-(1/N) * sum of the N log-probabilities)"


def check_perplexity_from_log_probs(fn: Callable) -> None:
    """``fn(log_probs)`` -> the perplexity of N predictions from their natural-log probabilities."""
    name = "perplexity_from_log_probs"
    cases = {
        "a list of 6 log-probabilities": _LOG_PROBS,
        "a torch tensor of them": torch.tensor(_LOG_PROBS, dtype=torch.float64),
        "a uniform model over 50 words (perplexity 50)": [math.log(1 / 50)] * 7,
    }
    for what, log_probs in cases.items():
        got = call(fn, log_probs, name=f"{name} on {what}")
        got_a = as_array(got, name)
        if got_a.size != 1 or got_a.dtype.kind not in "biuf":
            fail(f"{name} on {what} returned {describe(got)}, not one number",
                 "average the log-probabilities over all N predictions first, then take exp of "
                 "minus that mean")
        got_value = float(got_a.reshape(()))
        values = np.asarray([float(v) for v in log_probs])
        expected = math.exp(-values.mean())
        if not math.isclose(got_value, expected, rel_tol=1e-6):
            fail(f"{name} on {what} returned {got_value:.6g}, expected {expected:.6g}",
                 _perplexity_hint(got_value, values))
    passed(name, "exp of the mean negative log-probability; a uniform model over 50 words gives 50")


# ---- continuation counts ----------------------------------------------------------------------
_CORPUS = [
    ["I", "live", "in", "San", "Francisco"],
    ["San", "Francisco", "is", "in", "California"],
    ["we", "love", "San", "Francisco"],
    ["I", "love", "New", "York"],
    ["I", "live", "in", "York"],
    ["York", "is", "old"],
]


def _reference(sentences) -> dict:
    """Continuation counts as KneserNeyTrigram counts them (its distinct bigram types)."""
    vocab = Vocabulary.build(sentences, max_size=None)
    model = KneserNeyTrigram(vocab).fit(sentences)
    counts = np.bincount(model.bi_keys % model.V, minlength=model.V)
    return {vocab.words[i]: int(n) for i, n in enumerate(counts) if n > 0}


def _counts(sentences, start: bool, end: bool, before: bool = True) -> dict:
    """Continuation counts with or without the boundary tokens (or counting followers)."""
    pairs = set()
    for s in sentences:
        seq = (["<S>"] if start else []) + list(s) + ([EOS] if end else [])
        pairs.update(zip(seq, seq[1:]))
    counts: dict = {}
    for v, w in pairs:
        key = w if before else v
        counts[key] = counts.get(key, 0) + 1
    return counts


def _continuation_hint(got: dict, expected: dict) -> str:
    tokens = [w for s in _CORPUS for w in s]
    frequency = {w: tokens.count(w) for w in set(tokens)}
    if all(got.get(w) == frequency[w] for w in frequency):
        return ("those are frequencies; a continuation count is the number of DISTINCT words "
                "seen right before w")
    if got == _counts(_CORPUS, True, True, before=False):
        return "you counted distinct words AFTER each word; count the distinct words BEFORE it"
    if got == _counts(_CORPUS, True, False):
        return "read each sentence as <S> w_1 ... w_n </S>: '</S>' is predicted too"
    if got == _counts(_CORPUS, False, True):
        return "the first word of a sentence has <S> before it: read each sentence as <S> w_1 ... w_n </S>"
    if got == _counts(_CORPUS, False, False):
        return ("read each sentence as <S> w_1 ... w_n </S>: '</S>' is predicted too, and the "
                "first word of a sentence has <S> before it")
    if "<S>" in got:
        return "<S> is never predicted, so it has no continuation count"
    return "for each word w, count the distinct v such that the pair (v, w) occurs"


def check_continuation_counts(fn: Callable) -> None:
    """``fn(sentences)`` -> {word: number of distinct words seen right before it}."""
    name = "continuation_counts"
    got = call(fn, [list(s) for s in _CORPUS], name=name)
    if not isinstance(got, dict):
        fail(f"{name} returned {describe(got)}, not a dict",
             "return {word: count}, a dict or a collections.Counter")
    got = {w: int(n) for w, n in got.items() if n}
    expected = _reference(_CORPUS)
    if got != expected:
        # Show a word both sides count if there is one: "'Francisco' has 3" says more than a
        # missing key.
        wrong = sorted(set(got) | set(expected),
                       key=lambda w: (w not in expected, w not in got, w))
        word = next(w for w in wrong if got.get(w) != expected.get(w))
        fail(f"{name}: {word!r} has {got.get(word, 0)}, expected {expected.get(word, 0)}",
             _continuation_hint(got, expected))
    passed(name, f"'Francisco' {expected['Francisco']} (always after 'San'), "
                 f"'York' {expected['York']}, '</S>' {expected[EOS]}")
