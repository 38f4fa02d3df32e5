"""Self-checks for chapter 8, Unseen words."""

from __future__ import annotations

from collections import Counter
from typing import Callable

from ..unseen import chance_rate, char_ngrams
from .common import call, describe, fail, passed, short


def _grams(marked: str, lengths, starts) -> list:
    return [marked[i : i + n] for n in lengths for i in starts(n)]


def _ngram_hint(got: list, word: str, min_n: int, max_n: int, expected: list) -> str:
    """Name the likely mistake of a wrong char_ngrams."""
    marked = "<" + word + ">"
    inclusive = range(min_n, max_n + 1)
    known = {
        "the word must be wrapped as '<' + word + '>' before cutting n-grams":
            [g for n in inclusive for g in _grams(word, [n], lambda n: range(len(word) - n + 1))],
        f"no n-gram of length max_n={max_n}: the range of lengths is inclusive, "
        "range(min_n, max_n + 1)": _grams(marked, range(min_n, max_n),
                                          lambda n: range(len(marked) - n + 1)),
        "the last n-gram of each length is missing: the starts run to len(marked) - n "
        "included, range(len(marked) - n + 1)": _grams(marked, inclusive,
                                                       lambda n: range(len(marked) - n)),
        "the starts run over the marked word '<' + word + '>', two characters longer than the "
        "word": _grams(marked, inclusive, lambda n: range(len(word) - n + 1)),
    }
    for hint, value in known.items():
        if got == value:
            return hint
    if sorted(got) == sorted(expected):
        return "the right n-grams in the wrong order: all length-min_n ones first, left to right"
    missing = [g for g in expected if g not in got][:3]
    return (f"{missing} are missing: every substring of '<' + word + '>' of length min_n to "
            "max_n" if missing else "only substrings of '<' + word + '>' of length min_n to max_n")


def check_char_ngrams(fn: Callable) -> None:
    """``fn(word, min_n, max_n)`` must list FastText's n-grams like ``elmo_mini.unseen.char_ngrams``."""
    cases = [("cat", 3, 4), ("snuffleupagus", 3, 6), ("un", 3, 6), ("a", 1, 2), ("ing", 2, 5)]
    for word, min_n, max_n in cases:
        where = f"char_ngrams({word!r}, {min_n}, {max_n})"
        got = call(fn, word, min_n, max_n, name=where)
        expected = char_ngrams(word, min_n, max_n)
        if not isinstance(got, (list, tuple)) or not all(isinstance(g, str) for g in got):
            fail(f"{where} returned {describe(got)}, not a list of strings",
                 "collect the substrings in a list and return it")
        got = list(got)
        if got == expected:
            continue
        fail(f"{where} gave {short(repr(got), 70)}, expected {short(repr(expected), 70)}",
             _ngram_hint(got, word, min_n, max_n, expected))
    passed("check_char_ngrams", f"{len(cases)} words, n-grams and their order match")


def _chance_hint(value: float, queries: list, pool: list) -> str:
    share = Counter(pool)
    per_query = [share[q] / len(pool) for q in queries]
    query_share = Counter(queries)
    known = {
        "1 / (number of labels) assumes a balanced pool; count each label's share":
            1 / len(set(pool)),
        "that is one over the number of labels; use each label's share of the pool":
            1 / len(set(queries) | set(pool)),
        "that is the share of the most frequent pool label; use each query's own label's share":
            share.most_common(1)[0][1] / len(pool),
        "count each label's share among the POOL labels, not among the queries":
            sum(query_share[q] / len(queries) for q in queries) / len(queries),
        "average the per-query shares over the queries (divide by their number)": sum(per_query),
        "the share of a label is its count divided by the number of POOL labels":
            sum(share[q] / len(queries) for q in queries) / len(queries),
    }
    for hint, wrong in known.items():
        if abs(value - wrong) < 1e-9:
            return hint
    return ("for each query, the fraction of POOL labels equal to the query's label, then the "
            "mean over queries")


def check_chance_rate(fn: Callable) -> None:
    """``fn(query_labels, pool_labels)`` must equal ``elmo_mini.unseen.chance_rate``."""
    cases = [
        (["n", "v", "n", "r"], ["n", "n", "n", "a", "v", "r", "n", "a"]),  # unbalanced pool
        (["a", "a"], ["n", "v"]),  # no pool word shares the label
        (["ing", "ion", "ing"], ["ing", "ion", "ous", "ing", "ing"]),
    ]
    for queries, pool in cases:
        where = f"chance_rate({queries}, {pool})"
        got = call(fn, list(queries), list(pool), name=where)
        expected = chance_rate(queries, pool)
        try:
            value = float(got)
        except (TypeError, ValueError):
            fail(f"{where} returned {describe(got)}, not a number",
                 "average the per-query shares into one float")
        if abs(value - expected) > 1e-9:
            fail(f"{where} gave {value:.4f}, expected {expected:.4f}",
                 _chance_hint(value, queries, pool))
    passed("check_chance_rate", f"{len(cases)} label sets, including an unbalanced pool")
