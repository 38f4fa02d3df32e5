"""ELMo in a task model, the paper's way (Peters et al. 2018, section 3.3; chapter 12).

The biLM is frozen. A task model reads, at every token k, its own input vector x_k (here a
static word vector) concatenated with ELMo_k, a learned scalar mix of the biLM's layers:

    input_k  = [x_k; dropout(ELMo_k)]               ELMo_k = gamma * sum_j softmax(s)_j h_kj
    h_k      = biLSTM(input_1 .. input_T)_k
    output_k = [h_k; dropout(ELMo'_k)]              (optional: a second mix at the output)
    loss     = cross-entropy + lambda * (|s|^2 + |s'|^2)

A large lambda keeps s near 0, an equal average of the layers; a small one lets the task
choose. The task here labels one word per sentence (:mod:`elmo_mini.task_data`), so the
classifier reads the biLSTM's output at that word.

    result = train_task(data, train_idx, test_idx, TaskConfig(layers=(0, 1, 2), lam=1e-3))
    result.accuracy, result.weights
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .probes import one_cpu_thread
from .scalar_mix import ScalarMix
from .task_data import TaskData


def mix_penalty(mix: ScalarMix, lam: float) -> torch.Tensor:
    """The paper's regulariser lambda * |s|^2 on a mix's unnormalised weights s."""
    return lam * (mix.scalars**2).sum()


def elmo_input(
    x: torch.Tensor, elmo: torch.Tensor, p: float = 0.5, training: bool = True
) -> torch.Tensor:
    """``[x; dropout(elmo)]`` along the last axis: x (B, T, S), elmo (B, T, D) -> (B, T, S + D).

    Dropout (probability ``p``, only while ``training``) falls on ELMo's part alone, as in the
    paper: the task's own input is left as it is.
    """
    return torch.cat([x, F.dropout(elmo, p, training)], dim=-1)


@dataclass(frozen=True)
class TaskConfig:
    """One configuration of the task model.

    Args:
        static: read the static word vectors x_k.
        layers: which of ELMo's layers the mix sees: ``(0,)`` layer 0 only, ``(2,)`` the top
            only, ``(0, 1, 2)`` all of them; ``()`` no ELMo at all.
        lam: lambda of the penalty lambda * |s|^2 (1.0: about an equal average; 1e-3: learned).
        at_output: ELMo also at the biLSTM's output, with a mix of its own.
        hidden: biLSTM cells per direction; dropout: on ELMo (and on the biLSTM's output).
        epochs, lr, batch_size, weight_decay: the training budget, the same for every
            configuration.
    """

    static: bool = True
    layers: Tuple[int, ...] = (0, 1, 2)
    lam: float = 1e-3
    at_output: bool = False
    hidden: int = 32
    dropout: float = 0.5
    epochs: int = 10
    lr: float = 5e-3
    batch_size: int = 128
    weight_decay: float = 1e-4

    def __post_init__(self) -> None:
        if not self.static and not self.layers:
            raise ValueError("a task model needs an input: set static=True or some layers")
        if self.at_output and not self.layers:
            raise ValueError("at_output=True needs ELMo: give `layers`, e.g. (0, 1, 2)")


class WordInContext(nn.Module):
    """A biLSTM over a window of tokens that classifies the word in its middle.

    Args:
        config: a :class:`TaskConfig`; static_dim: size of x_k; elmo_dim: 2P;
        n_classes: number of labels.
    """

    def __init__(self, config: TaskConfig, static_dim: int, elmo_dim: int, n_classes: int):
        super().__init__()
        self.config = config
        n_mixed = len(config.layers)
        self.mix = ScalarMix(n_mixed) if n_mixed else None
        self.output_mix = ScalarMix(n_mixed) if config.at_output else None
        size = (static_dim if config.static else 0) + (elmo_dim if n_mixed else 0)
        self.lstm = nn.LSTM(size, config.hidden, batch_first=True, bidirectional=True)
        out = 2 * config.hidden + (elmo_dim if config.at_output else 0)
        self.classify = nn.Linear(out, n_classes)

    def forward(self, static: torch.Tensor, layers: torch.Tensor, mask: torch.Tensor,
                position: int) -> torch.Tensor:
        """static (B, T, S), layers (B, T, L, 2P), mask (B, T) -> logits (B, C) of the word at
        ``position``. Padding positions read zeros."""
        c = self.config
        chosen = list(layers[:, :, list(c.layers)].unbind(dim=2))  # len(c.layers) x (B, T, 2P)
        keep = mask.unsqueeze(-1).float()  # (B, T, 1)
        x = static if c.static else static[..., :0]  # (B, T, S) or (B, T, 0)
        if self.mix is not None:
            inputs = elmo_input(x, self.mix(chosen) * keep, c.dropout, self.training)
        else:
            inputs = x
        h, _ = self.lstm(inputs)  # (B, T, 2H)
        h = F.dropout(h[:, position], c.dropout, self.training)  # (B, 2H)
        if self.output_mix is not None:
            h = elmo_input(h, self.output_mix([t[:, position] for t in chosen]), c.dropout,
                           self.training)
        return self.classify(h)  # (B, C)

    def penalty(self) -> torch.Tensor:
        """lambda * (|s|^2 + |s'|^2) over the mixes the model has."""
        mixes = [m for m in (self.mix, self.output_mix) if m is not None]
        return sum((mix_penalty(m, self.config.lam) for m in mixes), torch.zeros(()))


@dataclass
class TaskResult:
    """What one training run gives: test scores, the mixes' softmax weights, predictions."""

    accuracy: float
    macro_f1: float
    weights: Optional[np.ndarray]  # (len(layers),) of the input mix, None without ELMo
    output_weights: Optional[np.ndarray]
    predictions: np.ndarray  # (n_test,) class indices


def train_task(
    data: TaskData,
    train_idx: np.ndarray,
    test_idx: np.ndarray,
    config: TaskConfig = TaskConfig(),
    seed: int = 0,
) -> TaskResult:
    """Train :class:`WordInContext` on ``train_idx`` (Adam, a fixed number of epochs, no early
    stopping: nothing is tuned on the test examples) and score it on ``test_idx``."""
    with one_cpu_thread():  # small batches: a second thread mostly waits
        return _train_task(data, np.asarray(train_idx), np.asarray(test_idx), config, seed)


def _train_task(data, train_idx, test_idx, config, seed) -> TaskResult:
    torch.manual_seed(seed)
    model = WordInContext(config, data.static.shape[-1], data.layers.shape[-1],
                          len(data.classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr,
                                 weight_decay=config.weight_decay)
    generator = torch.Generator().manual_seed(seed)
    train_idx = torch.as_tensor(train_idx)
    model.train()
    for _ in range(config.epochs):
        order = train_idx[torch.randperm(len(train_idx), generator=generator)]
        for batch in order.split(config.batch_size):
            logits = model(data.static[batch], data.layers[batch], data.mask[batch], data.width)
            loss = F.cross_entropy(logits, data.labels[batch]) + model.penalty()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    model.eval()
    test_idx = torch.as_tensor(test_idx)
    with torch.no_grad():
        logits = model(data.static[test_idx], data.layers[test_idx], data.mask[test_idx],
                       data.width)
    predicted = logits.argmax(dim=1).numpy()
    gold = data.labels[test_idx].numpy()
    f1 = per_class_f1(predicted, gold, range(len(data.classes)))
    present = sorted(set(gold.tolist()))  # macro F1 over the classes the test set has
    return TaskResult(
        accuracy=float((predicted == gold).mean()),
        macro_f1=float(np.mean([f1[c] for c in present])),
        weights=model.mix.weights.detach().numpy() if model.mix is not None else None,
        output_weights=(model.output_mix.weights.detach().numpy()
                        if model.output_mix is not None else None),
        predictions=predicted,
    )


def per_class_f1(predicted: Sequence, gold: Sequence, classes: Sequence) -> Dict:
    """F1 of each class: 2 * precision * recall / (precision + recall), 0 when the class is
    never predicted correctly (and so when it is never predicted or never true)."""
    predicted, gold = np.asarray(predicted), np.asarray(gold)
    scores = {}
    for c in classes:
        true_positive = np.sum((predicted == c) & (gold == c))
        if true_positive == 0:
            scores[c] = 0.0
            continue
        precision = true_positive / np.sum(predicted == c)
        recall = true_positive / np.sum(gold == c)
        scores[c] = float(2 * precision * recall / (precision + recall))
    return scores


def majority_accuracy(labels: torch.Tensor, train_idx: np.ndarray, test_idx: np.ndarray) -> float:
    """Test accuracy of always answering the training set's most frequent class."""
    most = torch.bincount(labels[torch.as_tensor(train_idx)]).argmax()
    return float((labels[torch.as_tensor(test_idx)] == most).float().mean())


def subsample_by_lemma(lemmas: Sequence[str], idx: np.ndarray, fraction: float,
                       seed: int = 0) -> np.ndarray:
    """The examples of a random ``fraction`` of the lemmas among ``idx`` (a learning curve's
    smaller training sets: fewer words, not fewer sentences of the same words)."""
    idx = np.asarray(idx)
    distinct = sorted({lemmas[i] for i in idx})
    rng = np.random.default_rng(seed)
    kept = set(rng.permutation(distinct)[: max(1, round(fraction * len(distinct)))].tolist())
    return np.array([i for i in idx if lemmas[i] in kept])
