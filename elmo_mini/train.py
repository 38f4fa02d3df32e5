"""Training the biLM: the loop the CLI and chapter 6 run.

    from elmo_mini.train import TrainConfig, train
    result = train(TrainConfig(max_seconds=50, eval_every=25), run_dir="runs/demo")
    result.history          # the records of runs/demo/log.jsonl, ready to plot

Choices, each measured on the 2-core CPU this book targets (see ``benchmarks/bench_train.py``):

* **Sentence batching with length buckets.** ELMo's biLM reads one sentence between ``<S>`` and
  ``</S>`` (that is how :class:`~elmo_mini.bilm.BiLM` and the embedder use it), so we train on
  sentences too. Sentences of similar length share a batch (a token budget per batch, not a
  fixed number of rows), so almost no time is spent on padding. Sentences longer than
  ``max_len`` tokens are cut into pieces.
* **Adaptive softmax** (``softmax="adaptive"``): with a 20k-word vocabulary and P = 128 the full
  softmax costs more than both LSTM stacks together; the adaptive one trains about 2x faster
  end to end here and still gives exact probabilities (so perplexities are comparable).
* Adam with gradient-norm clipping, dropout on every LSTM input and on the top outputs.
* On the CPU, :func:`~elmo_mini.heap.keep_freed_memory` lets each step reuse the memory of the
  last one's big softmax tensors instead of having the OS fault it in again (5-9% faster).

The log (``log.jsonl`` in the run directory) has one JSON object per line with an ``event``:
``"train"`` (step, epoch, loss, ppl, tokens_per_s, elapsed), ``"valid"`` (step, epoch,
ppl_forward, ppl_backward, ppl_mean = exp of the mean NLL of the two directions), ``"start"``,
``"resume"``, ``"interrupted"``, ``"done"``.

:func:`train` reads top to bottom as one loop, in the manner of nanoGPT's ``train.py``: set-up
(:mod:`elmo_mini.train_setup`), then for each batch the step, logging
(:mod:`elmo_mini.train_log`), evaluation and checkpoint.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import torch
from torch import nn

from .batches import EncodedCorpus, eval_batches, plan_batches
from .checkpoint import CHECKPOINT, load_checkpoint, save_checkpoint
from .lm import LanguageModel, perplexity
from .train_config import DEMO_MODEL, MINI_MODEL, RUNTIME_FIELDS, TrainConfig, demo_config
from .train_log import LOG, LossWindow, RunLog
from .train_setup import (
    Process,
    Progress,
    Run,
    new_model,
    resolve_device,
    run_identity,
    set_up,
    training_process,
)
from .vocab import Vocabulary

__all__ = [
    "DEMO_MODEL", "MINI_MODEL", "RUNTIME_FIELDS", "TrainConfig", "TrainResult", "demo_config",
    "evaluate", "evaluate_encoded", "learning_rate", "load_run", "train",
    "EncodedCorpus", "plan_batches",
]


@dataclass
class TrainResult:
    """What :func:`train` returns."""

    history: List[Dict[str, Any]]
    model: LanguageModel
    vocab: Vocabulary
    run_dir: Optional[Path]
    interrupted: bool = False
    rank: int = 0  # this process's rank under torchrun (only rank 0 writes files)

    def valid(self) -> List[Dict[str, Any]]:
        """The validation records only."""
        return [r for r in self.history if r["event"] == "valid"]


def train(config: Optional[TrainConfig] = None, run_dir: Optional[str | Path] = None,
          sentences: Optional[Sequence[Sequence[str]]] = None, resume: bool = True,
          **overrides: Any) -> TrainResult:
    """Train (or resume training) a :class:`~elmo_mini.lm.LanguageModel`.

    ``config`` (default :class:`TrainConfig`) with ``overrides`` replacing fields, e.g.
    ``train(max_seconds=50, eval_every=20)``. ``run_dir``: where config, vocabulary, checkpoint
    and log go (None: nothing is written); its checkpoint, if any, is resumed when ``resume``
    (same config required). ``sentences``: a corpus given directly (strings or token lists)
    instead of ``config.corpus``, split deterministically (every 20th sentence held out).
    Ctrl-C saves a checkpoint and stops (``interrupted=True``). Under ``torchrun``, DDP and a
    process group that lives as long as this call (:func:`~elmo_mini.train_setup.training_process`).
    """
    config = TrainConfig(**{**asdict(config or TrainConfig()), **overrides})
    run_dir = Path(run_dir) if run_dir is not None else None
    # ---- set-up: threads, device, process group; data, model, Adam (resumed if checkpointed)
    with training_process(config) as process:
        run = set_up(config, run_dir, sentences, resume, process)
        model, optimizer, progress, device = run.model, run.optimizer, run.progress, process.device
        log = RunLog(run_dir / LOG if run_dir is not None and process.rank == 0 else None,
                     show_progress=config.progress and process.rank == 0)
        log.record("resume" if run.resumed else "start", **_start_record(run, process))
        next_rng = torch.get_rng_state()  # what the next step's dropout draws from; checkpointed
        window, last_save, interrupted = LossWindow(), time.monotonic(), False
        try:
            model.train()
            while progress.epoch < config.epochs and not progress.budget_spent(config):
                batches = _epoch_batches(run, config, process)
                log.start_epoch(progress.epoch, config.epochs, len(batches), progress.batch)
                while progress.batch < len(batches) and not progress.budget_spent(config):
                    # ---- the step: one batch forward and backward, one Adam update
                    start = time.perf_counter()
                    char_ids, word_ids = run.train_data.batch(batches[progress.batch])
                    loss = run.training_loss(char_ids.to(device), word_ids.to(device))  # ()
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    for group in optimizer.param_groups:
                        group["lr"] = learning_rate(config, progress.step)
                    if config.clip:
                        nn.utils.clip_grad_norm_(model.parameters(), config.clip)
                    optimizer.step()
                    n_tokens = int((word_ids > 0).sum()) - word_ids.shape[0]  # words + </S>
                    seconds = time.perf_counter() - start
                    progress.count_step(n_tokens, seconds)
                    next_rng = torch.get_rng_state()  # the step is done and counted
                    # ---- logging: the bar every step, a "train" record every log_every steps
                    window.add(loss.item(), n_tokens, seconds)
                    log.step(loss.item())
                    if progress.step % config.log_every == 0 or progress.step <= 3:
                        log.record("train", **_train_record(config, progress, window,
                                                            loss.item(), process.world))
                        window = LossWindow()
                    # ---- evaluation: every eval_every steps (and at each epoch's end, below)
                    if config.eval_every and progress.step % config.eval_every == 0:
                        _validate(run, process, log)
                    # ---- checkpoint: every checkpoint_every seconds (and at the end)
                    if time.monotonic() - last_save > config.checkpoint_every:
                        _save(run, process, next_rng)
                        last_save = time.monotonic()
                log.end_epoch()
                if progress.batch >= len(batches):  # the epoch is complete, not just the budget
                    progress.epoch, progress.batch = progress.epoch + 1, 0
                    if not (config.eval_every and progress.step % config.eval_every == 0):
                        _validate(run, process, log)
            # ---- the end: a validation of the final weights unless just done, a checkpoint
            if log.last_event() != "valid":
                _validate(run, process, log)
            _save(run, process, next_rng)
            log.record("done", **_position(progress))
        except KeyboardInterrupt:  # a step cut short is redone after resuming, with its RNG state
            interrupted = True
            log.end_epoch()
            _save(run, process, next_rng)
            log.record("interrupted", **_position(progress))
            print(f"interrupted at step {progress.step}; checkpoint saved"
                  + (f" in {run_dir}" if run_dir else ""))
        finally:
            log.close()
    model.eval()
    return TrainResult(log.history, model, run.vocab, run_dir, interrupted, process.rank)


# ---- the loop's helpers ---------------------------------------------------------------------
def learning_rate(config: TrainConfig, step: int) -> float:
    """The step size at optimiser step ``step`` (0-based): constant, or linear decay."""
    if not config.lr_decay_steps:
        return config.lr
    fraction = min(step / config.lr_decay_steps, 1.0)
    return config.lr * (1 - fraction * (1 - config.lr_final))


def _epoch_batches(run: Run, config: TrainConfig, process: Process) -> List[List[int]]:
    """This process's batches of the current epoch (under torchrun: every world-th one)."""
    batches = plan_batches(run.train_data.lengths, config.batch_tokens, config.seed,
                           run.progress.epoch)
    batches = batches[: len(batches) - len(batches) % process.world]  # the same count for all
    return batches[process.rank :: process.world]


