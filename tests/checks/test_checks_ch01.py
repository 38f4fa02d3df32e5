"""Chapter 1's self-check: it passes on the book's solution and fails on stubs and wrong answers."""

from __future__ import annotations

import pytest
from support.book_cells import run_solution, stub
from support.check_messages import Mistake, assert_message, mistake_ids

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


def _by_sentences(sentences, vocab):
    return sum(t not in vocab for t in _tokens(sentences)) / len(sentences)


def _no_empty_case(sentences, vocab):
    return sum(t not in vocab for t in _tokens(sentences)) / len(_tokens(sentences))


def _missing_list(sentences, vocab):
    return [t for t in _tokens(sentences) if t not in vocab]


MISTAKES = [
    Mistake("types", check_oov_rate, _by_types, r"returned 0\.4000, expected 0\.3125",
            "not each different word once"),
    Mistake("coverage", check_oov_rate, lambda s, v: 1 - oov_rate(s, v), r"0\.6875", "coverage"),
    Mistake("percentage", check_oov_rate, lambda s, v: 100 * oov_rate(s, v), r"31\.2500",
            "not a percentage"),
    Mistake("per-sentence", check_oov_rate, _by_sentences, r"1\.2500", "number of sentences"),
    Mistake("no-empty-case", check_oov_rate, _no_empty_case, "ZeroDivisionError",
            "return 0.0 before dividing"),
    Mistake("list-of-missing", check_oov_rate, _missing_list, "list", "one float"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_ids(MISTAKES))
def test_oov_rate_names_the_mistake(mistake):
    assert_message(mistake)


def test_package_oov_rate():
    vocab = Vocabulary(["a", "b"])
    assert oov_rate([["a", "c", "c"], []], vocab) == pytest.approx(2 / 3)
    assert oov_rate([], vocab) == 0.0
