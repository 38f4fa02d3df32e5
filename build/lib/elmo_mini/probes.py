"""Probing ELMo's layers with WordNet's example sentences (chapter 10; chapter 7 shows the mixes).

    examples = wordnet_examples()                    # every (sentence, target word, sense, pos)
    wsd = wsd_examples(examples)                     # polysemous lemmas, >= 2 examples per sense
    vectors = embed_targets(embedder, wsd)           # (n_layers, N, 2P): the target word's vectors
    wsd_accuracy(vectors, wsd)                       # leave-one-out 1-NN per layer vs the baseline

Three probes, each small enough to read:

* word sense: leave-one-out nearest neighbour (cosine) among the other examples of the same
  lemma, against the most frequent sense of those other examples;
* part of speech: a logistic regression per layer, trained and tested on different lemmas;
* a learned mix: :class:`~elmo_mini.ScalarMix` and a linear classifier trained together, whose
  softmax weights say which layers the task uses (Peters et al. 2018, equation 1).
"""

from __future__ import annotations

import random
import weakref
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from .data import tokenize
from .scalar_mix import ScalarMix, masked_layer_norm
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


_CACHE: "weakref.WeakKeyDictionary[nn.Module, Dict]" = weakref.WeakKeyDictionary()


def embed_targets(
    embedder, examples: Sequence[Example], batch_size: int = 256, progress: bool = True
) -> np.ndarray:
    """The target word's vector in every layer: float32 (n_layers, len(examples), 2P).

    Each distinct sentence is embedded once; the vectors are kept in memory (per model) so a
    second call with the same examples costs nothing.
    """
    cache = _CACHE.setdefault(embedder.model, {})  # (tokens, index) -> (n_layers, 2P)
    missing: Dict[Tuple[str, ...], set] = defaultdict(set)  # sentence -> target positions
    for ex in examples:
        if (ex.tokens, ex.index) not in cache:
            missing[ex.tokens].add(ex.index)
    todo = sorted(missing)
    with one_cpu_thread():
        vectors = embedder.embed_sentences(todo, batch_size, progress) if todo else []
        for tokens, layers in zip(todo, vectors):
            for i in missing[tokens]:  # keep the targets only, not every word
                cache[(tokens, i)] = layers[:, i]  # (n_layers, 2P)
    return np.stack([cache[(ex.tokens, ex.index)] for ex in examples], axis=1)


# ---- word senses ----------------------------------------------------------------------------
def leave_one_out_nearest(vectors: np.ndarray, senses: Sequence[str]) -> List[str]:
    """For each example, the sense of its nearest other example (cosine similarity).

    ``vectors``: (N, D), the same lemma in N sentences; ties go to the earlier example.
    """
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)  # (N, D)
    similarity = unit @ unit.T  # (N, N)
    np.fill_diagonal(similarity, -np.inf)  # an example may not be its own neighbour
    return [senses[j] for j in similarity.argmax(axis=1)]


def leave_one_out_most_frequent(senses: Sequence[str]) -> List[str]:
    """For each example, the most frequent sense among the other examples (ties: first seen)."""
    predictions = []
    for i in range(len(senses)):
        others = Counter(s for j, s in enumerate(senses) if j != i)
        predictions.append(others.most_common(1)[0][0])
    return predictions


def lemma_groups(examples: Sequence[Example]) -> List[np.ndarray]:
    """Indices of the examples of each (lemma, part of speech), in order of first appearance."""
    groups: Dict[Tuple[str, str], List[int]] = {}
    for i, ex in enumerate(examples):
        groups.setdefault((ex.lemma, ex.pos), []).append(i)
    return [np.array(g) for g in groups.values()]


