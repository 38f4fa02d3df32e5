"""Chapter 4's self-checks: they pass on the book's solutions and fail on stubs and wrong answers."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from support.book_cells import run_solution, stub
from support.check_messages import Mistake, assert_message, mistake_ids

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


PPL = check_perplexity_from_log_probs
PERPLEXITY_MISTAKES = [
    Mistake("sign-dropped", PPL, lambda lp: math.exp(_values(lp).mean()),
            "on a list of 6 log-probabilities returned 0.14969, expected 6.68048", "the sign"),
    Mistake("sum-not-mean", PPL, lambda lp: math.exp(-_values(lp).sum()),
            "returned 88888.9, expected 6.68048", "MEAN"),
    Mistake("mean-of-inverse-probabilities", PPL, lambda lp: float(np.exp(-_values(lp)).mean()),
            "returned 14.5185", "average the log-probabilities first"),
    Mistake("base-2", PPL, lambda lp: 2.0 ** (-_values(lp).mean()), "returned 3.73004", "natural logs"),
    Mistake("cross-entropy", PPL, lambda lp: -_values(lp).mean(), "returned 1.89919", "cross-entropy"),
    Mistake("n-minus-1", PPL, lambda lp: math.exp(-_values(lp).sum() / (len(_values(lp)) - 1)),
            "returned 9.76719", "not N - 1"),
    Mistake("per-token", PPL, lambda lp: np.exp(-_values(lp)), r"array of shape \(6,\)",
            "average the log-probabilities"),
    Mistake("list-input-only", PPL, lambda lp: math.exp(-sum(lp) / len(lp)) if isinstance(lp, list)
            else math.exp(-lp.sum(dim=1).mean()), "on a torch tensor of them raised IndexError",
            "traceback"),
]


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


def _no_sentence_start(sentences):  # </S> added at the end, but no <S> before the first word
    pairs = {p for s in sentences for p in zip(s, [*s[1:], "</S>"])}
    return Counter(w for v, w in pairs)


def _no_sentence_end(sentences):
    pairs = {p for s in sentences for p in zip(["<S>", *s], s)}
    return Counter(w for v, w in pairs)


CONT = check_continuation_counts
CONTINUATION_MISTAKES = [
    Mistake("frequencies", CONT, _frequencies, "'Francisco' has 3, expected 1", "frequencies"),
    Mistake("followers", CONT, _followers, "'Francisco' has 2, expected 1", "AFTER"),
    Mistake("no-boundaries", CONT, _no_boundaries, "'San' has 2, expected 3", "<S> w_1"),
    Mistake("no-sentence-start", CONT, _no_sentence_start, "'San' has 2, expected 3",
            "first word of a sentence has <S> before it"),
    Mistake("no-sentence-end", CONT, _no_sentence_end, "'</S>' has 0, expected 4",
            "'</S>' is predicted too"),
    Mistake("list", CONT, lambda sentences: [1, 2, 3], "returned a list of 3 items", "Counter"),
]

MISTAKES = PERPLEXITY_MISTAKES + CONTINUATION_MISTAKES


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_ids(MISTAKES))
def test_messages_name_the_mistake(mistake):
    assert_message(mistake)
