"""Self-checks for chapter 10 (probing): the most-frequent-sense baseline, the split by lemma."""

from __future__ import annotations

from collections import Counter
from typing import Callable

import numpy as np

from ..probes import leave_one_out_most_frequent
from .common import call, passed

# Fixed inputs: ties (b, b, a, a), a sense seen once, a lemma with one sense only.
_SENSES = [
    ["a", "a", "b", "b", "b"],
    ["b", "a", "b", "a"],
    ["x", "y", "y", "z", "z", "z"],
    ["s", "s", "s"],
]


def check_leave_one_out_most_frequent(fn: Callable) -> None:
    """``fn(senses)``: per example, the most frequent sense among the *other* examples."""
    answers = []
    for senses in _SENSES:
        got = call(fn, list(senses), name="leave_one_out_most_frequent")
        if not isinstance(got, (list, tuple)) or len(got) != len(senses):
            raise AssertionError(
                f"leave_one_out_most_frequent({senses}) should return one sense per example "
                f"({len(senses)}), got {got!r}"
            )
        answers.append(list(got))
    counted_itself = all(
        got == [Counter(senses).most_common(1)[0][0]] * len(senses)
        for got, senses in zip(answers, _SENSES)
    )
    for got, senses in zip(answers, _SENSES):
        expected = leave_one_out_most_frequent(senses)
        for i, (g, e) in enumerate(zip(got, expected)):
            if g == e:
                continue
            others = Counter(s for j, s in enumerate(senses) if j != i)
            if counted_itself or others[g] != others[e]:
                hint = "leave example i out before counting: its own sense must not vote for itself"
            else:
                hint = (
                    "on a tie, take the sense that comes first in `senses` "
                    "(Counter(...).most_common(1) does that)"
                )
            raise AssertionError(
                f"for senses={senses}, example {i} (sense {senses[i]!r}): got {g!r}, expected "
                f"{e!r}. Hint: {hint}."
            )
    passed("check_leave_one_out_most_frequent", f"{len(_SENSES)} sense lists, ties included")


def check_split_by_lemma(fn: Callable) -> None:
    """``fn(lemmas, test_fraction, seed)`` -> (train indices, test indices), no lemma in both."""
    rng = np.random.default_rng(0)
    words = [f"word{k}" for k in range(40)]
    lemmas = [words[k] for k in rng.integers(0, 40, size=300)]
    result = call(fn, lemmas, 0.25, 0, name="split_by_lemma")
    if not isinstance(result, tuple) or len(result) != 2:
        raise AssertionError(f"split_by_lemma should return (train, test), got {type(result).__name__}")
    train, test = (np.asarray(part, dtype=int).ravel() for part in result)
    if set(train) & set(test):
        raise AssertionError("some examples are in both train and test: give each index one side")
    if sorted([*train, *test]) != list(range(len(lemmas))):
        raise AssertionError(
            f"train and test together should hold every index 0..{len(lemmas) - 1} once "
            f"(got {len(train)} + {len(test)} indices)"
        )
    shared = sorted({lemmas[i] for i in train} & {lemmas[i] for i in test})
    if shared:
        raise AssertionError(
            f"{len(shared)} lemmas (e.g. {shared[0]!r}) are in both train and test: the probe "
            "could memorise those words. Choose the test *lemmas* first, then take all their examples"
        )
    n_test_lemmas = len({lemmas[i] for i in test})
    n_lemmas = len(set(lemmas))
    if not 0.15 <= n_test_lemmas / n_lemmas <= 0.35:
        raise AssertionError(
            f"{n_test_lemmas} of {n_lemmas} lemmas are on the test side; with test_fraction=0.25 "
            "expect about a quarter of the lemmas"
        )
    passed(
        "check_split_by_lemma",
        f"{len(train)} train / {len(test)} test examples, {n_test_lemmas} of {n_lemmas} lemmas held out",
    )
