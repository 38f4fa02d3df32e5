"""Self-checks for chapter 8, Unseen words."""

from __future__ import annotations

from typing import Callable

from ..unseen import chance_rate, char_ngrams
from .common import call, passed


def check_char_ngrams(fn: Callable) -> None:
    """``fn(word, min_n, max_n)`` must list FastText's n-grams like ``elmo_mini.unseen.char_ngrams``."""
    cases = [("cat", 3, 4), ("snuffleupagus", 3, 6), ("un", 3, 6), ("a", 1, 2), ("ing", 2, 5)]
    for word, min_n, max_n in cases:
        got = call(fn, word, min_n, max_n, name=f"char_ngrams({word!r}, {min_n}, {max_n})")
        expected = char_ngrams(word, min_n, max_n)
        where = f"char_ngrams({word!r}, {min_n}, {max_n})"
        if not isinstance(got, (list, tuple)) or not all(isinstance(g, str) for g in got):
            raise AssertionError(f"{where} returned {type(got).__name__}; expected a list of strings")
        got = list(got)
        if got == expected:
            continue
        if "<" not in "".join(got):
            hint = "the word must be wrapped as '<' + word + '>' before cutting n-grams"
        elif any(len(g) == max_n for g in expected) and not any(len(g) == max_n for g in got):
            hint = f"no n-gram of length max_n={max_n}: is the range of lengths inclusive?"
        elif sorted(got) == sorted(expected):
            hint = "the right n-grams in the wrong order: all length-min_n ones first, left to right"
        else:
            missing = [g for g in expected if g not in got][:3]
            extra = [g for g in got if g not in expected][:3]
            hint = f"missing {missing}, unexpected {extra}"
        raise AssertionError(f"{where} gave {got[:8]}{'...' if len(got) > 8 else ''}, expected "
                             f"{expected[:8]}{'...' if len(expected) > 8 else ''}. Hint: {hint}")
    passed("check_char_ngrams", f"{len(cases)} words, n-grams and their order match")


def check_chance_rate(fn: Callable) -> None:
    """``fn(query_labels, pool_labels)`` must equal ``elmo_mini.unseen.chance_rate``."""
    cases = [
        (["n", "v", "n", "r"], ["n", "n", "n", "a", "v", "r", "n", "a"]),  # unbalanced pool
        (["a", "a"], ["n", "v"]),  # no pool word shares the label
        (["ing", "ion", "ing"], ["ing", "ion", "ous", "ing", "ing"]),
    ]
    for queries, pool in cases:
        got = call(fn, list(queries), list(pool), name="chance_rate")
        expected = chance_rate(queries, pool)
        try:
            value = float(got)
        except (TypeError, ValueError):
            raise AssertionError(f"chance_rate returned {type(got).__name__}, expected a number") from None
        if abs(value - expected) > 1e-9:
            if abs(value - 1 / len(set(pool))) < 1e-9:
                hint = "1 / (number of labels) assumes a balanced pool; count each label's share"
            elif abs(value - 1 / len(set(queries) | set(pool))) < 1e-9:
                hint = "that is one over the number of labels; use each label's share of the pool"
            else:
                hint = ("for each query, the fraction of POOL labels equal to the query's label, "
                        "then the mean over queries")
            raise AssertionError(
                f"chance_rate({queries}, {pool}) gave {value:.4f}, expected {expected:.4f}. Hint: {hint}"
            )
    passed("check_chance_rate", f"{len(cases)} label sets, including an unbalanced pool")
