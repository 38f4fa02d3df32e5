"""The chapter 9 self-checks pass the solution and fail the stub and plausible wrong answers."""

from __future__ import annotations

import numpy as np
import pytest
from support.book_cells import run_solution, stub
from support.check_messages import Mistake, assert_message, mistake_ids

from elmo_mini.checks import check_cue_label, check_nearest_centroid
from elmo_mini.neighbours import cue_label, nearest_centroid

CHAPTER = "09_contextual_neighbours"


@pytest.mark.parametrize("check, label, name", [
    (check_cue_label, "ex-09-cue-label", "cue_label"),
    (check_nearest_centroid, "ex-09-nearest-centroid", "nearest_centroid"),
])
def test_checks_pass_on_the_book_solution(check, label, name, capsys):
    check(run_solution(CHAPTER, label, {"np": np})[name])
    assert "passed" in capsys.readouterr().out


def test_checks_pass_on_the_package():
    check_cue_label(cue_label)
    check_nearest_centroid(nearest_centroid)


@pytest.mark.parametrize("check", [check_cue_label, check_nearest_centroid])
def test_checks_fail_on_the_stub(check):
    with pytest.raises(AssertionError, match="not implemented"):
        check(stub)


# ---- cue_label --------------------------------------------------------------------------------
def case_sensitive(tokens, cues):
    hits = [label for label, words in cues.items() if set(tokens) & set(words)]
    return hits[0] if len(hits) == 1 else None


def tokens_lowered_only(tokens, cues):  # 'Mississippi' is a cue with a capital
    words = {t.lower() for t in tokens}
    hits = [label for label, cue_words in cues.items() if words & set(cue_words)]
    return hits[0] if len(hits) == 1 else None


def first_label_wins(tokens, cues):  # ambiguous sentences get the first label
    words = {t.lower() for t in tokens}
    for label, cue_words in cues.items():
        if words & {c.lower() for c in cue_words}:
            return label
    return None


def all_labels(tokens, cues):
    words = {t.lower() for t in tokens}
    return [label for label, cue_words in cues.items() if words & {c.lower() for c in cue_words}]


def none_as_text(tokens, cues):
    label = cue_label(tokens, cues)
    return "None" if label is None else label


# ---- nearest_centroid -------------------------------------------------------------------------
def _centroids(vectors, labels):
    names = list(dict.fromkeys(labels))
    labels = np.asarray(labels)
    return names, np.stack([vectors[labels == n].mean(axis=0) for n in names])


def _unit(rows):
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def dot_product(vectors, labels, queries):  # centroids not normalised
    names, c = _centroids(np.asarray(vectors), labels)
    return [names[i] for i in (np.asarray(queries) @ c.T).argmax(axis=1)]


def nearest_single_vector(vectors, labels, queries):  # max over vectors instead of the mean
    return [labels[i] for i in (_unit(queries) @ _unit(vectors).T).argmax(axis=1)]


def euclidean(vectors, labels, queries):  # nearest centroid by distance, not angle
    names, c = _centroids(np.asarray(vectors), labels)
    d = ((np.asarray(queries)[:, None] - c[None]) ** 2).sum(-1)
    return [names[i] for i in d.argmin(axis=1)]


def argmin(vectors, labels, queries):
    names, c = _centroids(np.asarray(vectors), labels)
    return [names[i] for i in (_unit(queries) @ _unit(c).T).argmin(axis=1)]


def indices(vectors, labels, queries):
    names, c = _centroids(np.asarray(vectors), labels)
    return list((_unit(queries) @ _unit(c).T).argmax(axis=1))


def normalised_along_the_wrong_axis(vectors, labels, queries):  # norms of the columns
    names, c = _centroids(np.asarray(vectors), labels)
    c = c / np.linalg.norm(c, axis=0, keepdims=True)
    return [names[i] for i in (np.asarray(queries) @ c.T).argmax(axis=1)]


CUE, CENTROID = check_cue_label, check_nearest_centroid
MISTAKES = [
    Mistake("case-sensitive", CUE, case_sensitive,
            r"cue_label\('River traffic stopped at the bank \.'\) gave None, expected 'river'",
            "'River' matches the cue 'river' only in lower case"),
    Mistake("tokens-lowered-only", CUE, tokens_lowered_only,
            r"cue_label\('the east bank of the Mississippi \.'\) gave None, expected 'river'",
            "the cue 'Mississippi' has a capital"),
    Mistake("first-label-wins", CUE, first_label_wins,
            r"lost its deposits \.'\) gave 'river', expected None", "ambiguous"),
    Mistake("all-labels", CUE, all_labels, r"gave \['river'\], expected 'river'", "not a collection"),
    Mistake("none-as-text", CUE, none_as_text, "gave 'None', expected None", "return None itself"),
    Mistake("dot-product", CENTROID, dot_product,
            r"query 0 \[1, 1\.2\] got label 'a', expected 'b'", "normalise the centroids"),
    Mistake("nearest-single-vector", CENTROID, nearest_single_vector,
            r"query 0 \[1, 0\.06\] got label 'y', expected 'x'", "single nearest vector"),
    Mistake("euclidean", CENTROID, euclidean, r"got label 'b', expected 'a'", "by distance"),
    Mistake("argmin", CENTROID, argmin, r"query 0 \[1, 1\.2\] got label 'a', expected 'b'", "argmax"),
    Mistake("indices", CENTROID, indices, "got label 1, expected 'b'", "not the indices"),
    Mistake("normalised-along-the-wrong-axis", CENTROID, normalised_along_the_wrong_axis,
            r"query 0 \[1, 1\.2\] got label 'a'", "normalise the centroids"),
]


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_ids(MISTAKES))
def test_messages_name_the_mistake(mistake):
    assert_message(mistake)
