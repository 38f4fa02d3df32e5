"""Chapter 4's self-checks: they pass on the book's solutions and fail on stubs and wrong answers."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from book_cells import run_solution, stub

from elmo_mini.checks import check_continuation_counts, check_perplexity_from_log_probs

CHAPTER = "04_language_models"


def solution(label: str) -> dict:
    """The namespace after running the chapter's solution to exercise ``label``."""
    return run_solution(CHAPTER, label, {"math": math, "Counter": Counter})


# ---- perplexity -------------------------------------------------------------------------------
def test_perplexity_passes_on_the_solution(capsys):
    check_perplexity_from_log_probs(solution("ex-04-perplexity")["perplexity_from_log_probs"])
    assert "passed" in capsys.readouterr().out


def test_perplexity_passes_on_a_numpy_answer():
    check_perplexity_from_log_probs(lambda lp: np.exp(-np.mean(np.asarray(lp, dtype=float))))


def test_perplexity_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_perplexity_from_log_probs(stub)


def _values(lp):
    return np.asarray([float(x) for x in lp])


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda lp: math.exp(_values(lp).mean()), "the sign"),
        (lambda lp: math.exp(-_values(lp).sum()), "MEAN"),
        (lambda lp: float(np.exp(-_values(lp)).mean()), "average the log-probabilities first"),
        (lambda lp: 2.0 ** (-_values(lp).mean()), "natural logs"),
        (lambda lp: -_values(lp).mean(), "cross-entropy"),
    ],
)
def test_perplexity_names_the_mistake(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_perplexity_from_log_probs(wrong)


# ---- continuation counts ----------------------------------------------------------------------
def test_continuation_counts_passes_on_the_solution(capsys):
    check_continuation_counts(solution("ex-04-continuation-counts")["continuation_counts"])
    assert "passed" in capsys.readouterr().out


def test_continuation_counts_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_continuation_counts(stub)


def _frequencies(sentences):
    return Counter(w for s in sentences for w in s)


def _followers(sentences):
    pairs = {p for s in sentences for p in zip(["<S>", *s], [*s, "</S>"])}
    return Counter(v for v, w in pairs)


def _no_boundaries(sentences):
    pairs = {p for s in sentences for p in zip(s, s[1:])}
    return Counter(w for v, w in pairs)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_frequencies, "frequencies"),
        (_followers, "AFTER"),
        (_no_boundaries, "<S> w_1"),
        (lambda sentences: [1, 2, 3], "dict"),
    ],
)
def test_continuation_counts_names_the_mistake(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_continuation_counts(wrong)