def _validate(run: Run, process: Process, log: RunLog) -> None:
    """Held-out perplexities of both directions at the current step (every process helps)."""
    result = evaluate_encoded(run.model, run.valid_data, device=process.device,
                              rank=process.rank, world=process.world)
    log.validation(run.progress.step, run.progress.epoch, run.progress.elapsed, result)


def _save(run: Run, process: Process, rng_state: torch.Tensor) -> None:
    """Weights, Adam, progress and ``rng_state`` in one atomic checkpoint (rank 0, if run_dir)."""
    if run.checkpoint is not None and process.rank == 0:
        save_checkpoint(run.checkpoint, run.model, run.optimizer, asdict(run.progress),
                        run.identity, rng_state)


def _position(progress: Progress) -> Dict[str, Any]:
    """Where the run is: the fields of the ``done`` and ``interrupted`` records."""
    return {"step": progress.step, "epoch": progress.epoch, "elapsed": round(progress.elapsed, 2)}


def _start_record(run: Run, process: Process) -> Dict[str, Any]:
    """The first record of a run or of a resumed run: data, model and machine."""
    return {"step": run.progress.step, "train_tokens": run.train_data.n_tokens,
            "valid_tokens": run.valid_data.n_tokens, "vocab": len(run.vocab),
            "parameters": sum(p.numel() for p in run.model.parameters()),
            "device": str(process.device), "world_size": process.world,
            "threads": torch.get_num_threads(), "heap_kept": process.heap_kept}


