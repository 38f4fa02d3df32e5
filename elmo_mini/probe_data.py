"""What chapter 10's probes read: WordNet's example sentences and the target words' vectors.

    examples = wordnet_examples()                    # every (sentence, target word, sense, pos)
    wsd = wsd_examples(examples)                     # polysemous lemmas, >= 2 examples per sense
    vectors = embed_targets(embedder, wsd)           # (n_layers, N, 2P): the target word's vectors

Target-word vectors are cached on disk like chapter 9's (:mod:`elmo_mini.vector_cache`). The
probes themselves are in :mod:`elmo_mini.probes`, which also exports everything here.
"""

from __future__ import annotations

import random
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .data import tokenize
from .vector_cache import cached_vectors
from .wordnet import find_target, lemma_examples, read_synsets

POS_NAMES = {"n": "noun", "v": "verb", "a": "adjective", "r": "adverb"}


@dataclass(frozen=True)
class Example:
    """One WordNet example sentence and the word in it that illustrates a sense."""

    tokens: Tuple[str, ...]
    index: int  # position of the target word in tokens
    lemma: str  # lower case: "bank"
    pos: str  # n, v, a, r
    sense: str  # the synset id: "09213565-n"

    @property
    def word(self) -> str:
        return self.tokens[self.index]


@lru_cache(maxsize=2)
def wordnet_examples(directory: Optional[Path] = None) -> Tuple[Example, ...]:
    """Every example sentence of WordNet 3.0 in which we find a single-word lemma of its synset."""
    examples = []
    for pos in "nvar":
        for synset in read_synsets(pos, directory):
            for lemma, sentence in lemma_examples(synset):
                tokens = tokenize(sentence)
                index = find_target(tokens, lemma, pos)
                if index is not None:
                    examples.append(Example(tuple(tokens), index, lemma.lower(), pos, synset.id))
    return tuple(examples)


def wsd_examples(
    examples: Sequence[Example], min_senses: int = 2, min_per_sense: int = 2, seed: int = 0
) -> List[Example]:
    """The examples of lemmas (per part of speech) with ``min_senses`` senses having
    ``min_per_sense`` examples each; grouped by lemma, shuffled within each lemma.

    The shuffle matters for ties: in WordNet's order the senses come one after the other, and a
    nearest neighbour that breaks ties by taking the first example would favour the first sense.
    """
    rng = random.Random(seed)
    groups: Dict[Tuple[str, str], Dict[str, List[Example]]] = defaultdict(lambda: defaultdict(list))
    for ex in examples:
        groups[(ex.lemma, ex.pos)][ex.sense].append(ex)
    kept = []
    for key in sorted(groups):
        senses = {s: exs for s, exs in groups[key].items() if len(exs) >= min_per_sense}
        if len(senses) >= min_senses:
            group = [ex for exs in senses.values() for ex in exs]
            rng.shuffle(group)
            kept.extend(group)
    return kept


def pos_examples(examples: Sequence[Example], per_pos: int = 600, seed: int = 0) -> List[Example]:
    """A random sample of ``per_pos`` examples for each part of speech (one per sentence)."""
    by_pos: Dict[str, List[Example]] = defaultdict(list)
    seen = set()
    for ex in examples:
        if ex.tokens not in seen:
            seen.add(ex.tokens)
            by_pos[ex.pos].append(ex)
    rng = random.Random(seed)
    return [ex for pos in "nvar" for ex in rng.sample(by_pos[pos], min(per_pos, len(by_pos[pos])))]


# ---- embedding the target words -------------------------------------------------------------
@contextmanager
def one_cpu_thread() -> Iterator[None]:
    """Run PyTorch on one CPU thread for a while: short sentences and small probes make many
    tiny operations, and on a shared or busy machine more threads mostly wait for each other."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def embed_targets(
    embedder, examples: Sequence[Example], batch_size: int = 256, progress: bool = True,
    cache_dir: Optional[str | Path] = None,
) -> np.ndarray:
    """The target word's vector in every layer: float32 (n_layers, len(examples), 2P).

    Each distinct sentence is embedded once. The result is kept in a file under
    ``cache_dir/probes/`` with the policy of chapter 9's vectors (:mod:`elmo_mini.vector_cache`:
    named by the model's weights and the examples, written atomically), so asking again, even in
    a new session, costs one file read, and a changed model never reads stale vectors.
    """
    return cached_vectors(
        "probes", embedder.model, [(ex.tokens, ex.index) for ex in examples],
        lambda: _embed_targets(embedder, examples, batch_size, progress), cache_dir,
    )


def _embed_targets(embedder, examples: Sequence[Example], batch_size: int, progress: bool):
    sentences = sorted({ex.tokens for ex in examples})  # each distinct sentence once
    with one_cpu_thread():
        vectors = embedder.embed_sentences(sentences, batch_size, progress)
    row = {tokens: i for i, tokens in enumerate(sentences)}
    return np.stack([vectors[row[ex.tokens]][:, ex.index] for ex in examples], axis=1)


def lemma_groups(examples: Sequence[Example]) -> List[np.ndarray]:
    """Indices of the examples of each (lemma, part of speech), in order of first appearance."""
    groups: Dict[Tuple[str, str], List[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault((ex.lemma, ex.pos), []).append(i)
    return [np.array(g) for g in groups.values()]
