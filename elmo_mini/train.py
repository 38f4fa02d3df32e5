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
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import torch
from torch import nn

from .batches import EncodedCorpus, eval_batches, plan_batches
from .checkpoint import (
    CHECKPOINT,
    CheckpointError,
    atomic_write_text,
    fingerprint,
    load_checkpoint,
    save_checkpoint,
)
from .config import ElmoConfig
from .heap import keep_freed_memory
from .lm import LanguageModel, perplexity
from .train_config import DEMO_MODEL, MINI_MODEL, RUNTIME_FIELDS, TrainConfig, demo_config
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

    def valid(self) -> List[Dict[str, Any]]:
        """The validation records only."""
        return [r for r in self.history if r["event"] == "valid"]


# ---- evaluation -------------------------------------------------------------------------------
@torch.no_grad()
def evaluate_encoded(
    model: LanguageModel, data: EncodedCorpus, batch_tokens: int = 6000,
    device: Optional[torch.device] = None, rank: int = 0, world: int = 1,
) -> Dict[str, float]:
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


# ---- the run ---------------------------------------------------------------------------------
def _corpus(config: TrainConfig, sentences: Optional[Sequence[Sequence[str]]]):
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


def _resolve_device(name: Optional[str]) -> torch.device:
    if name is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


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


