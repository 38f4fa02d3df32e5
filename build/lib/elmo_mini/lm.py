"""The biLM with its softmax: what ELMo is trained as (chapter 6).

Peters et al. (2018), eq. 1, maximise the log likelihood of both directions jointly,

    sum_k [ log p(t_k | t_1..t_{k-1}; Θ_x, Θ_fwd, Θ_s) + log p(t_k | t_{k+1}..t_N; Θ_x, Θ_bwd, Θ_s) ]

with the token representation Θ_x (the char-CNN) and the softmax Θ_s *shared* by the two
directions. On the boundary-padded sequence ``<S> w_1 .. w_n </S>`` (positions 0..n+1) the
forward LM's top output at position t predicts the token at t+1 and the backward LM's top output
at t predicts the token at t-1: n + 1 predictions per direction and sentence.

Two softmaxes: ``"full"`` (one V x P matrix) and ``"adaptive"`` (Grave et al. 2017: frequent
words in a full head, rare words in smaller tail clusters; exact probabilities, several times
cheaper on a CPU). Both give a proper distribution over the whole vocabulary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Optional, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from .bilm import BiLM
from .config import ElmoConfig
from .vocab import Vocabulary


def batch_to_word_ids(sentences: Sequence[Sequence[str]], vocab: Vocabulary) -> torch.Tensor:
    """Softmax targets ``(B, T + 2)``: ``<S>``, the words' ids, ``</S>``, then 0 (padding)."""
    steps = max((len(s) for s in sentences), default=0) + 2
    out = torch.zeros(len(sentences), steps, dtype=torch.long)
    for i, sentence in enumerate(sentences):
        ids = vocab.encode(sentence, boundaries=True)
        out[i, : len(ids)] = torch.tensor(ids)
    return out


#: The target of a position that predicts nothing (``ignore_index`` of ``F.cross_entropy``).
IGNORE = -100


