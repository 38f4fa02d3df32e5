"""Self-checks for chapter 10 (probing): the most-frequent-sense baseline, the split by lemma."""

from __future__ import annotations

from collections import Counter
from typing import Callable

import numpy as np

from ..probes import leave_one_out_most_frequent
from .common import call, describe, fail, passed

# Fixed inputs: ties (b, b, a, a), a sense seen once, a lemma with one sense only.
_SENSES = [
    ["a", "a", "b", "b", "b"],
    ["b", "a", "b", "a"],
    ["x", "y", "y", "z", "z", "z"],
    ["s", "s", "s"],
]


def _most_frequent(senses: list):
    """The most frequent sense, ties to the first seen; None for no senses."""
    return Counter(senses).most_common(1)[0][0] if senses else None


def _most_frequent_hint(answers: list, i: int, senses: list, got, expected) -> str:
    """Name the likely mistake, from every answer (a mistake shows on all the lists)."""
    def everywhere(rule) -> bool:
        return all(a == [rule(s, j) for j in range(len(s))] for a, s in zip(answers, _SENSES))

    if isinstance(got, tuple) and got and got[0] == expected:
        return "most_common(1)[0] is a (sense, count) pair: take most_common(1)[0][0]"
    if everywhere(lambda s, j: _most_frequent(s)):
        return "leave example i out before counting: its own sense must not vote for itself"
    if everywhere(lambda s, j: _most_frequent(s[: max(j - 1, 0)] + s[j + 1 :])):
        return "senses[:i] + senses[i + 1:] leaves out exactly example i; yours also drops i - 1"
    if everywhere(lambda s, j: _most_frequent(s[:j] + s[j + 2 :])):
        return "senses[:i] + senses[i + 1:] leaves out exactly example i; yours also drops i + 1"
    others = Counter(s for j, s in enumerate(senses) if j != i)
    if others[got] == others[expected]:
        return ("on a tie, take the sense that comes first in `senses` (Counter(...).most_common(1) "
                "does that)")
    return "for example i, count the senses of all the OTHER examples and take the most frequent"


def check_leave_one_out_most_frequent(fn: Callable) -> None:
    """``fn(senses)``: per example, the most frequent sense among the *other* examples."""
    answers = []
    for senses in _SENSES:
        where = f"leave_one_out_most_frequent({senses})"
        got = call(fn, list(senses), name=where)
        if not isinstance(got, (list, tuple)) or len(got) != len(senses):
            fail(f"{where} returned {describe(got)}, expected a list of {len(senses)} senses",
                 "return one sense per example: the prediction for each example i in turn")
        answers.append(list(got))
    for got, senses in zip(answers, _SENSES):
        expected = leave_one_out_most_frequent(senses)
        for i, (g, e) in enumerate(zip(got, expected)):
            if g != e:
                fail(f"for senses={senses}, example {i} (sense {senses[i]!r}) got {g!r}, "
                     f"expected {e!r}", _most_frequent_hint(answers, i, senses, g, e))
    passed("check_leave_one_out_most_frequent", f"{len(_SENSES)} sense lists, ties included")


def _indices(part, side: str) -> np.ndarray:
    try:
        return np.asarray(part, dtype=int).ravel()
    except (TypeError, ValueError):
        fail(f"split_by_lemma's {side} side is {describe(part)}, not indices",
             "return the positions i of the examples (np.flatnonzero(...)), not the lemmas")


def check_split_by_lemma(fn: Callable) -> None:
    """``fn(lemmas, test_fraction, seed)`` -> (train indices, test indices), no lemma in both."""
    rng = np.random.default_rng(0)
    words = [f"word{k}" for k in range(40)]
    lemmas = [words[k] for k in rng.integers(0, 40, size=300)]
    result = call(fn, lemmas, 0.25, 0, name="split_by_lemma")
    if not isinstance(result, tuple) or len(result) != 2:
        fail(f"split_by_lemma returned {describe(result)}, not (train, test)",
             "return the two arrays of indices as a tuple: return train, test")
    train, test = _indices(result[0], "train"), _indices(result[1], "test")
    both = sorted(set(train.tolist()) & set(test.tolist()))
    if both:
        fail(f"{len(both)} examples (e.g. index {both[0]}) are in both train and test",
             "give each index one side: test = the examples of the held-out lemmas, train = all "
             "the others")
    if sorted([*train.tolist(), *test.tolist()]) != list(range(len(lemmas))):
        missing = sorted(set(range(len(lemmas))) - set(train.tolist()) - set(test.tolist()))
        fail(f"train and test hold {len(train)} + {len(test)} indices for {len(lemmas)} examples"
             + (f" (index {missing[0]} is on neither side)" if missing else " (some twice)"),
             "every index 0 to len(lemmas) - 1 goes to exactly one side, once")
    shared = sorted({lemmas[i] for i in train} & {lemmas[i] for i in test})
    if shared:
        fail(f"{len(shared)} lemmas (e.g. {shared[0]!r}) have examples in both train and test",
             "choose the test LEMMAS first, then take all their examples, or the probe can "
             "memorise those words")
    n_test_lemmas = len({lemmas[i] for i in test})
    n_lemmas = len(set(lemmas))
    if not 0.15 <= n_test_lemmas / n_lemmas <= 0.35:
        swapped = 0.65 <= n_test_lemmas / n_lemmas <= 0.85
        fail(f"{n_test_lemmas} of {n_lemmas} lemmas are on the test side with test_fraction=0.25",
             "train and test are swapped: return (train, test)" if swapped else
             "test_fraction is a share of the distinct lemmas: round(test_fraction * "
             "len(distinct)) of them go to the test side")
    other = call(fn, lemmas, 0.25, 1, name="split_by_lemma with seed=1")
    other_test = _indices(other[1], "test") if isinstance(other, tuple) else test
    if {lemmas[i] for i in other_test} == {lemmas[i] for i in test}:
        fail(f"seed 0 and seed 1 gave the same {n_test_lemmas} test lemmas",
             "shuffle the distinct lemmas with the seed: random.Random(seed).shuffle(distinct)")
    passed(
        "check_split_by_lemma",
        f"{len(train)} train / {len(test)} test examples, {n_test_lemmas} of {n_lemmas} lemmas held out",
    )
