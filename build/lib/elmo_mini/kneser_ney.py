"""An interpolated Kneser-Ney trigram: the baseline the biLM has to beat (chapters 4 and 6).

Counting, not learning. Each sentence is read as ``<S> <S> w_1 .. w_n </S>`` (words outside the
vocabulary become ``<UNK>``), so it makes n + 1 predictions, like the forward LM. With
interpolated Kneser-Ney (Chen & Goodman 1998, single discount per order):

    P3(w | u v) = max(c(uvw) - D3, 0) / c(uv.) + D3 N1+(uv.) / c(uv.) * P2(w | v)
    P2(w | v)   = max(N1+(.vw) - D2, 0) / N1+(.v.) + D2 N1+(v.) / N1+(.v.) * P1(w)
    P1(w)       = max(N1+(.w) - D1, 0) / N1+(..) + D1 N1+(.) / N1+(..) * 1 / V

where c counts occurrences, N1+(.vw) counts the distinct words seen before ``v w`` (a
*continuation* count: how many contexts a word completes, not how often it occurs), and
D = n1 / (n1 + 2 n2) from the counts-of-counts of each order. A context never seen falls back
to the lower order entirely. Every distribution sums to one over the vocabulary.
``backward=True`` reads sentences right to left (``</S> </S> w_n .. w_1 <S>``), like the
backward LM.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np

from .vocab import Vocabulary


def _discount(counts: np.ndarray) -> float:
    n1, n2 = int((counts == 1).sum()), int((counts == 2).sum())
    return n1 / (n1 + 2 * n2) if n1 + n2 else 0.5


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``values`` at the positions of ``query`` in sorted ``keys``; 0 where absent."""
    pos = np.searchsorted(keys, query).clip(max=max(len(keys) - 1, 0))
    if len(keys) == 0:
        return np.zeros(len(query), dtype=values.dtype)
    return np.where(keys[pos] == query, values[pos], 0)


