"""The labelled task of chapter 12: WordNet supersenses of words in context, ready for a model.

    examples = probes.wordnet_examples()                 # chapter 10's reader
    task, labels = supersense_examples(examples, size=2400)
    table = static_word_table()                          # word2vec on the biLM's own corpus
    layers = cached_sentence_layers(embedder, [ex.tokens for ex in task])
    data = window_features(task, labels, layers, table)  # tensors a task model reads

Every WordNet synset lives in one *lexicographer file* (``noun.plant``, ``verb.motion``, ...):
26 noun and 15 verb classes that Ciaramita and Johnson (2003) called **supersenses**. An
example sentence of a synset, with the word that illustrates it, is labelled with its synset's
supersense: "plant" in a garden is ``noun.plant``, a power plant ``noun.artifact``.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from .probes import Example, one_cpu_thread
from .vector_cache import cache_path, model_fingerprint, save_atomic
from .wordnet import POS_FILES, wordnet_dir

#: The word2vec settings of :func:`static_word_table` (part of its cache key).
STATIC_SETTINGS = dict(vector_size=64, window=5, min_count=2, epochs=3, workers=1, seed=0)


@lru_cache(maxsize=2)
def supersenses(directory: Optional[Path] = None) -> Dict[str, str]:
    """Synset id -> supersense name for every noun and verb synset: ``"09213565-n" ->
    "noun.object"``. The second field of a ``data.*`` line is the lexicographer file's number;
    the file ``lexnames`` names the numbers."""
    folder = Path(directory or wordnet_dir())
    names = {}
    with open(folder / "lexnames", encoding="utf-8") as lines:
        for line in lines:
            number, name, _ = line.split()
            names[number] = name
    labels = {}
    for pos in "nv":
        with open(folder / f"data.{POS_FILES[pos]}", encoding="utf-8") as lines:
            for line in lines:
                if not line.startswith("  "):  # licence header
                    offset, lexfile, _ = line.split(" ", 2)
                    labels[f"{offset}-{pos}"] = names[lexfile]
    return labels


def supersense_examples(
    examples: Sequence[Example], size: Optional[int] = None, seed: int = 0
) -> Tuple[List[Example], List[str]]:
    """The noun and verb examples (one per sentence), a random ``size`` of them, and their
    supersenses. ``examples``: chapter 10's :func:`~elmo_mini.probes.wordnet_examples`."""
    labels = supersenses()
    seen, kept = set(), []
    for ex in examples:
        if ex.pos in "nv" and ex.tokens not in seen:
            seen.add(ex.tokens)
            kept.append(ex)
    if size is not None:
        if size > len(kept):
            raise ValueError(f"size={size}, but there are only {len(kept)} noun and verb examples")
        kept = random.Random(seed).sample(kept, size)
    return kept, [labels[ex.sense] for ex in kept]


# ---- the static word table --------------------------------------------------------------------
@dataclass
class WordTable:
    """Static word vectors: one per word, whatever the sentence; ``<UNK>`` (zeros) otherwise."""

    words: List[str]
    vectors: np.ndarray  # (V, D) float32

    def __post_init__(self) -> None:
        self.index = {w: i for i, w in enumerate(self.words)}

    @property
    def dim(self) -> int:
        return self.vectors.shape[1]

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def lookup(self, tokens: Sequence[str]) -> np.ndarray:
        """(len(tokens), D): each token's vector, zeros for a word the table lacks."""
        out = np.zeros((len(tokens), self.dim), dtype=np.float32)
        for i, token in enumerate(tokens):
            if token in self.index:
                out[i] = self.vectors[self.index[token]]
        return out


def static_word_table(cache_dir: Optional[str | Path] = None) -> WordTable:
    """word2vec (gensim, :data:`STATIC_SETTINGS`) trained on the State of the Union training
    split, the biLM's own corpus; trained once (about half a minute) and kept in a file."""
    import gensim

    key = hashlib.sha256(repr((STATIC_SETTINGS, gensim.__version__)).encode()).hexdigest()[:16]
    path = cache_path("task", f"word2vec-sotu-{key}.npz", cache_dir)
    if path.is_file():
        saved = np.load(path)
        return WordTable(saved["words"].tolist(), saved["vectors"])
    from gensim.models import Word2Vec

    from .data import load_sotu

    model = Word2Vec(load_sotu("train"), **STATIC_SETTINGS)
    table = WordTable(list(model.wv.index_to_key), model.wv.vectors.astype(np.float32))
    save_atomic(path, lambda f: np.savez(f, words=np.array(table.words), vectors=table.vectors))
    return table


