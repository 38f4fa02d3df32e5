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
  softmax weights say which layers the task uses (Peters et al. 2018, equation 1); for senses,
  a mix trained with the loss of neighbourhood components analysis (Goldberger et al. 2004).

The examples and their vectors come from :mod:`elmo_mini.probe_data` (its names are exported
here too: ``probes.wordnet_examples()``, ``probes.embed_targets(...)``).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from .probe_data import (  # noqa: F401 (exported: chapter 10 reads them as probes.<name>)
    POS_NAMES,
    Example,
    embed_targets,
    lemma_groups,
    one_cpu_thread,
    pos_examples,
    wordnet_examples,
    wsd_examples,
)
from .scalar_mix import ScalarMix, masked_layer_norm


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

    The loss is that of neighbourhood components analysis (NCA, Goldberger et al. 2004), with
    the mix weights (and a scale) as the only things learned: each training example picks one
    of the other examples of its lemma as its neighbour, with probabilities softmax(scale x
    cosine); the loss is minus the log of the chance that the neighbour has the example's sense
    (NCA's log form). ``test_accuracy``: leave-one-out 1-NN accuracy of the mixed vectors on
    the test lemmas. Cosines ignore the vectors' length, so gamma stays 1.
    """
    with one_cpu_thread():
        return _train_mix_nca(layers, examples, train, test, steps, lr)


@dataclass
class _LemmaPairs:
    """Every ordered pair of distinct training examples of the same lemma: NCA's candidates."""

    first: torch.Tensor  # (P,) the example choosing a neighbour
    second: torch.Tensor  # (P,) the candidate neighbour
    dots: torch.Tensor  # (P, L, L) dot products between the two examples' layers
    same_sense: torch.Tensor  # (P,) bool


def _lemma_pairs(x: torch.Tensor, examples: Sequence[Example], train: np.ndarray) -> _LemmaPairs:
    """The pairs, with the dot products between their layers computed once for all steps (the
    cosine of two mixed vectors needs only these (L, L) blocks and the mix weights)."""
    senses = np.array([ex.sense for ex in examples])
    first, second, blocks = [], [], []
    for group in lemma_groups([examples[k] for k in train]):
        rows = torch.as_tensor(train[group])
        block = torch.einsum("kid,ljd->ijkl", x[:, rows], x[:, rows])  # (n, n, L, L)
        i, j = torch.nonzero(~torch.eye(len(rows), dtype=torch.bool), as_tuple=True)
        first.append(rows[i])
        second.append(rows[j])
        blocks.append(block[i, j])
    first, second, dots = torch.cat(first), torch.cat(second), torch.cat(blocks)
    same = torch.from_numpy(senses[first.numpy()] == senses[second.numpy()])  # (P,)
    return _LemmaPairs(first, second, dots, same)


def _nca_loss(scores: torch.Tensor, pairs: _LemmaPairs, n: int, train: np.ndarray) -> torch.Tensor:
    """Mean over training examples of -log P(neighbour has my sense), from pair ``scores`` (P,)."""

    def log_sum_exp(rows: torch.Tensor, values: torch.Tensor) -> torch.Tensor:  # per example
        top = values.detach().max()
        total = torch.zeros(n).index_add(0, rows, torch.exp(values - top))  # (n,)
        return torch.log(total[train]) + top

    same = pairs.same_sense
    return (log_sum_exp(pairs.first, scores)
            - log_sum_exp(pairs.first[same], scores[same])).mean()


def _train_mix_nca(layers, examples, train, test, steps, lr) -> MixProbe:
    x = _normalised_layers(layers)  # (L, N, D)
    pairs = _lemma_pairs(x, examples, train)
    own = torch.einsum("kid,lid->ikl", x, x)  # (N, L, L): each example with itself
    mix = ScalarMix(x.shape[0])
    log_scale = nn.Parameter(torch.tensor(2.0))  # cosines times e^2 at the start
    optimizer = torch.optim.Adam([*mix.parameters(), log_scale], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        w = mix.weights  # (L,)
        length = torch.einsum("ikl,k,l->i", own, w, w).sqrt()  # (N,): |mixed vector|
        cosine = (torch.einsum("pkl,k,l->p", pairs.dots, w, w)
                  / (length[pairs.first] * length[pairs.second]))  # (P,)
        _nca_loss(cosine * log_scale.exp(), pairs, x.shape[1], train).backward()
        optimizer.step()
    with torch.no_grad():
        mixed = mix(list(x)).numpy()[None]  # (1, N, D)
        accuracy = wsd_accuracy(mixed[:, test], [examples[k] for k in test])["layer 0"]
        return MixProbe(mix.weights.numpy(), mix.gamma.item(), accuracy)