class KneserNeyTrigram:
    """Interpolated Kneser-Ney trigram over a fixed :class:`~elmo_mini.vocab.Vocabulary`."""

    def __init__(self, vocab: Vocabulary, backward: bool = False) -> None:
        self.vocab, self.backward = vocab, backward
        self.V = len(vocab)
        self.fitted = False

    # ---- sentences -> trigram ids ----------------------------------------------------------
    def _trigrams(self, sentences: Iterable[Sequence[str]]) -> np.ndarray:
        """(N, 3) ids of every (u, v, w) prediction, ``w`` the predicted token."""
        start, end = self.vocab.bos_id, self.vocab.eos_id
        if self.backward:
            start, end = end, start
        rows = []
        for sentence in sentences:
            ids = self.vocab.encode(sentence[::-1] if self.backward else sentence)
            seq = np.array([start, start, *ids, end], dtype=np.int64)
            rows.append(np.stack([seq[:-2], seq[1:-1], seq[2:]], axis=1))
        return np.concatenate(rows) if rows else np.zeros((0, 3), dtype=np.int64)

    # ---- counting ----------------------------------------------------------------------------
    def fit(self, sentences: Iterable[Sequence[str]]) -> "KneserNeyTrigram":
        """Count the trigrams of ``sentences`` (token lists)."""
        V = self.V
        tri = self._trigrams(sentences)
        if len(tri) == 0:
            raise ValueError("cannot fit a trigram model on an empty corpus")
        keys = (tri[:, 0] * V + tri[:, 1]) * V + tri[:, 2]
        self.tri_keys, self.tri_counts = np.unique(keys, return_counts=True)  # c(uvw)
        self.d3 = _discount(self.tri_counts)
        # contexts (u, v): total count and number of distinct followers
        ctx = self.tri_keys // V
        self.ctx_keys, ctx_start = np.unique(ctx, return_index=True)
        self.ctx_total = np.add.reduceat(self.tri_counts, ctx_start)  # c(uv.)
        self.ctx_types = np.diff(np.append(ctx_start, len(ctx)))  # N1+(uv.)
        # bigram continuation counts N1+(.vw): distinct u per (v, w)
        self.bi_keys, self.bi_cont = np.unique(self.tri_keys % (V * V), return_counts=True)
        self.d2 = _discount(self.bi_cont)
        v = self.bi_keys // V
        self.bctx_keys, b_start = np.unique(v, return_index=True)
        self.bctx_total = np.add.reduceat(self.bi_cont, b_start)  # N1+(.v.)
        self.bctx_types = np.diff(np.append(b_start, len(v)))  # N1+(v.)
        # unigram continuation counts N1+(.w): distinct v per w
        uni = np.bincount(self.bi_keys % V, minlength=V)
        self.d1 = _discount(uni[uni > 0])
        total, types = uni.sum(), (uni > 0).sum()
        self.p1 = np.maximum(uni - self.d1, 0) / total + self.d1 * types / total / V  # (V,)
        self.fitted = True
        return self

    # ---- probabilities -----------------------------------------------------------------------
    def _prob_ids(self, u: np.ndarray, v: np.ndarray, w: np.ndarray) -> np.ndarray:
        """P3(w | u v) for arrays of ids (broadcast)."""
        if not self.fitted:
            raise RuntimeError("call fit(sentences) first")
        V = self.V
        u, v, w = np.broadcast_arrays(*(np.asarray(a, dtype=np.int64) for a in (u, v, w)))
        p1 = self.p1[w]
        bi = _lookup(self.bi_keys, self.bi_cont, v * V + w)
        b_total = _lookup(self.bctx_keys, self.bctx_total, v).astype(float)
        b_types = _lookup(self.bctx_keys, self.bctx_types, v)
        safe = np.maximum(b_total, 1)
        p2 = np.where(
            b_total > 0,
            np.maximum(bi - self.d2, 0) / safe + self.d2 * b_types / safe * p1,
            p1,
        )
        tri = _lookup(self.tri_keys, self.tri_counts, (u * V + v) * V + w)
        c_total = _lookup(self.ctx_keys, self.ctx_total, u * V + v).astype(float)
        c_types = _lookup(self.ctx_keys, self.ctx_types, u * V + v)
        safe = np.maximum(c_total, 1)
        return np.where(
            c_total > 0,
            np.maximum(tri - self.d3, 0) / safe + self.d3 * c_types / safe * p2,
            p2,
        )

    def _context_ids(self, context: Sequence[str]) -> tuple[int, int]:
        start = self.vocab.eos_id if self.backward else self.vocab.bos_id
        ids = [start, start, *self.vocab.encode(list(context))]
        return ids[-2], ids[-1]

    def prob(self, word: str, context: Sequence[str] = ()) -> float:
        """P(word | last two tokens of ``context``); the sentence start is implied.

        For ``backward=True``, ``context`` is the words *after* ``word``, in reading order
        reversed (nearest last), as the backward LM sees them.
        """
        u, v = self._context_ids(context)
        return float(self._prob_ids(u, v, self.vocab.id(word)))

    def next_word_distribution(self, context: Sequence[str] = ()) -> np.ndarray:
        """P(w | context) for every vocabulary id w: a (V,) array that sums to one."""
        u, v = self._context_ids(context)
        return self._prob_ids(u, v, np.arange(self.V))

    def log_likelihood(self, sentences: Iterable[Sequence[str]]) -> tuple[float, int]:
        """Total natural-log likelihood of ``sentences`` and the number of predictions."""
        tri = self._trigrams(sentences)
        probs = self._prob_ids(tri[:, 0], tri[:, 1], tri[:, 2])
        return float(np.log(probs).sum()), len(tri)

    def perplexity(self, sentences: Iterable[Sequence[str]]) -> float:
        """exp(mean negative log likelihood) over all n + 1 predictions of every sentence."""
        ll, n = self.log_likelihood(sentences)
        return math.exp(-ll / n) if n else float("inf")
