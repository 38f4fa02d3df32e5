"""Self-checks for chapter 9, Contextual neighbours."""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..neighbours import cue_label, nearest_centroid
from .common import call, describe, fail, passed, plain

_CUES = {"river": ["river", "Mississippi", "shore"], "money": ["deposits", "loans", "currency"]}


def _cue_hint(got, expected, tokens: list) -> str:
    """Name the likely mistake of a wrong cue_label on ``tokens``."""
    if isinstance(got, (list, tuple, set)):
        return "return one label (a key of cues) or None, not a collection of labels"
    if expected is None and isinstance(got, str) and got not in _CUES:
        return f"return None itself, not the string {got!r}"
    words = {t.lower() for t in tokens}
    found = [label for label, cues in _CUES.items() if any(c.lower() in words for c in cues)]
    if expected is None and got is not None:
        return ("the cues of both labels occur, so the sentence is ambiguous: return None"
                if len(found) > 1 else "no cue word occurs here, so the answer is None")
    for token in tokens:
        for cue in _CUES[expected] if expected else []:
            if token != cue and token.lower() == cue.lower():
                return (f"{token!r} matches the cue {cue!r} only in lower case: lower both the "
                        "tokens and the cues")
        for cue in _CUES[expected] if expected else []:
            if cue != cue.lower() and cue.lower() == token.lower():
                return f"the cue {cue!r} has a capital: lower the cues as well as the tokens"
    return "return the label (a key of cues) whose cue words occur among the tokens"


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
        got = call(fn, list(tokens), {k: list(v) for k, v in _CUES.items()},
                   name=f"cue_label({text!r})")
        expected = cue_label(tokens, _CUES)
        if got != expected:
            fail(f"cue_label({text!r}) gave {got!r}, expected {expected!r}",
                 _cue_hint(got, expected, tokens))
    passed("check_cue_label", f"{len(cases)} sentences, including an ambiguous one and capitals")


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def _centroid_hint(got: list, vectors: np.ndarray, labels: list, queries: np.ndarray) -> str:
    """Name the likely mistake of a wrong nearest_centroid."""
    names = list(dict.fromkeys(labels))
    centroids = np.stack([vectors[np.asarray(labels) == n].mean(axis=0) for n in names])  # (C, D)
    if all(isinstance(g, (int, np.integer)) for g in got):
        return "return the labels themselves (names[i]), not the indices of the centroids"
    known = {
        "normalise the centroids before the dot product: a long centroid wins whatever the "
        "query's direction": [names[i] for i in (queries @ centroids.T).argmax(axis=1)],
        "that is the label of the single nearest vector; average each label's vectors into a "
        "centroid first": [labels[i] for i in (_unit(queries) @ _unit(vectors).T).argmax(axis=1)],
        "that is the nearest centroid by distance; compare by COSINE (the angle), normalising "
        "the centroids and the queries": [names[i] for i in ((queries[:, None] - centroids[None])
                                                            ** 2).sum(-1).argmin(axis=1)],
        "argmin picks the LEAST similar centroid; the highest cosine is argmax":
            [names[i] for i in (_unit(queries) @ _unit(centroids).T).argmin(axis=1)],
    }
    for hint, value in known.items():
        if got == value:
            return hint
    return ("average each label's vectors (the mean), normalise the centroids and the queries, "
            "then take the label of the highest dot product")


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
        if isinstance(got, np.ndarray):
            got = got.tolist()
        if not isinstance(got, (list, tuple)) or len(got) != len(expected):
            fail(f"nearest_centroid returned {describe(got)} for {len(expected)} queries",
                 "return a list with one label per query (row of queries)")
        got = list(got)
        for i, (g, e) in enumerate(zip(got, expected)):
            if g != e:
                fail(f"nearest_centroid: query {i} {plain(q[i])} got label {plain(g)}, expected {plain(e)}",
                     _centroid_hint(got, v, lab, q))
    passed("check_nearest_centroid", "labels by cosine with the mean vector of each label")