def lm_targets(word_ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Forward and backward softmax targets for a batch, as built in chapter 6.

    Args:
        word_ids: (B, T + 2) from :func:`batch_to_word_ids`: ``<S>``, the words, ``</S>``, then 0.
        lengths: (B,) the number of words of each sentence (boundaries not counted).

    Returns:
        ``forward_targets`` and ``backward_targets``, each (B, T + 1). Column t of the forward
        targets is what the forward LM predicts from position t: ``word_ids[:, t + 1]``. Column t
        of the backward targets is what the backward LM predicts from position t + 1:
        ``word_ids[:, t]``. A sentence of n words has n + 1 predictions per direction; the
        columns after them hold :data:`IGNORE`.
    """
    steps = word_ids.shape[1] - 1
    real = torch.arange(steps, device=word_ids.device)[None, :] < (lengths[:, None] + 1)  # (B, T+1)
    forward_targets = torch.where(real, word_ids[:, 1:], IGNORE)  # position t predicts t + 1
    backward_targets = torch.where(real, word_ids[:, :-1], IGNORE)  # position t + 1 predicts t
    return forward_targets, backward_targets


def joint_lm_loss(
    forward_logits: torch.Tensor,
    backward_logits: torch.Tensor,
    forward_targets: torch.Tensor,
    backward_targets: torch.Tensor,
) -> torch.Tensor:
    """Peters et al. (2018), eq. 1, as a loss: the mean cross-entropy of each direction, averaged.

    Args:
        forward_logits, backward_logits: (B, T + 1, V) scores over the vocabulary.
        forward_targets, backward_targets: (B, T + 1) from :func:`lm_targets` (:data:`IGNORE`
            where there is nothing to predict).

    Both directions make the same number of predictions, so this equals
    :attr:`LMLoss.loss` of a full-softmax :class:`LanguageModel`.
    """
    vocab_size = forward_logits.shape[-1]
    forward = F.cross_entropy(forward_logits.reshape(-1, vocab_size), forward_targets.reshape(-1),
                              ignore_index=IGNORE)
    backward = F.cross_entropy(backward_logits.reshape(-1, vocab_size),
                               backward_targets.reshape(-1), ignore_index=IGNORE)
    return (forward + backward) / 2


def default_cutoffs(vocab_size: int) -> List[int]:
    """Cluster boundaries of the adaptive softmax: a head of 2,000 words, then 10,000.

    A tiny vocabulary gets one boundary at half its size.
    """
    return [c for c in (2000, 10000) if c < vocab_size - 1] or [max(1, vocab_size // 2)]


@dataclass
class LMLoss:
    """Summed negative log likelihoods (nats) and the number of predictions, per direction."""

    forward_nll: torch.Tensor
    backward_nll: torch.Tensor
    n_predictions: int

    @property
    def loss(self) -> torch.Tensor:
        """The training objective: mean NLL per prediction, averaged over the two directions."""
        return (self.forward_nll + self.backward_nll) / (2 * max(self.n_predictions, 1))


class LanguageModel(nn.Module):
    """:class:`~elmo_mini.bilm.BiLM` plus one softmax shared by both directions.

    Args:
        config: the biLM's architecture.
        vocab_size: number of words the softmax predicts (specials included).
        dropout: dropout on every LSTM input (inside the biLM) and on the top outputs.
        softmax: ``"adaptive"`` or ``"full"``.
        cutoffs: the adaptive softmax's cluster boundaries (default :func:`default_cutoffs`).
    """

    def __init__(
        self,
        config: ElmoConfig,
        vocab_size: int,
        dropout: float = 0.1,
        softmax: str = "adaptive",
        cutoffs: Optional[List[int]] = None,
    ) -> None:
        super().__init__()
        if softmax not in ("adaptive", "full"):
            raise ValueError(f"softmax must be 'adaptive' or 'full', got {softmax!r}")
        self.config, self.vocab_size, self.softmax_kind = config, vocab_size, softmax
        self.bilm = BiLM(config, dropout=dropout)
        self.dropout = nn.Dropout(dropout)
        dim = config.projection_dim
        if softmax == "full":
            self.softmax = nn.Linear(dim, vocab_size)
            self.cutoffs: List[int] = []
        else:
            self.cutoffs = list(cutoffs) if cutoffs is not None else default_cutoffs(vocab_size)
            self.softmax = nn.AdaptiveLogSoftmaxWithLoss(dim, vocab_size, self.cutoffs, div_value=4.0)

    def _top(self, char_ids: torch.Tensor):
        """Forward and backward top outputs, aligned with their targets."""
        out = self.bilm(char_ids)
        top, mask = out.layers[-1], out.mask  # (B, T+2, 2P), (B, T+2)
        p = self.config.projection_dim
        valid = mask[:, 1:]  # (B, T+1): prediction pairs (t -> t+1) and (t+1 -> t)
        forward_h = top[:, :-1, :p][valid]  # (N, P): position t predicts t+1
        backward_h = top[:, 1:, p:][valid]  # (N, P): position t+1 predicts t
        return forward_h, backward_h, valid

    def _target_log_prob(self, h: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """log p(target | h) for each row: (N, P), (N,) -> (N,)."""
        if self.softmax_kind == "full":
            return -F.cross_entropy(self.softmax(h), targets, reduction="none")
        return self.softmax(h, targets).output

    def forward(self, char_ids: torch.Tensor, word_ids: torch.Tensor) -> LMLoss:
        """``char_ids`` (B, T, 50) without boundaries; ``word_ids`` (B, T+2) with them."""
        forward_h, backward_h, valid = self._top(char_ids)
        n = forward_h.shape[0]
        h = self.dropout(torch.cat([forward_h, backward_h]))  # (2N, P): one shared softmax
        targets = torch.cat([word_ids[:, 1:][valid], word_ids[:, :-1][valid]])  # (2N,)
        log_p = self._target_log_prob(h, targets)  # (2N,)
        return LMLoss(-log_p[:n].sum(), -log_p[n:].sum(), n)

    @torch.no_grad()
    def log_probs(self, char_ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Full distributions: forward (B, T+1, V) over the token after position t, and backward
        (B, T+1, V) over the token before position t+1 (boundary-padded positions, eval mode)."""
        out = self.bilm(char_ids)
        top = out.layers[-1]
        p = self.config.projection_dim

        def dist(h: torch.Tensor) -> torch.Tensor:
            flat = h.reshape(-1, p)
            if self.softmax_kind == "full":
                logp = F.log_softmax(self.softmax(flat), dim=-1)
            else:
                logp = self.softmax.log_prob(flat)
            return logp.reshape(*h.shape[:-1], -1)

        return dist(top[:, :-1, :p]), dist(top[:, 1:, p:])


def perplexity(nll: float, n: int) -> float:
    """exp(mean NLL); ``inf`` if nothing was predicted."""
    return math.exp(nll / n) if n else float("inf")
