"""Vectors for words the corpus never contains, and how to measure them (chapter 8).

ELMo's layer 0 is the char-CNN vector of a word's spelling, so every string gets a vector, seen
or not. This module finds a word's nearest in-vocabulary neighbours by cosine, splits a word
into FastText's character n-grams (the other way to build vectors from spelling), and measures
how often a word's nearest neighbour shares a label with it (its part of speech, its suffix),
against the rate for a random in-vocabulary word (chance).

    vectors = char_cnn_vectors(bilm, ["snuffleupagus", "octopus"])   # (2, P)
    scores, index = cosine_nearest(vectors, vocab_vectors, k=5)      # (2, 5), (2, 5)
"""

from __future__ import annotations

from typing import Hashable, List, Sequence

import numpy as np
import torch
from torch import nn

from .chars import batch_to_ids


@torch.no_grad()
def char_cnn_vectors(model: nn.Module, words: Sequence[str], batch_size: int = 2048) -> torch.Tensor:
    """Layer 0 of ELMo for single words: the char-CNN vector of each spelling.

    Args:
        model: a :class:`~elmo_mini.BiLM` (its ``char_cnn`` is used) or a
            :class:`~elmo_mini.CharCNN`.
        words: N strings, seen in training or not.

    Returns:
        float32 tensor (N, P). A word's vector does not depend on any sentence.
    """
    char_cnn = getattr(model, "char_cnn", model)
    device = next(char_cnn.parameters()).device
    out = []
    for start in range(0, len(words), batch_size):
        chunk = [[w] for w in words[start : start + batch_size]]  # one-word "sentences"
        ids = batch_to_ids(chunk)[:, 0].to(device)  # (n, max_chars)
        out.append(char_cnn(ids).float().cpu())  # (n, P)
    if not out:
        return torch.zeros(0, char_cnn.config.projection_dim)
    return torch.cat(out)


def cosine_nearest(
    queries: torch.Tensor | np.ndarray,
    keys: torch.Tensor | np.ndarray,
    k: int = 5,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The ``k`` keys with the highest cosine similarity to each query.

    Args:
        queries: (Q, D) vectors.
        keys: (N, D) vectors, e.g. one per vocabulary word.
        k: how many neighbours (at most N).

    Returns:
        scores (Q, k), best first, and the keys' indices (Q, k). A zero vector has cosine 0
        with everything.
    """
    queries = torch.as_tensor(queries, dtype=torch.float32)
    keys = torch.as_tensor(keys, dtype=torch.float32)
    q = queries / queries.norm(dim=-1, keepdim=True).clamp_min(1e-12)  # (Q, D), unit length
    n = keys / keys.norm(dim=-1, keepdim=True).clamp_min(1e-12)  # (N, D), unit length
    similarity = q @ n.T  # (Q, N): cosines
    scores, index = similarity.topk(min(k, keys.shape[0]), dim=-1)  # (Q, k) each
    return scores, index


def char_ngrams(word: str, min_n: int = 3, max_n: int = 6) -> List[str]:
    """FastText's character n-grams of ``word``, marked ``<`` at its start and ``>`` at its end.

    ``char_ngrams("cat", 3, 4) == ["<ca", "cat", "at>", "<cat", "cat>"]``: all n-grams of
    ``"<cat>"`` for n = min_n .. max_n (both included), shortest first, left to right. FastText
    (Bojanowski et al. 2017) gives a word the mean of its n-gram vectors (plus its own vector
    when the word is in its vocabulary), so an unseen word still gets one.
    """
    marked = f"<{word}>"
    return [marked[i : i + n] for n in range(min_n, max_n + 1) for i in range(len(marked) - n + 1)]


def suffix(word: str, n: int = 3) -> str:
    """The last ``n`` letters of ``word``, lowercased (the whole word if it is shorter)."""
    return word.lower()[-n:]


def agreement_rate(query_labels: Sequence[Hashable], neighbour_labels: Sequence[Hashable]) -> float:
    """Fraction of queries whose neighbour has the same label (e.g. part of speech, suffix)."""
    if len(query_labels) != len(neighbour_labels):
        raise ValueError(f"{len(query_labels)} query labels but {len(neighbour_labels)} neighbours")
    if not query_labels:
        raise ValueError("agreement_rate needs at least one query")
    return float(np.mean([q == n for q, n in zip(query_labels, neighbour_labels)]))


def chance_rate(query_labels: Sequence[Hashable], pool_labels: Sequence[Hashable]) -> float:
    """The agreement rate of a neighbour drawn at random from the pool.

    For each query, the fraction of pool words that share its label; averaged over queries.
    That is what :func:`agreement_rate` gives on average if the neighbours are random pool words.
    """
    if not query_labels or not pool_labels:
        raise ValueError("chance_rate needs at least one query and one pool word")
    values, counts = np.unique(np.asarray(pool_labels, dtype=object).astype(str), return_counts=True)
    share = dict(zip(values, counts / len(pool_labels)))
    return float(np.mean([share.get(str(q), 0.0) for q in query_labels]))


def single_pos_lemmas(directory=None) -> dict[str, str]:
    """WordNet 3.0 lemmas that are one lowercase word of letters and have ONE part of speech.

    Returns ``{lemma: pos}`` with pos in ``"n"``, ``"v"``, ``"a"`` (adjective), ``"r"`` (adverb).
    A word such as "bank" (noun and verb) is left out, so the label of every word is unambiguous.
    """
    from .wordnet import POS_FILES, read_synsets

    parts: dict[str, set[str]] = {}
    for pos in POS_FILES:
        for synset in read_synsets(pos, directory):
            for lemma in synset.lemmas:
                if lemma.isalpha() and lemma.isascii() and lemma.islower():
                    parts.setdefault(lemma, set()).add(pos)
    return {lemma: next(iter(p)) for lemma, p in parts.items() if len(p) == 1}
