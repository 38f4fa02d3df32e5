"""Chapter 1's self-check: it passes on the book's solution and fails on stubs and wrong answers."""

from __future__ import annotations

import pytest
from book_cells import run_solution, stub

from elmo_mini.checks import check_oov_rate
from elmo_mini.vocab import Vocabulary, oov_rate

CHAPTER = "01_words_and_characters"


def solution(label: str) -> dict:
    """The namespace after running the chapter's solution to exercise ``label``."""
    return run_solution(CHAPTER, label, {"Vocabulary": Vocabulary})


def test_oov_rate_passes_on_the_solution(capsys):
    check_oov_rate(solution("ex-01-oov-rate")["oov_rate"])
    assert "passed" in capsys.readouterr().out


def test_oov_rate_passes_on_the_package():
    check_oov_rate(oov_rate)


def test_oov_rate_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_oov_rate(stub)


def _by_types(sentences, vocab):
    types = {t for s in sentences for t in s}
    return sum(t not in vocab for t in types) / len(types) if types else 0.0


def _tokens(sentences):
    return [t for s in sentences for t in s]


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_by_types, "not each different word once"),
        (lambda s, v: 1 - oov_rate(s, v), "coverage"),
        (lambda s, v: 100 * oov_rate(s, v), "not a percentage"),
        (lambda s, v: sum(t not in v for t in _tokens(s)) / len(s), "number of sentences"),
        (lambda s, v: sum(t not in v for t in _tokens(s)) / len(_tokens(s)), "ZeroDivisionError"),
        (lambda s, v: [t for t in _tokens(s) if t not in v], "not a number"),
    ],
)
def test_oov_rate_names_the_mistake(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_oov_rate(wrong)


def test_package_oov_rate():
    vocab = Vocabulary(["a", "b"])
    assert oov_rate([["a", "c", "c"], []], vocab) == pytest.approx(2 / 3)
    assert oov_rate([], vocab) == 0.0
