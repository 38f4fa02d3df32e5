"""Batches for training the biLM: sentences -> character ids and softmax targets (chapter 6).

A corpus is encoded once: each distinct word gets a row of a table (its 50 character ids and its
softmax id), and each sentence becomes a row of table indices. A batch is then two lookups.
Sentences are batched by length (a token budget per batch) so that padding costs almost nothing.
"""

from __future__ import annotations

from typing import Dict, List, Sequence

import torch

from .chars import word_to_char_ids
from .vocab import Vocabulary


class EncodedCorpus:
    """Sentences as rows of word-table indices, with the table's characters and softmax ids."""

    def __init__(self, sentences: Sequence[Sequence[str]], vocab: Vocabulary, max_len: int):
        table: Dict[str, int] = {}
        rows = []
        for sentence in sentences:
            for start in range(0, len(sentence), max_len):
                piece = sentence[start : start + max_len]
                rows.append(torch.tensor([table.setdefault(w, len(table)) for w in piece]))
        self.rows = rows
        words = list(table)
        self.chars = torch.tensor([word_to_char_ids(w) for w in words], dtype=torch.long)  # (U, 50)
        self.targets = torch.tensor([vocab.id(w) for w in words], dtype=torch.long)  # (U,)
        self.lengths = torch.tensor([len(r) for r in rows])
        self.n_tokens = int(self.lengths.sum())

    def batch(self, indices: Sequence[int]) -> tuple[torch.Tensor, torch.Tensor]:
        """``char_ids`` (B, T, 50) and ``word_ids`` (B, T+2) for the rows ``indices``."""
        rows = [self.rows[i] for i in indices]
        steps = max(len(r) for r in rows)
        index = torch.full((len(rows), steps), -1, dtype=torch.long)
        for b, r in enumerate(rows):
            index[b, : len(r)] = r
        present = index >= 0
        char_ids = torch.where(present[..., None], self.chars[index.clamp(min=0)], 0)
        word_ids = torch.zeros(len(rows), steps + 2, dtype=torch.long)
        word_ids[:, 0] = Vocabulary.bos_id
        word_ids[:, 1:-1] = torch.where(present, self.targets[index.clamp(min=0)], 0)
        word_ids[torch.arange(len(rows)), self.lengths[list(indices)] + 1] = Vocabulary.eos_id
        return char_ids, word_ids


def plan_batches(lengths: torch.Tensor, batch_tokens: int, seed: int, epoch: int) -> List[List[int]]:
    """The batches of one epoch: random order, bucketed by length, then shuffled (deterministic)."""
    g = torch.Generator().manual_seed(seed * 100003 + epoch)
    order = torch.randperm(len(lengths), generator=g)
    order = order[torch.sort(lengths[order], stable=True).indices]  # by length, random ties
    batches, current, longest = [], [], 0
    for i in order.tolist():
        n = int(lengths[i])
        if current and max(longest, n) * (len(current) + 1) > batch_tokens:
            batches.append(current)
            current, longest = [], 0
        current.append(i)
        longest = max(longest, n)
    if current:
        batches.append(current)
    shuffle = torch.randperm(len(batches), generator=g).tolist()
    return [batches[i] for i in shuffle]


def eval_batches(lengths: torch.Tensor, batch_tokens: int) -> List[List[int]]:
    order = torch.sort(lengths, stable=True).indices.tolist()
    batches, current = [], []
    for i in order:
        if current and int(lengths[i]) * (len(current) + 1) > batch_tokens:
            batches.append(current)
            current = []
        current.append(i)
    return batches + ([current] if current else [])