def wsd_accuracy(vectors: np.ndarray, examples: Sequence[Example]) -> Dict[str, float]:
    """Leave-one-out 1-NN sense accuracy per layer, and two baselines.

    ``vectors``: (n_layers, N, D) from :func:`embed_targets`. Returns fractions of the N examples:
    ``{"layer 0": ..., ..., "most frequent sense": ..., "random neighbour": ...}``; the random
    neighbour is the expected accuracy of a neighbour drawn at random among the other examples
    of the lemma (what 1-NN scores with vectors that know nothing).
    """
    senses = [ex.sense for ex in examples]
    correct = Counter()
    for group in lemma_groups(examples):
        truth = [senses[i] for i in group]
        guesses = {"most frequent sense": leave_one_out_most_frequent(truth)}
        for k in range(vectors.shape[0]):
            guesses[f"layer {k}"] = leave_one_out_nearest(vectors[k, group], truth)
        for name, guess in guesses.items():
            correct[name] += sum(g == t for g, t in zip(guess, truth))
        counts = Counter(truth)
        correct["random neighbour"] += sum((counts[s] - 1) / (len(truth) - 1) for s in truth)
    names = [f"layer {k}" for k in range(vectors.shape[0])]
    names += ["most frequent sense", "random neighbour"]
    return {name: correct[name] / len(examples) for name in names}


# ---- part of speech -------------------------------------------------------------------------
def split_by_lemma(
    lemmas: Sequence[str], test_fraction: float = 0.25, seed: int = 0
) -> Tuple[np.ndarray, np.ndarray]:
    """Train and test indices such that no lemma is in both: a probe cannot memorise words.

    About ``test_fraction`` of the distinct lemmas (chosen at random) go to the test side.
    """
    distinct = sorted(set(lemmas))
    random.Random(seed).shuffle(distinct)
    test_lemmas = set(distinct[: round(test_fraction * len(distinct))])
    is_test = np.array([lemma in test_lemmas for lemma in lemmas])
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)


