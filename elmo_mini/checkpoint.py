"""Checkpoints that lose nothing and never load silently wrong (chapter 6).

A run directory holds:

    config.json               the training configuration (model sizes, data, optimiser, seed)
    vocab.txt                 the softmax vocabulary, one word per line
    checkpoint.safetensors    weights + optimiser state + RNG state + progress (step, epoch, ...)
    log.jsonl                 one JSON record per logged event (see :mod:`elmo_mini.train`)

Every file is written to a temporary file in the same directory and then renamed over the old
one (``os.replace`` is atomic), so a run killed at any moment leaves the previous checkpoint
intact. Weights are stored with ``safetensors`` (no pickle: loading runs no code).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

FORMAT = "elmo_mini-checkpoint-v1"
CHECKPOINT = "checkpoint.safetensors"


class CheckpointError(ValueError):
    """A checkpoint that cannot be used: truncated, foreign, or from another configuration."""


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a checkpoint is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def save_tensors_atomic(
    tensors: Dict[str, torch.Tensor], path: str | Path, metadata: Dict[str, str]
) -> None:
    """``safetensors`` file written to a temporary name, then renamed into place."""
    tensors = {k: v.detach().contiguous().cpu() for k, v in tensors.items()}
    atomic_write_bytes(path, save(tensors, metadata=metadata))


def load_tensors(path: str | Path) -> Tuple[Dict[str, torch.Tensor], Dict[str, str]]:
    """Tensors and metadata of a safetensors file; a clear error if it is damaged."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint not found: {path}")
    try:
        tensors = load_file(path)
        from safetensors import safe_open

        with safe_open(path, framework="pt") as f:
            metadata = f.metadata() or {}
    except (SafetensorError, OSError, ValueError) as err:
        raise CheckpointError(
            f"{path} is not a readable safetensors file (truncated or corrupt?): {err}"
        ) from None
    return tensors, metadata


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# ---- optimiser state <-> flat tensors --------------------------------------------------------
def optimizer_to_tensors(optimizer: torch.optim.Optimizer) -> Tuple[Dict[str, torch.Tensor], str]:
    """Flatten ``optimizer.state_dict()``: tensors under ``optim/<param>/<name>``, rest as JSON."""
    state = optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, entries in state["state"].items():
        for name, value in entries.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optim/{index}/{name}"] = value
            else:
                scalars[f"{index}/{name}"] = value
    return tensors, json.dumps({"param_groups": state["param_groups"], "scalars": scalars})


def optimizer_from_tensors(
    optimizer: torch.optim.Optimizer, tensors: Dict[str, torch.Tensor], meta: str
) -> None:
    info = json.loads(meta)
    state: Dict[int, Dict[str, Any]] = {}
    for key, value in tensors.items():
        if key.startswith("optim/"):
            _, index, name = key.split("/", 2)
            state.setdefault(int(index), {})[name] = value
    for key, value in info["scalars"].items():
        index, name = key.split("/", 1)
        state.setdefault(int(index), {})[name] = value
    optimizer.load_state_dict({"state": state, "param_groups": info["param_groups"]})


# ---- the training checkpoint -----------------------------------------------------------------
def save_checkpoint(
    path: str | Path,
    model: torch.nn.Module,
    optimizer: Optional[torch.optim.Optimizer],
    progress: Dict[str, Any],
    config_fingerprint: str,
    rng_state: Optional[torch.Tensor] = None,
) -> None:
    """Weights, optimiser, RNG state and ``progress`` (step, epoch, ...) in one atomic file.

    ``rng_state`` (default: the current CPU generator state) is what dropout will draw from
    after a resume; pass the state saved at the start of an interrupted step.
    """
    tensors = {f"model/{k}": v for k, v in model.state_dict().items()}
    metadata = {
        "format": FORMAT,
        "config": config_fingerprint,
        "progress": json.dumps(progress),
    }
    if optimizer is not None:
        optim_tensors, optim_meta = optimizer_to_tensors(optimizer)
        tensors.update(optim_tensors)
        metadata["optimizer"] = optim_meta
    tensors["rng/torch"] = rng_state if rng_state is not None else torch.get_rng_state()
    if torch.cuda.is_available():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            tensors[f"rng/cuda{i}"] = s
    save_tensors_atomic(tensors, path, metadata)


def load_checkpoint(
    path: str | Path,
    model: torch.nn.Module,
    optimizer: Optional[torch.optim.Optimizer],
    config_fingerprint: Optional[str],
    restore_rng: bool = True,
) -> Dict[str, Any]:
    """Fill ``model`` (and ``optimizer``) from ``path``; return the saved progress.

    Raises:
        CheckpointError: the file is damaged, is not an elmo_mini training checkpoint, was made
            with a different configuration, or its tensors do not match the model.
    """
    tensors, metadata = load_tensors(path)
    if metadata.get("format") != FORMAT:
        raise CheckpointError(
            f"{path} is not an elmo_mini training checkpoint (format "
            f"{metadata.get('format')!r}, expected {FORMAT!r})"
        )
    if config_fingerprint is not None and metadata.get("config") != config_fingerprint:
        raise CheckpointError(
            f"{path} was written with a different training configuration; resume with the "
            "config.json of that run, or start a new run in another directory"
        )
    weights = {k[len("model/"):]: v for k, v in tensors.items() if k.startswith("model/")}
    expected = model.state_dict()
    missing = sorted(set(expected) - set(weights))
    unexpected = sorted(set(weights) - set(expected))
    wrong = [k for k in expected if k in weights and weights[k].shape != expected[k].shape]
    if missing or unexpected or wrong:
        raise CheckpointError(
            f"{path} does not fit the model: missing {missing[:3]}, unexpected {unexpected[:3]}, "
            f"wrong shape {wrong[:3]}"
        )
    model.load_state_dict(weights)
    if optimizer is not None:
        if "optimizer" not in metadata:
            raise CheckpointError(f"{path} holds no optimiser state, so training cannot resume")
        optimizer_from_tensors(optimizer, tensors, metadata["optimizer"])
    if restore_rng:
        torch.set_rng_state(tensors["rng/torch"])
        if torch.cuda.is_available():
            states = [tensors[k] for k in sorted(tensors) if k.startswith("rng/cuda")]
            if len(states) == torch.cuda.device_count():
                torch.cuda.set_rng_state_all(states)
    return json.loads(metadata["progress"])
