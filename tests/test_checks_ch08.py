"""The chapter 8 self-checks pass the solution and fail the stub and plausible wrong answers."""

from __future__ import annotations

from collections import Counter

import pytest
from book_cells import stub

from elmo_mini.checks import check_chance_rate, check_char_ngrams
from elmo_mini.unseen import chance_rate, char_ngrams


def test_char_ngrams_check():
    check_char_ngrams(char_ngrams)
    with pytest.raises(AssertionError, match="not implemented"):
        check_char_ngrams(stub)

    def no_marks(word, min_n, max_n):  # forgot the < > boundary marks
        return [word[i : i + n] for n in range(min_n, max_n + 1) for i in range(len(word) - n + 1)]

    def exclusive(word, min_n, max_n):  # range(min_n, max_n): the longest n-grams are missing
        w = f"<{word}>"
        return [w[i : i + n] for n in range(min_n, max_n) for i in range(len(w) - n + 1)]

    def by_position(word, min_n, max_n):  # right n-grams, ordered by start position
        w = f"<{word}>"
        return [w[i : i + n] for i in range(len(w)) for n in range(min_n, max_n + 1) if i + n <= len(w)]

    for wrong, hint in [(no_marks, "'<'"), (exclusive, "inclusive"), (by_position, "order")]:
        with pytest.raises(AssertionError, match=hint):
            check_char_ngrams(wrong)


def test_chance_rate_check():
    check_chance_rate(chance_rate)
    with pytest.raises(AssertionError, match="not implemented"):
        check_chance_rate(stub)

    def uniform(query_labels, pool_labels):  # assumes a balanced pool
        return 1 / len(set(pool_labels))

    def most_common_share(query_labels, pool_labels):  # the share of the majority label
        return Counter(pool_labels).most_common(1)[0][1] / len(pool_labels)

    def shares_of_queries(query_labels, pool_labels):  # counts labels among the queries instead
        share = Counter(query_labels)
        return sum(share[q] / len(query_labels) for q in query_labels) / len(query_labels)

    with pytest.raises(AssertionError, match="balanced"):
        check_chance_rate(uniform)
    for wrong in (most_common_share, shares_of_queries):
        with pytest.raises(AssertionError, match="expected"):
            check_chance_rate(wrong)
