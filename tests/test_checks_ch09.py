"""The chapter 9 self-checks pass the solution and fail the stub and plausible wrong answers."""

from __future__ import annotations

import numpy as np
import pytest
from book_cells import stub

from elmo_mini.checks import check_cue_label, check_nearest_centroid
from elmo_mini.neighbours import cue_label, nearest_centroid


def test_cue_label_check():
    check_cue_label(cue_label)
    with pytest.raises(AssertionError, match="not implemented"):
        check_cue_label(stub)

    def case_sensitive(tokens, cues):
        hits = [label for label, words in cues.items() if set(tokens) & set(words)]
        return hits[0] if len(hits) == 1 else None

    def first_label_wins(tokens, cues):  # ambiguous sentences get the first label
        words = {t.lower() for t in tokens}
        for label, cue_words in cues.items():
            if words & {c.lower() for c in cue_words}:
                return label
        return None

    with pytest.raises(AssertionError, match="lower case"):
        check_cue_label(case_sensitive)
    with pytest.raises(AssertionError, match="None"):
        check_cue_label(first_label_wins)


def _centroids(vectors, labels):
    names = list(dict.fromkeys(labels))
    labels = np.asarray(labels)
    return names, np.stack([vectors[labels == n].mean(axis=0) for n in names])


def test_nearest_centroid_check():
    check_nearest_centroid(nearest_centroid)
    with pytest.raises(AssertionError, match="not implemented"):
        check_nearest_centroid(stub)

    def dot_product(vectors, labels, queries):  # centroids not normalised
        names, c = _centroids(np.asarray(vectors), labels)
        return [names[i] for i in (np.asarray(queries) @ c.T).argmax(axis=1)]

    def nearest_single_vector(vectors, labels, queries):  # max over vectors instead of the mean
        v = np.asarray(vectors) / np.linalg.norm(vectors, axis=1, keepdims=True)
        q = np.asarray(queries) / np.linalg.norm(queries, axis=1, keepdims=True)
        return [labels[i] for i in (q @ v.T).argmax(axis=1)]

    def euclidean(vectors, labels, queries):  # nearest centroid by distance, not angle
        names, c = _centroids(np.asarray(vectors), labels)
        d = ((np.asarray(queries)[:, None] - c[None]) ** 2).sum(-1)
        return [names[i] for i in d.argmin(axis=1)]

    for wrong in (dot_product, nearest_single_vector, euclidean):
        with pytest.raises(AssertionError, match="expected"):
            check_nearest_centroid(wrong)