# ---- the frozen biLM's layers, computed once ---------------------------------------------------
def cached_sentence_layers(
    embedder,
    sentences: Sequence[Sequence[str]],
    cache_dir: Optional[str | Path] = None,
    progress: bool = True,
) -> List[np.ndarray]:
    """ELMo's layers of every token of every sentence: one (n_layers, T, 2P) array each.

    The biLM is frozen, so its layers are computed once (with a progress bar) and kept in a file
    named by the weights' fingerprint and a hash of the sentences (as chapter 9's cache). Stored
    as float16 to halve the file (a rounding of at most 1 part in 2,000, far below what a task
    model notices); returned as float32, the same numbers whether computed or read.
    """
    key = hashlib.sha256("\x1e".join("\x1f".join(s) for s in sentences).encode())
    name = f"{model_fingerprint(embedder.model)}-{key.hexdigest()[:16]}.npz"
    path = cache_path("task", name, cache_dir)
    if path.is_file():
        saved = np.load(path)
        flat, lengths = saved["layers"], saved["lengths"]
    else:
        with one_cpu_thread():  # short sentences: more threads mostly wait for each other
            layers = embedder.embed_sentences(sentences, batch_size=128, progress=progress)
        lengths = np.array([len(s) for s in sentences])
        flat = np.concatenate(layers, axis=1).astype(np.float16)  # (L, total tokens, 2P)
        save_atomic(path, lambda f: np.savez(f, layers=flat, lengths=lengths))
    ends = np.cumsum(lengths)
    return [flat[:, end - n : end].astype(np.float32) for n, end in zip(lengths, ends)]


def target_vectors(layers: Sequence[np.ndarray], examples: Sequence[Example]) -> np.ndarray:
    """The target word's vector in every layer, (n_layers, N, 2P), from the sentences' layers
    (:func:`cached_sentence_layers`): what :func:`~elmo_mini.probes.embed_targets` returns,
    read from the file cache."""
    return np.stack([sentence[:, ex.index] for sentence, ex in zip(layers, examples)], axis=1)


# ---- windows around the target word ------------------------------------------------------------
@dataclass
class TaskData:
    """A task's inputs as tensors, each example a window centred on its target word.

    ``static``: (N, T, S) word-table vectors; ``layers``: (N, T, L, 2P) ELMo's layers;
    ``mask``: (N, T) True at real tokens; ``labels``: (N,) class indices into ``classes``.
    T = 2 * width + 1 and the target is always at position ``width``.
    """

    static: torch.Tensor
    layers: torch.Tensor
    mask: torch.Tensor
    labels: torch.Tensor
    classes: List[str]
    width: int

    def __len__(self) -> int:
        return len(self.labels)


def window_features(
    examples: Sequence[Example],
    labels: Sequence[str],
    layers: Sequence[np.ndarray],
    table: WordTable,
    width: int = 5,
) -> TaskData:
    """:class:`TaskData` from the examples, their labels, their sentences' layers (from
    :func:`cached_sentence_layers`) and a static table; ``width`` tokens either side of the
    target are kept, missing ones are zeros with ``mask`` False."""
    if not (len(examples) == len(labels) == len(layers)):
        raise ValueError(f"{len(examples)} examples, {len(labels)} labels and {len(layers)} "
                         "sentences of layers: give one of each per example")
    n, steps = len(examples), 2 * width + 1
    n_layers, _, dim = layers[0].shape
    static = np.zeros((n, steps, table.dim), dtype=np.float32)
    elmo = np.zeros((n, steps, n_layers, dim), dtype=np.float32)
    mask = np.zeros((n, steps), dtype=bool)
    for i, (ex, sentence) in enumerate(zip(examples, layers)):
        start, stop = max(0, ex.index - width), min(len(ex.tokens), ex.index + width + 1)
        into = slice(start - ex.index + width, stop - ex.index + width)
        static[i, into] = table.lookup(ex.tokens[start:stop])
        elmo[i, into] = sentence[:, start:stop].transpose(1, 0, 2)  # (T, L, 2P)
        mask[i, into] = True
    classes = sorted(set(labels))
    y = torch.tensor([classes.index(c) for c in labels])
    return TaskData(torch.from_numpy(static), torch.from_numpy(elmo), torch.from_numpy(mask),
                    y, classes, width)
