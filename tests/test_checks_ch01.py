"""Chapter 1's self-check: it passes on the book's solution and fails on stubs and wrong answers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from elmo_mini.checks import check_oov_rate
from elmo_mini.vocab import Vocabulary, oov_rate

CHAPTER = Path(__file__).resolve().parents[1] / "book" / "01_words_and_characters.md"


def solution(label: str) -> dict:
    """Run the first code cell of the chapter's solution to exercise ``label``; its namespace."""
    text = CHAPTER.read_text(encoding="utf-8")
    start = text.index(f"{{solution-start}} {label}")
    code = re.search(r"```\{code-cell\} ipython3\n(.*?)```", text[start:], re.S).group(1)
    namespace: dict = {"Vocabulary": Vocabulary}
    exec(code, namespace)  # noqa: S102 - the book's own code
    return namespace


def stub(*args, **kwargs):
    raise NotImplementedError()


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
