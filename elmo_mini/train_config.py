"""What a training run depends on: the shipped and demo architectures and :class:`TrainConfig`.

A run directory stores its ``TrainConfig`` as ``config.json``. Resuming compares the fields
that define the run (:meth:`TrainConfig.identity`); :data:`RUNTIME_FIELDS` (when to stop, how to
report, where to run) may change between the first run and a resumed one.

Each field of :class:`TrainConfig` carries its own one-line help (``metadata["help"]``): the
command line (``python -m elmo_mini train --help``) builds its flags from the fields, so a new
setting is one new field here and nothing in :mod:`elmo_mini.cli`.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Dict, List, Optional

from .config import ElmoConfig, read_json

#: The :class:`~elmo_mini.config.ElmoConfig` fields a run's ``config.json`` stores under
#: ``"model"``; the others keep ElmoConfig's defaults (relu, 262 characters, 50 per token,
#: clipping at 3).
STORED_ARCHITECTURE = (
    "char_dim", "filters", "n_highway", "lstm_dim", "projection_dim", "n_layers",
    "use_skip_connections",
)


def architecture(**changes: Any) -> Dict[str, Any]:
    """A run's ``model`` settings: ElmoConfig's defaults (the published small ELMo) + ``changes``."""
    settings = asdict(ElmoConfig(**changes))
    return {name: settings[name] for name in STORED_ARCHITECTURE}


#: The mini ELMo (the shipped model uses it): the published small ELMo with a narrower
#: char-CNN (6 filter widths, 768 filters instead of 2,048) and 512-unit LSTMs instead of 1,024.
MINI_MODEL: Dict[str, Any] = architecture(
    filters=[[1, 32], [2, 32], [3, 64], [4, 128], [5, 256], [6, 256]], lstm_dim=512,
)

#: A small biLM for the live demo of chapter 6: visible learning within a minute on 2 cores.
DEMO_MODEL: Dict[str, Any] = architecture(
    char_dim=8, filters=[[1, 16], [2, 16], [3, 32], [4, 32]], lstm_dim=128, projection_dim=64,
)


def demo_config(**overrides: Any) -> "TrainConfig":
    """Settings for a live run in a notebook: the demo model, 40 s of training, a validation every 10 steps."""
    settings = dict(model=copy.deepcopy(DEMO_MODEL), vocab_size=5000, batch_tokens=800,
                    lr=4e-3, max_seconds=40, eval_every=10, valid_max_sentences=150, log_every=5)
    return TrainConfig(**{**settings, **overrides})


# Fields that may change when a run resumes (when to stop, how to report, where to run).
RUNTIME_FIELDS = {
    "epochs", "max_steps", "max_seconds", "eval_every", "valid_max_sentences", "log_every",
    "checkpoint_every", "device", "threads", "progress",
}


def setting(default: Any, help_text: str, flag: bool = True) -> Any:
    """A :class:`TrainConfig` field with its help text; ``flag=False``: no command-line flag
    (nested values such as ``model`` are set in a ``--config`` JSON file)."""
    metadata = {"help": help_text, "flag": flag}
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: copy.deepcopy(default), metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass
class TrainConfig:
    """Everything a training run depends on; stored as ``config.json`` in the run directory.

    Each field's help says what it sets (:meth:`help`, or ``python -m elmo_mini train --help``).
    What the short help leaves out:

    * ``corpus``: ``"sotu"`` is the State of the Union split by address, ``"wiki"`` gensim's
      Wikipedia sample; ``"sotu+wiki"`` validates on the State of the Union only; a text file
      has every 20th sentence held out for validation.
    * ``batch_tokens`` counts rows x longest row. ``seed`` fixes initial weights, dropout and
      batch order alike.
    * The step size falls linearly from ``lr`` to ``lr * lr_final`` over ``lr_decay_steps``
      steps, then stays there (``lr_decay_steps=None``: constant).
    * Training stops at whichever of ``epochs``, ``max_steps``, ``max_seconds`` comes first
      (None: no limit). A checkpoint is always written at the end, whatever ``checkpoint_every``.
    * ``init_from`` starts from a trained model instead of random weights (domain fine-tuning,
      chapter 12): ``"pretrained"`` (the shipped mini ELMo) or a directory written by
      ``python -m elmo_mini export``. Its architecture, softmax and vocabulary replace
      ``model``, ``vocab_size``, ``softmax`` and ``cutoffs``.
    """

    model: Dict[str, Any] = setting(
        MINI_MODEL, "ElmoConfig fields (default MINI_MODEL)", flag=False)
    corpus: str = setting("sotu", "'sotu' (default), 'wiki', 'sotu+wiki' or a UTF-8 text file")
    epochs: int = setting(10, "passes over the training data")
    max_steps: Optional[int] = setting(None, "stop after this many optimiser steps")
    max_seconds: Optional[float] = setting(None, "stop after this much training time")
    vocab_size: int = setting(20000, "softmax vocabulary size, specials included")
    min_count: int = setting(1, "minimum count of a vocabulary word")
    softmax: str = setting("adaptive", "'adaptive' (default) or 'full'")
    cutoffs: Optional[List[int]] = setting(
        None, "the adaptive softmax's clusters (None: lm.default_cutoffs)", flag=False)
    dropout: float = setting(0.1, "dropout on LSTM inputs and top outputs")
    lr: float = setting(2e-3, "Adam learning rate")
    clip: float = setting(1.0, "gradient-norm clipping")
    lr_decay_steps: Optional[int] = setting(None, "decay the learning rate linearly over N steps")
    lr_final: float = setting(0.1, "final learning rate as a fraction of --lr")
    batch_tokens: int = setting(3000, "tokens per batch")
    max_len: int = setting(100, "longer sentences are cut into pieces")
    seed: int = setting(0, "seed of weights, dropout and batch order")
    eval_every: int = setting(0, "also evaluate every N steps (0: each epoch)")
    valid_max_sentences: Optional[int] = setting(None, "evaluate on this many sentences")
    log_every: int = setting(10, "log the training loss every N steps")
    checkpoint_every: float = setting(300.0, "seconds between checkpoints")
    device: Optional[str] = setting(None, "cuda, cpu, ... (default: CUDA when available)")
    threads: Optional[int] = setting(None, "CPU threads (torch.set_num_threads)")
    progress: bool = setting(True, "progress bars")
    init_from: Optional[str] = setting(
        None, "fine-tune: 'pretrained' (the shipped model) or a model directory")

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

    @classmethod
    def help(cls) -> Dict[str, str]:
        """Each field's one-line help, in field order."""
        return {f.name: f.metadata["help"] for f in fields(cls)}