def _train_record(
    config: TrainConfig, progress: Progress, window: LossWindow, last_loss: float, world: int
) -> Dict[str, Any]:
    """A ``train`` record: the mean loss since the last one, speed, tokens seen."""
    mean = window.mean_loss()
    return {"step": progress.step, "epoch": progress.epoch, "loss": mean, "ppl": math.exp(mean),
            "last_loss": last_loss, "lr": learning_rate(config, progress.step - 1),
            "tokens_per_s": window.tokens_per_second(world), "tokens": progress.tokens * world,
            "elapsed": round(progress.elapsed, 2)}


# ---- evaluation -------------------------------------------------------------------------------
@torch.no_grad()
def evaluate_encoded(
    model: LanguageModel, data: EncodedCorpus, batch_tokens: int = 6000,
    device: Optional[torch.device] = None, rank: int = 0, world: int = 1,
) -> Dict[str, float]:
    """:func:`evaluate` on an already encoded corpus; under torchrun each of the ``world``
    processes scores every world-th batch and the sums are added up across processes."""
    device = device or next(model.parameters()).device
    was_training = model.training
    model.eval()
    sums = torch.zeros(3, dtype=torch.float64)
    for indices in eval_batches(data.lengths, batch_tokens)[rank::world]:
        char_ids, word_ids = data.batch(indices)
        out = model(char_ids.to(device), word_ids.to(device))
        sums += torch.tensor([float(out.forward_nll), float(out.backward_nll), out.n_predictions],
                             dtype=torch.float64)
    if world > 1:
        torch.distributed.all_reduce(sums)
    model.train(was_training)
    forward, backward, n = float(sums[0]), float(sums[1]), int(sums[2])
    return {
        "ppl_forward": perplexity(forward, n),
        "ppl_backward": perplexity(backward, n),
        "ppl_mean": perplexity((forward + backward) / 2, n),
        "predictions": n,
    }


def evaluate(
    model: LanguageModel, sentences: Sequence[Sequence[str]], vocab: Vocabulary,
    batch_tokens: int = 6000, device: Optional[str | torch.device] = None, max_len: int = 100,
) -> Dict[str, float]:
    """Held-out perplexities: forward, backward, and ``ppl_mean`` = exp(mean of both NLLs).

    Every sentence is scored between ``<S>`` and ``</S>`` (n + 1 predictions per direction).
    """
    device = torch.device(device) if device is not None else next(model.parameters()).device
    return evaluate_encoded(model, EncodedCorpus(sentences, vocab, max_len), batch_tokens, device)


# ---- a finished run -------------------------------------------------------------------------------
def load_run(run_dir: str | Path, device: Optional[str] = None) -> tuple[LanguageModel, Vocabulary, TrainConfig]:
    """The model, vocabulary and config of a run directory (weights from its checkpoint)."""
    run_dir = Path(run_dir)
    if not (run_dir / CHECKPOINT).is_file():
        raise FileNotFoundError(f"no checkpoint in {run_dir} (expected {run_dir / CHECKPOINT})")
    config = TrainConfig.load(run_dir / "config.json")
    vocab = Vocabulary.load(run_dir / "vocab.txt")
    model = new_model(config, vocab)
    load_checkpoint(run_dir / CHECKPOINT, model, None, run_identity(config, vocab), restore_rng=False)
    return model.to(resolve_device(device)).eval(), vocab, config
