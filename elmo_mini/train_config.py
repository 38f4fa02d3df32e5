"""What a training run depends on: the shipped and demo architectures and :class:`TrainConfig`.

A run directory stores its ``TrainConfig`` as ``config.json``. Resuming compares the fields
that define the run (:meth:`TrainConfig.identity`); :data:`RUNTIME_FIELDS` (when to stop, how to
report, where to run) may change between the first run and a resumed one.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Dict, List, Optional

from .config import read_json

#: The mini ELMo's architecture (the shipped model uses it).
MINI_MODEL: Dict[str, Any] = dict(
    char_dim=16,
    filters=[[1, 32], [2, 32], [3, 64], [4, 128], [5, 256], [6, 256]],
    n_highway=1,
    lstm_dim=512,
    projection_dim=128,
    n_layers=2,
    use_skip_connections=True,
)

#: A small biLM for the live demo of chapter 6: visible learning within a minute on 2 cores.
DEMO_MODEL: Dict[str, Any] = dict(
    char_dim=8,
    filters=[[1, 16], [2, 16], [3, 32], [4, 32]],
    n_highway=1,
    lstm_dim=128,
    projection_dim=64,
    n_layers=2,
    use_skip_connections=True,
)


def demo_config(**overrides: Any) -> "TrainConfig":
    """Settings for a live run in a notebook: the demo model, 40 s of training, a validation every 10 steps."""
    settings = dict(model=json.loads(json.dumps(DEMO_MODEL)), vocab_size=5000, batch_tokens=800,
                    lr=4e-3, max_seconds=40, eval_every=10, valid_max_sentences=150, log_every=5)
    return TrainConfig(**{**settings, **overrides})


# Fields that may change when a run resumes (when to stop, how to report, where to run).
RUNTIME_FIELDS = {
    "epochs", "max_steps", "max_seconds", "eval_every", "valid_max_sentences", "log_every",
    "checkpoint_every", "device", "threads", "progress",
}


@dataclass
class TrainConfig:
    """Everything a training run depends on; stored as ``config.json`` in the run directory.

    Args:
        model: :class:`~elmo_mini.config.ElmoConfig` fields (default :data:`MINI_MODEL`).
        corpus: ``"sotu"`` (State of the Union, split by address), ``"wiki"`` (gensim's
            Wikipedia sample), ``"sotu+wiki"`` (both; validation on the State of the Union), or a
            UTF-8 text file (every 20th sentence held out for validation).
        vocab_size, min_count: the softmax vocabulary (specials included).
        softmax: ``"adaptive"`` or ``"full"``; cutoffs: the adaptive softmax's clusters.
        dropout, lr, clip: regularisation and Adam's step size; gradients are clipped to this norm.
        lr_decay_steps, lr_final: the step size falls linearly to ``lr * lr_final`` over this
            many steps, then stays there (None: constant).
        batch_tokens: tokens per batch (rows x longest row); max_len: longer sentences are cut.
        seed: initial weights, dropout and batch order all follow it.
        epochs, max_steps, max_seconds: stop at whichever comes first (None: no limit).
        eval_every: also evaluate every this many steps (0: only at the end of each epoch).
        valid_max_sentences: evaluate on the first this many valid sentences (None: all).
        checkpoint_every: seconds between checkpoints (one is always written at the end).
        device: ``"cuda"``, ``"cpu"`` ... (None: CUDA when available); threads: CPU threads.
        init_from: start from a trained model instead of random weights (domain fine-tuning,
            chapter 12): ``"pretrained"`` (the shipped mini ELMo) or a directory written by
            ``python -m elmo_mini export``. Its architecture, softmax and vocabulary replace
            ``model``, ``vocab_size``, ``softmax`` and ``cutoffs``.
    """

    model: Dict[str, Any] = field(default_factory=lambda: json.loads(json.dumps(MINI_MODEL)))
    corpus: str = "sotu"
    vocab_size: int = 20000
    min_count: int = 1
    softmax: str = "adaptive"
    cutoffs: Optional[List[int]] = None
    dropout: float = 0.1
    lr: float = 2e-3
    clip: float = 1.0
    lr_decay_steps: Optional[int] = None
    lr_final: float = 0.1
    batch_tokens: int = 3000
    max_len: int = 100
    seed: int = 0
    epochs: int = 10
    max_steps: Optional[int] = None
    max_seconds: Optional[float] = None
    eval_every: int = 0
    valid_max_sentences: Optional[int] = None
    log_every: int = 10
    checkpoint_every: float = 300.0
    device: Optional[str] = None
    threads: Optional[int] = None
    progress: bool = True
    init_from: Optional[str] = None

    @classmethod
    def load(cls, path: str | Path) -> "TrainConfig":
        values = read_json(path, "config file")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"config file {path} has unknown keys: {', '.join(unknown)}")
        return cls(**values)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    def identity(self) -> Dict[str, Any]:
        """The fields that define the run (all but :data:`RUNTIME_FIELDS`)."""
        return {k: v for k, v in asdict(self).items() if k not in RUNTIME_FIELDS}