def train(
    config: Optional[TrainConfig] = None,
    run_dir: Optional[str | Path] = None,
    sentences: Optional[Sequence[Sequence[str]]] = None,
    resume: bool = True,
    **overrides: Any,
) -> TrainResult:
    """Train (or resume training) a :class:`~elmo_mini.lm.LanguageModel`.

    Args:
        config: the settings (default :class:`TrainConfig`); ``overrides`` replace fields,
            e.g. ``train(max_seconds=50, eval_every=20)``.
        run_dir: where config, vocabulary, checkpoint and log go (None: nothing is written).
        sentences: a corpus given directly (strings or token lists); it replaces ``config.corpus``
            and is split deterministically (every 20th sentence held out).
        resume: continue from ``run_dir``'s checkpoint if there is one (same config required).

    Ctrl-C (``KeyboardInterrupt``) stops after saving a checkpoint; the result then has
    ``interrupted=True``. Under ``torchrun`` the model is wrapped in DistributedDataParallel.
    On a CPU it first calls :func:`~elmo_mini.heap.keep_freed_memory`, which changes how the
    C allocator keeps freed memory for the rest of the process.
    """
    config = TrainConfig(**{**asdict(config or TrainConfig()), **overrides})
    start_from = _start_from(config)
    if start_from is not None:  # fine-tuning: the starting model's architecture and vocabulary
        config = _with_architecture_of(config, start_from)
    distributed = torch.distributed.is_available() and "RANK" in os.environ and "WORLD_SIZE" in os.environ
    rank, world = 0, 1
    if config.threads:
        torch.set_num_threads(config.threads)
    device = _resolve_device(config.device)
    heap_kept = keep_freed_memory() if device.type == "cpu" else False
    if distributed:
        if not torch.distributed.is_initialized():
            backend = "nccl" if device.type == "cuda" else "gloo"
            torch.distributed.init_process_group(backend)
        rank, world = torch.distributed.get_rank(), torch.distributed.get_world_size()
        if device.type == "cuda":
            device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
            torch.cuda.set_device(device)
    run_dir = Path(run_dir) if run_dir is not None else None
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
    train_data = EncodedCorpus(train_sents, vocab, config.max_len)
    valid_data = EncodedCorpus(
        valid_sents[: config.valid_max_sentences] if config.valid_max_sentences else valid_sents,
        vocab, config.max_len,
    )

    torch.manual_seed(config.seed)
    model = LanguageModel(ElmoConfig(**config.model), len(vocab), config.dropout,
                          config.softmax, config.cutoffs).to(device)
    if start_from is not None and not resuming:
        model.load_state_dict(start_from.lm.state_dict())
    optimizer = torch.optim.Adam(model.parameters(), lr=config.lr)
    identity = fingerprint(json.dumps(config.identity(), sort_keys=True) + "\n".join(vocab.words))
    progress: Dict[str, Any] = {"step": 0, "epoch": 0, "batch": 0, "tokens": 0, "elapsed": 0.0}
    if resuming:
        progress = load_checkpoint(checkpoint, model, optimizer, identity)
        if rank == 0:
            _trim_log(run_dir / "log.jsonl", progress["step"])
    elif run_dir is not None and rank == 0:
        run_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(run_dir / "config.json", config.to_json())
        vocab.save(run_dir / "vocab.txt")
        (run_dir / "log.jsonl").unlink(missing_ok=True)
    if distributed:
        torch.distributed.barrier()

    wrapped: nn.Module = model
    if distributed:
        wrapped = nn.parallel.DistributedDataParallel(
            _LossOnly(model), find_unused_parameters=True
        )

    history: List[Dict[str, Any]] = []
    log_file = open(run_dir / "log.jsonl", "a", encoding="utf-8") if run_dir and rank == 0 else None

    def log(record: Dict[str, Any]) -> None:
        record = {"event": record.pop("event"), **record}
        history.append(record)
        if log_file is not None:
            log_file.write(json.dumps(record) + "\n")
            log_file.flush()

    rng_at_step_start = torch.get_rng_state()

    def save() -> None:
        if checkpoint is not None and rank == 0:
            save_checkpoint(checkpoint, model, optimizer, progress, identity, rng_at_step_start)

    def validate() -> None:
        result = evaluate_encoded(model, valid_data, device=device, rank=rank, world=world)
        log({"event": "valid", "step": progress["step"], "epoch": progress["epoch"],
             "elapsed": round(progress["elapsed"], 2), **result})
        if bar is not None:
            bar.write(f"step {progress['step']}: valid ppl forward {result['ppl_forward']:.1f}, "
                      f"backward {result['ppl_backward']:.1f}, mean {result['ppl_mean']:.1f}")

    log({"event": "resume" if resuming else "start", "step": progress["step"],
         "train_tokens": train_data.n_tokens, "valid_tokens": valid_data.n_tokens,
         "vocab": len(vocab), "parameters": sum(p.numel() for p in model.parameters()),
         "device": str(device), "world_size": world, "threads": torch.get_num_threads(),
         "heap_kept": heap_kept})

    def out_of_budget() -> bool:
        return (
            (config.max_steps is not None and progress["step"] >= config.max_steps)
            or (config.max_seconds is not None and progress["elapsed"] >= config.max_seconds)
        )

    bar = None
    interrupted = False
    last_save = time.monotonic()
    window = {"loss": 0.0, "tokens": 0, "time": 0.0, "steps": 0}
    try:
        model.train()
        while progress["epoch"] < config.epochs and not out_of_budget():
            batches = plan_batches(train_data.lengths, config.batch_tokens, config.seed,
                                   progress["epoch"])
            batches = batches[: len(batches) - len(batches) % world][rank::world]
            if config.progress and rank == 0:
                from tqdm.auto import tqdm

                bar = tqdm(total=len(batches), initial=progress["batch"], unit="batch",
                           desc=f"epoch {progress['epoch'] + 1}/{config.epochs}", leave=True)
            while progress["batch"] < len(batches) and not out_of_budget():
                start = time.perf_counter()
                rng_at_step_start = torch.get_rng_state()
                char_ids, word_ids = train_data.batch(batches[progress["batch"]])
                char_ids, word_ids = char_ids.to(device), word_ids.to(device)
                loss = wrapped(char_ids, word_ids)
                loss = loss[0] if isinstance(loss, tuple) else loss.loss
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                for group in optimizer.param_groups:
                    group["lr"] = learning_rate(config, progress["step"])
                if config.clip:
                    nn.utils.clip_grad_norm_(model.parameters(), config.clip)
                optimizer.step()
                progress["step"] += 1
                progress["batch"] += 1
                rng_at_step_start = torch.get_rng_state()
                n_tokens = int((word_ids > 0).sum()) - word_ids.shape[0]  # words + </S>
                elapsed = time.perf_counter() - start
                progress["tokens"] += n_tokens
                progress["elapsed"] += elapsed
                window["loss"] += loss.item()
                window["tokens"] += n_tokens
                window["time"] += elapsed
                window["steps"] += 1
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{loss.item():.3f}", ppl=f"{math.exp(loss.item()):.0f}")
                if progress["step"] % config.log_every == 0 or progress["step"] <= 3:
                    mean = window["loss"] / window["steps"]
                    log({"event": "train", "step": progress["step"], "epoch": progress["epoch"],
                         "loss": mean, "ppl": math.exp(mean), "last_loss": loss.item(),
                         "lr": learning_rate(config, progress["step"] - 1),
                         "tokens_per_s": window["tokens"] * world / max(window["time"], 1e-9),
                         "tokens": progress["tokens"] * world,
                         "elapsed": round(progress["elapsed"], 2)})
                    window = {"loss": 0.0, "tokens": 0, "time": 0.0, "steps": 0}
                if config.eval_every and progress["step"] % config.eval_every == 0:
                    validate()
                if time.monotonic() - last_save > config.checkpoint_every:
                    save()
                    last_save = time.monotonic()
            if progress["batch"] >= len(batches):
                progress["epoch"] += 1
                progress["batch"] = 0
                if bar is not None:
                    bar.close()
                    bar = None
                if not (config.eval_every and progress["step"] % config.eval_every == 0):
                    validate()
            if bar is not None:
                bar.close()
                bar = None
        if not history or history[-1]["event"] != "valid":
            validate()
        save()
        log({"event": "done", "step": progress["step"], "epoch": progress["epoch"],
             "elapsed": round(progress["elapsed"], 2)})
    except KeyboardInterrupt:
        interrupted = True
        if bar is not None:
            bar.close()
        save()
        log({"event": "interrupted", "step": progress["step"], "epoch": progress["epoch"],
             "elapsed": round(progress["elapsed"], 2)})
        print(f"interrupted at step {progress['step']}; checkpoint saved"
              + (f" in {run_dir}" if run_dir else ""))
    finally:
        if log_file is not None:
            log_file.close()
    model.eval()
    return TrainResult(history, model, vocab, run_dir, interrupted)


