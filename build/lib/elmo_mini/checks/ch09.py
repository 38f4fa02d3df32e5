"""Self-checks for chapter 9, Contextual neighbours."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..neighbours import cue_label, nearest_centroid
from .common import call, passed

_CUES = {"river": ["river", "Mississippi", "shore"], "money": ["deposits", "loans", "currency"]}


def check_cue_label(fn: Callable) -> None:
    """``fn(tokens, cues)`` must agree with ``elmo_mini.neighbours.cue_label``."""
    cases = [
        "the east bank of the Mississippi .",
        "River traffic stopped at the bank .",  # capital letter in the sentence
        "the bank holds the deposits of the farmers .",
        "the bank of the river lost its deposits .",  # both labels: ambiguous
        "the bank closed on Monday .",  # no cue
        "Loans from the bank were repaid .",
    ]
    for text in cases:
        tokens = text.split()
        got = call(fn, list(tokens), {k: list(v) for k, v in _CUES.items()}, name="cue_label")
        expected = cue_label(tokens, _CUES)
        if got != expected:
            if expected is None and got is not None:
                hint = ("when the cues of both labels occur, or none, the answer is None"
                        if any(w.lower() in {"river", "deposits"} for w in tokens) else
                        "no cue word occurs here, so the answer is None")
            elif got is None and text[0].isupper():
                hint = "compare in lower case: 'River' and 'Loans' are cues too"
            else:
                hint = "return the label (a key of cues) whose cue words occur"
            raise AssertionError(f"cue_label({text!r}) gave {got!r}, expected {expected!r}. Hint: {hint}")
    passed("check_cue_label", f"{len(cases)} sentences, including an ambiguous one and capitals")


def check_nearest_centroid(fn: Callable) -> None:
    """``fn(vectors, labels, queries)`` must agree with ``elmo_mini.neighbours.nearest_centroid``."""
    # Label "a" has many long vectors along x; label "b" few short ones along y. The queries sit
    # nearer b's direction: a plain dot product or an unnormalised centroid picks "a" instead.
    vectors = np.array([[10.0, 1.0], [12.0, 0.0], [11.0, 2.0], [0.0, 1.0], [0.2, 0.8]])
    labels = ["a", "a", "a", "b", "b"]
    queries = np.array([[1.0, 1.2], [1.0, 0.1], [0.3, 1.0], [5.0, 5.5]])
    # A label whose single far-out vector points along the query: max instead of mean fails.
    vectors2 = np.array([[1.0, 0.0], [1.0, -0.1], [0.0, 1.0], [0.1, 1.0], [1.0, 0.06]])
    labels2 = ["x", "x", "y", "y", "y"]
    queries2 = np.array([[1.0, 0.06], [0.2, 1.0]])
    for (v, lab, q) in [(vectors, labels, queries), (vectors2, labels2, queries2)]:
        got = call(fn, v.copy(), list(lab), q.copy(), name="nearest_centroid")
        expected = nearest_centroid(v, lab, q)
        got = list(np.asarray(got).tolist()) if not isinstance(got, list) else got
        if len(got) != len(expected):
            raise AssertionError(f"nearest_centroid gave {len(got)} labels for {len(expected)} queries")
        for i, (g, e) in enumerate(zip(got, expected)):
            if g != e:
                raise AssertionError(
                    f"query {i} {q[i].tolist()} got label {g!r}, expected {e!r}. Hint: average each "
                    "label's vectors (the mean, not one vector), then compare by COSINE: normalise "
                    "the centroids and the queries before the dot product"
                )
    passed("check_nearest_centroid", "labels by cosine with the mean vector of each label")
