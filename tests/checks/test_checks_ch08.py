"""The chapter 8 self-checks pass the solution and fail the stub and plausible wrong answers."""

from __future__ import annotations

from collections import Counter

import pytest
from support.book_cells import run_solution, stub
from support.check_messages import Mistake, assert_message, mistake_ids

from elmo_mini.checks import check_chance_rate, check_char_ngrams
from elmo_mini.unseen import chance_rate, char_ngrams

CHAPTER = "08_unseen_words"


@pytest.mark.parametrize("check, label, name", [
    (check_char_ngrams, "ex-08-char-ngrams", "char_ngrams"),
    (check_chance_rate, "ex-08-chance-rate", "chance_rate"),
])
def test_checks_pass_on_the_book_solution(check, label, name, capsys):
    check(run_solution(CHAPTER, label, {"Counter": Counter})[name])
    assert "passed" in capsys.readouterr().out


def test_checks_pass_on_the_package():
    check_char_ngrams(char_ngrams)
    check_chance_rate(chance_rate)


@pytest.mark.parametrize("check", [check_char_ngrams, check_chance_rate])
def test_checks_fail_on_the_stub(check):
    with pytest.raises(AssertionError, match="not implemented"):
        check(stub)


def no_marks(word, min_n, max_n):  # forgot the < > boundary marks
    return [word[i : i + n] for n in range(min_n, max_n + 1) for i in range(len(word) - n + 1)]


def exclusive(word, min_n, max_n):  # range(min_n, max_n): the longest n-grams are missing
    w = f"<{word}>"
    return [w[i : i + n] for n in range(min_n, max_n) for i in range(len(w) - n + 1)]


def by_position(word, min_n, max_n):  # right n-grams, ordered by start position
    w = f"<{word}>"
    return [w[i : i + n] for i in range(len(w)) for n in range(min_n, max_n + 1) if i + n <= len(w)]


def last_start_missing(word, min_n, max_n):  # range(len(w) - n): off by one at the end
    w = f"<{word}>"
    return [w[i : i + n] for n in range(min_n, max_n + 1) for i in range(len(w) - n)]


def starts_over_the_word(word, min_n, max_n):  # len(word) where len(marked) belongs
    w = f"<{word}>"
    return [w[i : i + n] for n in range(min_n, max_n + 1) for i in range(len(word) - n + 1)]


def uniform(query_labels, pool_labels):  # assumes a balanced pool
    return 1 / len(set(pool_labels))


def most_common_share(query_labels, pool_labels):  # the share of the majority label
    return Counter(pool_labels).most_common(1)[0][1] / len(pool_labels)


def shares_of_queries(query_labels, pool_labels):  # counts labels among the queries instead
    share = Counter(query_labels)
    return sum(share[q] / len(query_labels) for q in query_labels) / len(query_labels)


def not_averaged(query_labels, pool_labels):
    share = Counter(pool_labels)
    return sum(share[q] / len(pool_labels) for q in query_labels)


def per_query(query_labels, pool_labels):
    share = Counter(pool_labels)
    return [share[q] / len(pool_labels) for q in query_labels]


NGRAMS, CHANCE = check_char_ngrams, check_chance_rate
MISTAKES = [
    Mistake("no-marks", NGRAMS, no_marks, r"char_ngrams\('cat', 3, 4\) gave \['cat'\], expected",
            "'<' \\+ word \\+ '>'"),
    Mistake("exclusive-range", NGRAMS, exclusive, r"gave \['<ca', 'cat', 'at>'\], expected",
            "inclusive"),
    Mistake("by-position", NGRAMS, by_position, r"gave \['<ca', '<cat'", "wrong order"),
    Mistake("last-start-missing", NGRAMS, last_start_missing, r"gave \['<ca', 'cat', '<cat'\]",
            "last n-gram of each length is missing"),
    Mistake("starts-over-the-word", NGRAMS, starts_over_the_word, r"gave \['<ca'\]",
            "two characters longer"),
    Mistake("not-a-list", NGRAMS, lambda w, a, b: " ".join(char_ngrams(w, a, b)), "returned str",
            "in a list"),
    Mistake("balanced-pool", CHANCE, uniform, "gave 0.2500, expected 0.3125", "balanced"),
    Mistake("majority-share", CHANCE, most_common_share, "gave 0.5000, expected 0.3125",
            "most frequent pool label"),
    Mistake("shares-of-queries", CHANCE, shares_of_queries, "gave 0.3750, expected 0.3125",
            "among the POOL labels"),
    Mistake("not-averaged", CHANCE, not_averaged, "gave 1.2500, expected 0.3125",
            "average the per-query shares"),
    Mistake("per-query-list", CHANCE, per_query, "returned a list of 4 items", "one float"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_ids(MISTAKES))
def test_messages_name_the_mistake(mistake):
    assert_message(mistake)