def _trim_log(path: Path, step: int) -> None:
    """Drop log records of steps after ``step`` (a killed run redoes them after resuming)."""
    if not path.is_file():
        return
    kept = [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and json.loads(line).get("step", 0) <= step]
    atomic_write_text(path, "".join(line + "\n" for line in kept))


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


def learning_rate(config: TrainConfig, step: int) -> float:
    """The step size at optimiser step ``step`` (0-based): constant, or linear decay."""
    if not config.lr_decay_steps:
        return config.lr
    fraction = min(step / config.lr_decay_steps, 1.0)
    return config.lr * (1 - fraction * (1 - config.lr_final))


class _LossOnly(nn.Module):
    """Wraps the model for DistributedDataParallel: returns plain tensors, not a dataclass."""

    def __init__(self, model: LanguageModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, char_ids: torch.Tensor, word_ids: torch.Tensor):
        out = self.model(char_ids, word_ids)
        return out.loss, out.forward_nll, out.backward_nll


def load_run(run_dir: str | Path, device: Optional[str] = None) -> tuple[LanguageModel, Vocabulary, TrainConfig]:
    """The model, vocabulary and config of a run directory (weights from its checkpoint)."""
    run_dir = Path(run_dir)
    if not (run_dir / CHECKPOINT).is_file():
        raise FileNotFoundError(f"no checkpoint in {run_dir} (expected {run_dir / CHECKPOINT})")
    config = TrainConfig.load(run_dir / "config.json")
    vocab = Vocabulary.load(run_dir / "vocab.txt")
    model = LanguageModel(ElmoConfig(**config.model), len(vocab), config.dropout,
                          config.softmax, config.cutoffs)
    identity = fingerprint(json.dumps(config.identity(), sort_keys=True) + "\n".join(vocab.words))
    load_checkpoint(run_dir / CHECKPOINT, model, None, identity, restore_rng=False)
    return model.to(_resolve_device(device)).eval(), vocab, config
