"""Contextual nearest neighbours: the same word in different sentences, layer by layer (chapter 9).

The idea of Table 4 of Peters et al. (2018): embed every corpus occurrence of a word, then for a
query sentence rank those occurrences by the cosine between the word's vectors, one layer at a
time. Layer 0 (the char-CNN) gives the same vector to every occurrence of a word; the LSTM layers
can tell a river bank from a savings bank.

    occurrences = find_occurrences(load_sotu("all"), ["bank", "banks"], window=25)
    vectors = cached_occurrence_vectors(embedder, occurrences)  # (L + 1, N, 2P), cached on disk
    scores, index = contextual_neighbours(embedder, ["The", "river", "bank", "."], 2, vectors)

The cache is :mod:`elmo_mini.vector_cache`'s (``model_fingerprint`` and ``default_cache_dir``
live there and can still be imported from here).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Hashable, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .unseen import cosine_nearest
from .vector_cache import cached_vectors, default_cache_dir, model_fingerprint  # noqa: F401 (re-exported)


@dataclass(frozen=True)
class Occurrence:
    """One occurrence of a word: the tokens around it and where it is among them."""

    tokens: Tuple[str, ...]
    position: int  #: index of the word in ``tokens``
    sentence: int  #: index of the sentence in the corpus

    @property
    def word(self) -> str:
        return self.tokens[self.position]

    def text(self, width: int = 8, mark: str = "[{}]") -> str:
        """The word with ``width`` tokens either side, the word marked: ``... the [bank] of ...``."""
        left = self.tokens[max(0, self.position - width) : self.position]
        right = self.tokens[self.position + 1 : self.position + 1 + width]
        dots_left = "... " if self.position > width else ""
        dots_right = " ..." if self.position + 1 + width < len(self.tokens) else ""
        return dots_left + " ".join([*left, mark.format(self.word), *right]) + dots_right


def find_occurrences(
    sentences: Sequence[Sequence[str]],
    forms: Iterable[str],
    window: Optional[int] = None,
    limit: Optional[int] = None,
) -> List[Occurrence]:
    """The first occurrence of any of ``forms`` (exact, case-sensitive) in each sentence.

    Args:
        sentences: tokenised sentences, e.g. ``load_sotu("all")``.
        forms: the word forms to look for, e.g. ``["bank", "banks"]``.
        window: keep at most this many tokens either side of the word (to embed faster).
        limit: keep at most this many occurrences, evenly spaced over the corpus order (for the
            State of the Union, that spreads them over the years); None keeps all.
    """
    forms = set(forms)
    found = []
    for i, sentence in enumerate(sentences):
        for j, token in enumerate(sentence):
            if token in forms:
                start = 0 if window is None else max(0, j - window)
                stop = len(sentence) if window is None else j + window + 1
                found.append(Occurrence(tuple(sentence[start:stop]), j - start, i))
                break
    if limit is not None and len(found) > limit:
        keep = np.linspace(0, len(found) - 1, limit).round().astype(int)
        found = [found[k] for k in keep]
    return found


def occurrence_vectors(
    embedder, occurrences: Sequence[Occurrence], batch_size: int = 32, progress: bool = False
) -> np.ndarray:
    """ELMo's layers at each occurrence: float32 (n_layers + 1, N, 2P).

    ``embedder`` is an :class:`~elmo_mini.Embedder` (stateless, so a sentence's vectors do not
    depend on the order of the list).
    """
    layers = embedder.embed_sentences([list(o.tokens) for o in occurrences],
                                      batch_size=batch_size, progress=progress)
    if not occurrences:
        return np.zeros((embedder.n_layers, 0, embedder.dim), dtype=np.float32)
    return np.stack([sentence[:, o.position] for sentence, o in zip(layers, occurrences)], axis=1)


def cached_occurrence_vectors(
    embedder,
    occurrences: Sequence[Occurrence],
    cache_dir: Optional[str | Path] = None,
    progress: bool = True,
) -> np.ndarray:
    """:func:`occurrence_vectors`, computed once and kept in a file.

    The file name holds the model's fingerprint and a hash of the occurrences, so a different
    model or a different list never reuses a stale file. Files go to
    ``cache_dir/neighbours/`` (default :func:`default_cache_dir`); the policy, shared with
    chapter 10's probes, is :mod:`elmo_mini.vector_cache`'s.
    """
    return cached_vectors(
        "neighbours", embedder.model, [(o.tokens, o.position) for o in occurrences],
        lambda: occurrence_vectors(embedder, occurrences, progress=progress), cache_dir,
    )


def contextual_neighbours(
    embedder,
    tokens: Sequence[str],
    position: int,
    vectors: np.ndarray,
    k: int = 5,
    mean: Optional[np.ndarray] = None,
) -> Tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` occurrences nearest to ``tokens[position]``, for every layer.

    Args:
        embedder: the :class:`~elmo_mini.Embedder` that computed ``vectors``.
        tokens: the query sentence; ``position``: the word in it.
        vectors: (n_layers + 1, N, 2P) from :func:`occurrence_vectors`, centred or not.
        mean: (n_layers + 1, 2P), each layer's mean vector, if ``vectors`` had it subtracted
            (chapter 8: removing the direction all vectors share makes cosines informative);
            it is then subtracted from the query too.

    Returns:
        scores and indices into the occurrences, each (n_layers + 1, k), best first.
    """
    query = embedder.embed_sentence(list(tokens))[:, position]  # (L + 1, 2P)
    if mean is not None:
        query = query - mean
    scores, index = zip(*(cosine_nearest(query[layer : layer + 1], vectors[layer], k)
                          for layer in range(vectors.shape[0])))
    return torch.cat(scores), torch.cat(index)


