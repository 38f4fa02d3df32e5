"""The chapter 10 self-checks pass the solutions and fail stubs and typical mistakes."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from book_cells import stub

from elmo_mini.checks import check_leave_one_out_most_frequent, check_split_by_lemma
from elmo_mini.probes import split_by_lemma


def most_frequent_solution(senses):
    return [Counter(senses[:i] + senses[i + 1 :]).most_common(1)[0][0] for i in range(len(senses))]


def most_frequent_with_self(senses):  # forgot to leave the example out
    return [Counter(senses).most_common(1)[0][0] for _ in senses]


def most_frequent_sorted_ties(senses):  # ties broken alphabetically, from the end
    out = []
    for i in range(len(senses)):
        counts = Counter(senses[:i] + senses[i + 1 :])
        out.append(max(sorted(counts, reverse=True), key=counts.get))
    return out


def test_most_frequent_check_passes(capsys):
    check_leave_one_out_most_frequent(most_frequent_solution)
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (stub, "not implemented"),
        (most_frequent_with_self, "leave example i out"),
        (most_frequent_sorted_ties, "on a tie"),
    ],
)
def test_most_frequent_check_fails(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_leave_one_out_most_frequent(wrong)


def split_solution(lemmas, test_fraction=0.25, seed=0):
    distinct = sorted(set(lemmas))
    random.Random(seed).shuffle(distinct)
    held_out = set(distinct[: round(test_fraction * len(distinct))])
    test = [i for i, lemma in enumerate(lemmas) if lemma in held_out]
    train = [i for i, lemma in enumerate(lemmas) if lemma not in held_out]
    return train, test


def split_by_example(lemmas, test_fraction=0.25, seed=0):  # the leak the split must avoid
    order = np.random.default_rng(seed).permutation(len(lemmas))
    n_test = round(test_fraction * len(lemmas))
    return order[n_test:], order[:n_test]


def split_everything_to_train(lemmas, test_fraction=0.25, seed=0):
    return list(range(len(lemmas))), []


@pytest.mark.parametrize("solution", [split_solution, split_by_lemma])
def test_split_check_passes(solution, capsys):
    check_split_by_lemma(solution)
    assert "passed" in capsys.readouterr().out


@pytest.mark.parametrize(
    "wrong, message",
    [
        (stub, "not implemented"),
        (split_by_example, "memorise"),
        (split_everything_to_train, "about a quarter"),
    ],
)
def test_split_check_fails(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_split_by_lemma(wrong)
