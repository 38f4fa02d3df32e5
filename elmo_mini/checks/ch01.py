"""Self-checks for chapter 1 (words and characters): the out-of-vocabulary rate."""

from __future__ import annotations

import math
from typing import Callable

from ..vocab import Vocabulary, oov_rate
from .common import call, fail, passed, plain, short

_VOCAB = Vocabulary(["the", "of", "nation", "The", ",", "."])
# 16 tokens, 5 of them missing ("state", "snuffleupagus" twice, "arrogate", "'s");
# 10 types, 4 of them missing. An empty sentence adds nothing.
_SENTENCES = [
    ["The", "state", "of", "the", "nation", "."],
    [],
    ["snuffleupagus", ",", "snuffleupagus", ",", "arrogate", "."],
    ["the", "nation", "'s", "."],
]


def _hint(got: float, sentences, vocab: Vocabulary) -> str:
    expected = oov_rate(sentences, vocab)
    types = {t for s in sentences for t in s}
    wrong = {
        "count every occurrence (tokens), not each different word once (types)":
            sum(t not in vocab for t in types) / len(types) if types else 0.0,
        "that is the coverage (share FOUND in the vocabulary); the OOV rate is the share missing":
            1 - expected,
        "return a fraction between 0 and 1, not a percentage": 100 * expected,
        "divide by the number of tokens, not the number of sentences":
            sum(t not in vocab for s in sentences for t in s) / max(len(sentences), 1),
    }
    for hint, value in wrong.items():
        if math.isclose(got, value, rel_tol=1e-6, abs_tol=1e-9):
            return hint
    return "missing tokens / all tokens, with `token not in vocab`"


def check_oov_rate(fn: Callable) -> None:
    """``fn(sentences, vocab)`` -> the share of tokens that ``vocab`` does not hold."""
    name = "oov_rate"
    cases = [
        ("four sentences (one empty)", _SENTENCES),
        ("a corpus where every token is known", [["the", "nation", "."]]),
        ("a corpus without tokens", [[], []]),
    ]
    for what, sentences in cases:
        crash_hint = ("with no tokens there is nothing missing: return 0.0 before dividing"
                      if not any(sentences) else None)
        got = call(fn, [list(s) for s in sentences], _VOCAB, name=f"{name} on {what}",
                   hint=crash_hint)
        try:
            got = float(got)
        except (TypeError, ValueError):
            fail(f"{name} on {what} returned {type(got).__name__} {short(plain(got))}, not a number",
                 "return the share as one float: missing tokens / all tokens")
        expected = oov_rate(sentences, _VOCAB)
        if not math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-9):
            fail(f"{name} on {what} returned {got:.4f}, expected {expected:.4f}",
                 _hint(got, sentences, _VOCAB))
    passed(name, "tokens counted with repeats, empty sentences and an empty corpus")