def pos_probe_accuracy(
    vectors: np.ndarray, labels: Sequence[str], train: np.ndarray, test: np.ndarray
) -> float:
    """Test accuracy of a logistic regression (scikit-learn) from one layer's vectors (N, D)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    labels = np.asarray(labels)
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))
    with threadpool_limits(1):  # a small problem: more threads only wait for each other
        probe.fit(vectors[train], labels[train])
    return float(probe.score(vectors[test], labels[test]))


# ---- a learned scalar mix -------------------------------------------------------------------
@dataclass
class MixProbe:
    """What :func:`train_mix_probe` learned: softmax(s) per layer, gamma, test accuracy."""

    weights: np.ndarray  # (n_layers,)
    gamma: float
    test_accuracy: float


def _normalised_layers(layers: np.ndarray) -> torch.Tensor:
    """(L, N, D) tensor, each layer layer-normalised over all N examples (one mean, one std)."""
    return torch.stack([masked_layer_norm(layer) for layer in torch.as_tensor(layers).float()])


def train_mix_probe(
    layers: np.ndarray,
    labels: Sequence[str],
    train: np.ndarray,
    test: np.ndarray,
    steps: int = 300,
    lr: float = 0.01,
    weight_decay: float = 1e-3,
    seed: int = 0,
) -> MixProbe:
    """Train a :class:`~elmo_mini.ScalarMix` and a linear classifier together (full-batch Adam).

    Args:
        layers: (n_layers, N, D) target-word vectors from :func:`embed_targets`; each layer is
            layer-normalised first (``do_layer_norm``), so the weights compare layers on one scale.
        labels: the N class names (a part of speech).
        train, test: indices into the N examples.
    """
    with one_cpu_thread():
        return _train_mix_probe(layers, labels, train, test, steps, lr, weight_decay, seed)


def _train_mix_probe(layers, labels, train, test, steps, lr, weight_decay, seed) -> MixProbe:
    torch.manual_seed(seed)
    classes = sorted(set(labels))
    y = torch.tensor([classes.index(c) for c in labels])  # (N,)
    x = _normalised_layers(layers)  # (L, N, D)
    mix = ScalarMix(x.shape[0])
    classifier = nn.Linear(x.shape[2], len(classes))
    optimizer = torch.optim.Adam(
        [{"params": mix.parameters()},
         {"params": classifier.parameters(), "weight_decay": weight_decay}], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        logits = classifier(mix(list(x[:, train])))  # (n_train, C)
        nn.functional.cross_entropy(logits, y[train]).backward()
        optimizer.step()
    with torch.no_grad():
        predicted = classifier(mix(list(x[:, test]))).argmax(dim=1)  # (n_test,)
        accuracy = (predicted == y[test]).float().mean().item()
        return MixProbe(mix.weights.numpy(), mix.gamma.item(), accuracy)


def train_mix_neighbours(
    layers: np.ndarray,
    examples: Sequence[Example],
    train: np.ndarray,
    test: np.ndarray,
    steps: int = 100,
    lr: float = 0.05,
) -> MixProbe:
    """Learn a :class:`~elmo_mini.ScalarMix` for the nearest-neighbour sense rule of
    :func:`wsd_accuracy` (senses differ from lemma to lemma: there is no fixed set of classes).

    The loss is a soft nearest neighbour: each training example should be closer (cosine,
    times a learned scale) to the other examples of its sense than to those of the other senses
    of its lemma. ``test_accuracy``: leave-one-out 1-NN accuracy of the mixed vectors on the
    test lemmas. Cosines ignore the vectors' length, so gamma stays 1.
    """
    with one_cpu_thread():
        return _train_mix_neighbours(layers, examples, train, test, steps, lr)


def _train_mix_neighbours(layers, examples, train, test, steps, lr) -> MixProbe:
    x = _normalised_layers(layers)  # (L, N, D)
    senses = np.array([ex.sense for ex in examples])
    # The cosine of two mixed vectors needs only the dot products between their layers: a
    # (L, L) block per pair of examples of the same lemma, computed once for all steps.
    first, second, blocks = [], [], []
    for group in lemma_groups([examples[k] for k in train]):
        rows = torch.as_tensor(train[group])
        block = torch.einsum("kid,ljd->ijkl", x[:, rows], x[:, rows])  # (n, n, L, L)
        i, j = torch.nonzero(~torch.eye(len(rows), dtype=torch.bool), as_tuple=True)
        first.append(rows[i])
        second.append(rows[j])
        blocks.append(block[i, j])
    first, second, dots = torch.cat(first), torch.cat(second), torch.cat(blocks)  # (P,) (P,) (P, L, L)
    own = torch.einsum("kid,lid->ikl", x, x)  # (N, L, L): each example with itself
    same = torch.from_numpy(senses[first.numpy()] == senses[second.numpy()])  # (P,)
    mix = ScalarMix(x.shape[0])
    log_scale = nn.Parameter(torch.tensor(2.0))  # cosines times e^2 at the start
    optimizer = torch.optim.Adam([*mix.parameters(), log_scale], lr=lr)

    def logsumexp_per_example(rows: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        top = scores.detach().max()
        total = torch.zeros(x.shape[1]).index_add(0, rows, torch.exp(scores - top))
        return torch.log(total[train]) + top

    for _ in range(steps):
        optimizer.zero_grad()
        w = mix.weights  # (L,)
        length = torch.einsum("ikl,k,l->i", own, w, w).sqrt()  # (N,): |mixed vector|
        cosine = torch.einsum("pkl,k,l->p", dots, w, w) / (length[first] * length[second])
        scores = cosine * log_scale.exp()  # (P,)
        loss = (logsumexp_per_example(first, scores)
                - logsumexp_per_example(first[same], scores[same])).mean()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        mixed = mix(list(x)).numpy()[None]  # (1, N, D)
        accuracy = wsd_accuracy(mixed[:, test], [examples[k] for k in test])["layer 0"]
        return MixProbe(mix.weights.numpy(), mix.gamma.item(), accuracy)