def nearest_neighbour_agreement(
    vectors: np.ndarray | torch.Tensor, labels: Sequence[Hashable], tol: float = 1e-5
) -> float:
    """Leave-one-out nearest-neighbour agreement of ``labels`` under cosine similarity.

    For each vector, its nearest *other* vector (highest cosine); the result is the fraction of
    vectors whose nearest neighbour has the same label. Ties (cosines within ``tol`` of the best,
    as for identical vectors) share the vote: the vector counts the fraction of its tied
    neighbours that share its label. With two balanced labels, 0.5 means no separation.

    Args:
        vectors: (N, D); labels: N labels.
    """
    x = torch.as_tensor(np.asarray(vectors), dtype=torch.float32)  # (N, D)
    if x.shape[0] != len(labels) or x.shape[0] < 2:
        raise ValueError(f"need at least 2 vectors and one label each, got {x.shape[0]} and {len(labels)}")
    unit = x / x.norm(dim=1, keepdim=True).clamp_min(1e-12)
    similarity = unit @ unit.T  # (N, N)
    similarity.fill_diagonal_(-float("inf"))  # a vector is not its own neighbour
    best = similarity.max(dim=1, keepdim=True).values  # (N, 1)
    tied = similarity >= best - tol  # (N, N): the nearest neighbours, ties included
    codes = {label: i for i, label in enumerate(dict.fromkeys(labels))}
    ids = torch.tensor([codes[label] for label in labels])  # (N,)
    same = ids[None, :] == ids[:, None]  # (N, N)
    votes = (tied & same).sum(dim=1) / tied.sum(dim=1)  # (N,)
    return float(votes.mean())


def cue_label(tokens: Sequence[str], cues: Dict[str, Sequence[str]]) -> Optional[str]:
    """The label whose cue words occur in ``tokens`` (any case), or None if none or several do.

    ``cue_label("the east bank of the Rio Grande".split(), {"river": ["river", "Rio"],
    "money": ["deposits"]}) == "river"``. A hand-made, noisy label: good enough to colour a plot.
    """
    words = {t.lower() for t in tokens}
    hits = [label for label, words_of in cues.items() if words & {w.lower() for w in words_of}]
    return hits[0] if len(hits) == 1 else None


def nearest_centroid(
    vectors: np.ndarray | torch.Tensor, labels: Sequence[Hashable], queries: np.ndarray | torch.Tensor
) -> List[Hashable]:
    """The label whose mean vector has the highest cosine with each query.

    Args:
        vectors: (N, D) labelled vectors; labels: N labels; queries: (Q, D).
    """
    x = torch.as_tensor(np.asarray(vectors), dtype=torch.float32)
    names = list(dict.fromkeys(labels))
    centroids = torch.stack([x[[i for i, lab in enumerate(labels) if lab == name]].mean(dim=0)
                             for name in names])  # (C, D)
    _, index = cosine_nearest(np.asarray(queries, dtype=np.float32), centroids, k=1)  # (Q, 1)
    return [names[i] for i in index[:, 0].tolist()]

