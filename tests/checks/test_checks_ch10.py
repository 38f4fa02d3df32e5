"""The chapter 10 self-checks pass the solutions and fail stubs and typical mistakes."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest
from support.book_cells import run_solution, stub
from support.check_messages import Mistake, assert_message, mistake_ids

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


def most_frequent_pair(senses):  # most_common(1)[0] is (sense, count)
    return [Counter(senses[:i] + senses[i + 1 :]).most_common(1)[0] for i in range(len(senses))]


def most_frequent_drops_two(senses):  # senses[:i - 1]: off by one, drops example i - 1 too
    out = []
    for i in range(len(senses)):
        others = senses[: max(i - 1, 0)] + senses[i + 1 :]
        out.append(Counter(others).most_common(1)[0][0] if others else senses[0])
    return out


def most_frequent_overall(senses):  # one answer, not one per example
    return Counter(senses).most_common(1)[0][0]


def split_lemmas_not_indices(lemmas, test_fraction=0.25, seed=0):
    train, test = split_solution(lemmas, test_fraction, seed)
    return [lemmas[i] for i in train], [lemmas[i] for i in test]


def split_swapped(lemmas, test_fraction=0.25, seed=0):
    train, test = split_solution(lemmas, test_fraction, seed)
    return test, train


def split_without_seed(lemmas, test_fraction=0.25, seed=0):  # the first lemmas, never shuffled
    distinct = sorted(set(lemmas))
    held_out = set(distinct[: round(test_fraction * len(distinct))])
    return ([i for i, lemma in enumerate(lemmas) if lemma not in held_out],
            [i for i, lemma in enumerate(lemmas) if lemma in held_out])


def split_forgets_last(lemmas, test_fraction=0.25, seed=0):  # range(len(lemmas) - 1)
    train, test = split_solution(lemmas, test_fraction, seed)
    last = len(lemmas) - 1
    return [i for i in train if i != last], [i for i in test if i != last]


def split_overlapping(lemmas, test_fraction=0.25, seed=0):  # test examples also left in train
    train, test = split_solution(lemmas, test_fraction, seed)
    return list(range(len(lemmas))), test


MF, SPLIT = check_leave_one_out_most_frequent, check_split_by_lemma
MISTAKES = [
    Mistake("counts-itself", MF, most_frequent_with_self,
            r"for senses=\['a', 'a', 'b', 'b', 'b'\], example 2 \(sense 'b'\) got 'b', expected 'a'",
            "leave example i out"),
    Mistake("ties-alphabetical-from-the-end", MF, most_frequent_sorted_ties,
            r"example \d \(sense '\w'\) got '\w', expected '\w'", "on a tie"),
    Mistake("count-pair", MF, most_frequent_pair, r"got \('b', 3\), expected 'b'", r"most_common\(1\)\[0\]\[0\]"),
    Mistake("drops-two", MF, most_frequent_drops_two, r"example \d", "also drops i - 1"),
    Mistake("one-answer", MF, most_frequent_overall, "returned str 'b', expected a list of 5 senses",
            "one sense per example"),
    Mistake("split-by-example", SPLIT, split_by_example,
            r"\d+ lemmas \(e\.g\. 'word\d+'\) have examples in both train and test", "memorise"),
    Mistake("everything-to-train", SPLIT, split_everything_to_train,
            "0 of 40 lemmas are on the test side", "share of the distinct lemmas"),
    Mistake("lemmas-not-indices", SPLIT, split_lemmas_not_indices,
            "train side is a list of 226 items, not indices", "not the lemmas"),
    Mistake("swapped", SPLIT, split_swapped, "30 of 40 lemmas are on the test side", "swapped"),
    Mistake("seed-ignored", SPLIT, split_without_seed, "seed 0 and seed 1 gave the same 10 test lemmas",
            r"random\.Random\(seed\)"),
    Mistake("last-index-forgotten", SPLIT, split_forgets_last,
            r"hold \d+ \+ \d+ indices for 300 examples \(index 299 is on neither side\)", "exactly one side"),
    Mistake("test-left-in-train", SPLIT, split_overlapping,
            r"\d+ examples \(e\.g\. index \d+\) are in both train and test", "one side"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_ids(MISTAKES))
def test_messages_name_the_mistake(mistake):
    assert_message(mistake)


@pytest.mark.parametrize("check", [MF, SPLIT])
def test_checks_fail_on_the_stub(check):
    with pytest.raises(AssertionError, match="not implemented"):
        check(stub)


@pytest.mark.parametrize("check, label, name", [
    (MF, "ex-10-most-frequent", "leave_one_out_most_frequent"),
    (SPLIT, "ex-10-split-by-lemma", "split_by_lemma"),
])
def test_checks_pass_on_the_book_solution(check, label, name, capsys):
    check(run_solution("10_probing", label, {"Counter": Counter, "np": np})[name])
    assert "passed" in capsys.readouterr().out
