"""Vectors computed once per model and kept in a file: the one cache policy of chapters 9, 10, 12.

:func:`~elmo_mini.neighbours.cached_occurrence_vectors` (chapter 9) and
:func:`~elmo_mini.probes.embed_targets` (chapter 10) both embed many sentences and keep one
word's vectors from each; chapter 12's :mod:`~elmo_mini.task_data` keeps whole sentences'
layers and a word2vec table (through :func:`cache_path` and :func:`save_atomic`). All cache the
same way:

* **The key is what the vectors depend on**: the model's weights (:func:`model_fingerprint`,
  a hash of every weight) and the list of (sentence, word position) pairs (:func:`targets_key`).
  A retrained model or a changed list never reads a stale file, and two copies of the same
  weights share one.
* **Files**: ``<cache dir>/<kind>/<model fingerprint>-<targets key>.npy``, the cache directory
  being ``$ELMO_MINI_CACHE`` or ``~/.cache/elmo_mini`` (:func:`default_cache_dir`). Old files
  are never deleted (remove the folder by hand).
* **Atomic writes**: a file is written under a temporary name and renamed into place
  (:func:`~elmo_mini.checkpoint.atomic_write_bytes`), so a half-written file is never read.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence, Tuple

import numpy as np
import torch

from .checkpoint import atomic_write_bytes


def model_fingerprint(model: torch.nn.Module) -> str:
    """A short hash of a model's weights: two models share it only if every weight is equal."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        digest.update(name.encode())
        digest.update(tensor.detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


def targets_key(targets: Iterable[Tuple[Sequence[str], int]]) -> str:
    """A short hash of (tokens, position) pairs, in order."""
    key = hashlib.sha256()
    for tokens, position in targets:
        key.update(("\x1f".join(tokens) + f"\x1e{position}\x1d").encode())
    return key.hexdigest()[:16]


def default_cache_dir() -> Path:
    """``$ELMO_MINI_CACHE`` if set, else ``~/.cache/elmo_mini``."""
    return Path(os.environ.get("ELMO_MINI_CACHE", Path.home() / ".cache" / "elmo_mini"))


def cache_path(kind: str, name: str, cache_dir: Optional[str | Path] = None) -> Path:
    """Where the cache keeps the file ``name`` of ``kind``: ``<cache dir>/<kind>/<name>``."""
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    return folder / kind / name


def save_atomic(path: Path, save: Callable[[io.BytesIO], None]) -> None:
    """Write what ``save`` puts in a buffer (``np.save``, ``np.savez``) to ``path`` atomically,
    making its folder if needed: a half-written file is never read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    save(buffer)
    atomic_write_bytes(path, buffer.getvalue())


def cached_vectors(
    kind: str,
    model: torch.nn.Module,
    targets: Sequence[Tuple[Sequence[str], int]],
    compute: Callable[[], np.ndarray],
    cache_dir: Optional[str | Path] = None,
) -> np.ndarray:
    """``compute()``, or the file a previous call with the same weights and targets wrote.

    Args:
        kind: the cache's sub-folder, e.g. ``"neighbours"``.
        model: the model whose weights the vectors depend on.
        targets: the (tokens, position) pairs the vectors are for.
        compute: makes the vectors when there is no file yet.
        cache_dir: default :func:`default_cache_dir`.
    """
    path = cache_path(kind, f"{model_fingerprint(model)}-{targets_key(targets)}.npy", cache_dir)
    if path.is_file():
        return np.load(path)
    vectors = compute()
    save_atomic(path, lambda buffer: np.save(buffer, vectors))
    return vectors
