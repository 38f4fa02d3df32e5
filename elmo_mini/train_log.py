"""What a training run reports: its ``log.jsonl``, the records :func:`~elmo_mini.train.train`
returns, the progress bar, and the running mean of the training loss between two reports.

The log has one JSON object per line, each with an ``event`` first (see :mod:`elmo_mini.train`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from .checkpoint import atomic_write_text

LOG = "log.jsonl"


class RunLog:
    """The run's records (``history``), its ``log.jsonl`` and its progress bar, in one place.

    Args:
        path: the log file, appended to (None: records are kept in ``history`` only; under
            ``torchrun`` only rank 0 writes the file).
        show_progress: a tqdm progress bar per epoch, and a line per validation.
    """

    def __init__(self, path: Optional[Path], show_progress: bool) -> None:
        self.history: List[Dict[str, Any]] = []
        self.show_progress = show_progress
        self._file = open(path, "a", encoding="utf-8") if path is not None else None
        self._bar = None

    def record(self, event: str, **fields: Any) -> None:
        """Keep ``{"event": event, **fields}`` in ``history`` and write it to the log file."""
        record = {"event": event, **fields}
        self.history.append(record)
        if self._file is not None:
            self._file.write(json.dumps(record) + "\n")
            self._file.flush()

    def validation(self, step: int, epoch: int, elapsed: float, result: Dict[str, float]) -> None:
        """Record a validation and, with progress shown, print its perplexities."""
        self.record("valid", step=step, epoch=epoch, elapsed=round(elapsed, 2), **result)
        if self.show_progress:
            from tqdm.auto import tqdm

            tqdm.write(f"step {step}: valid ppl forward {result['ppl_forward']:.1f}, "
                       f"backward {result['ppl_backward']:.1f}, mean {result['ppl_mean']:.1f}")

    def last_event(self) -> Optional[str]:
        return self.history[-1]["event"] if self.history else None

    # ---- the progress bar -----------------------------------------------------------------
    def start_epoch(self, epoch: int, epochs: int, n_batches: int, done: int) -> None:
        """A bar for epoch ``epoch`` (0-based) of ``n_batches`` batches, ``done`` of them done."""
        self.end_epoch()
        if self.show_progress:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=n_batches, initial=done, unit="batch",
                             desc=f"epoch {epoch + 1}/{epochs}", leave=True)

    def step(self, loss: float) -> None:
        """Advance the bar by one batch and show the batch's loss and perplexity."""
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix(loss=f"{loss:.3f}", ppl=f"{math.exp(loss):.0f}")

    def end_epoch(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def close(self) -> None:
        self.end_epoch()
        if self._file is not None:
            self._file.close()
            self._file = None


@dataclass
class LossWindow:
    """Sums over the steps since the last ``train`` record: its loss is their mean."""

    loss: float = 0.0
    tokens: int = 0
    seconds: float = 0.0
    steps: int = 0

    def add(self, loss: float, tokens: int, seconds: float) -> None:
        self.loss += loss
        self.tokens += tokens
        self.seconds += seconds
        self.steps += 1

    def mean_loss(self) -> float:
        return self.loss / self.steps

    def tokens_per_second(self, world: int) -> float:
        """Training speed of all ``world`` processes together (each sees as many tokens)."""
        return self.tokens * world / max(self.seconds, 1e-9)


def trim_log(path: Path, step: int) -> None:
    """Drop log records of steps after ``step`` (a killed run redoes them after resuming)."""
    if not path.is_file():
        return
    kept = [line for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and json.loads(line).get("step", 0) <= step]
    atomic_write_text(path, "".join(line + "\n" for line in kept))
