"""Sentences in, ELMo layers out: the one class most chapters use.

    emb = Embedder.from_original("options.json", "weights.hdf5")
    v = emb.embed_sentence(["The", "bank", "."])   # numpy (n_layers + 1, 3, 2P)

Stateless (the default): every sentence starts from zero LSTM states, so the same sentence
always gets the same vectors. Stateful (``stateful=True``), like the original: the final LSTM
state of batch row i becomes the initial state of row i in the next call, so vectors depend on
what was embedded before. That reproduces the original's numbers but surprises most users.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Sequence

import numpy as np
import torch

from .bilm import BiLM, BiLMState
from .chars import batch_to_ids, check_sentences


def default_device() -> torch.device:
    """CUDA when there is a GPU (Colab), else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


class Embedder:
    """Embeds tokenised sentences with a :class:`~elmo_mini.bilm.BiLM`.

    Args:
        model: the biLM (weights loaded).
        stateful: carry LSTM states from one call to the next, as the original does.
        device: where to run (default: CUDA if available, else CPU).
    """

    def __init__(
        self,
        model: BiLM,
        stateful: bool = False,
        device: Optional[str | torch.device] = None,
    ) -> None:
        self.device = torch.device(device) if device is not None else default_device()
        self.model = model.to(self.device).eval()
        self.stateful = stateful
        self._state: Optional[BiLMState] = None  # per batch row, kept across calls

    @property
    def config(self):
        return self.model.config

    @property
    def n_layers(self) -> int:
        """Number of ELMo layers: LSTM layers + 1 (the token layer)."""
        return self.model.config.n_layers + 1

    @property
    def dim(self) -> int:
        """Size of one layer's vector, 2P."""
        return self.model.config.output_dim

    # ---- constructors ----------------------------------------------------------------------
    @classmethod
    def from_original(
        cls,
        options_file: str | Path,
        weights_file: str | Path,
        stateful: bool = False,
        device: Optional[str | torch.device] = None,
    ) -> "Embedder":
        """Load an original ELMo model (``options.json`` + ``weights.hdf5``)."""
        from .original import load_original

        return cls(load_original(options_file, weights_file), stateful=stateful, device=device)

    @classmethod
    def pretrained(
        cls, stateful: bool = False, device: Optional[str | torch.device] = None
    ) -> "Embedder":
        """The mini ELMo shipped with the package (trained on the State of the Union corpus)."""
        from .pretrained import load_pretrained

        return cls(load_pretrained().bilm, stateful=stateful, device=device)

    # ---- embedding -------------------------------------------------------------------------
    def reset_state(self) -> None:
        """Forget the carried LSTM states (stateful mode starts again from zeros)."""
        self._state = None

    @torch.no_grad()
    def embed_batch(self, sentences: Sequence[Sequence[str]]) -> tuple[torch.Tensor, torch.Tensor]:
        """One forward pass: layers (n_layers + 1, B, T, 2P) and mask (B, T), as tensors."""
        check_sentences(sentences)
        char_ids = batch_to_ids(sentences).to(self.device)  # (B, T, 50)
        state = self._rows_of_state(len(sentences)) if self.stateful else None
        output = self.model(char_ids, state)
        if self.stateful:
            self._keep_state(output.state)
        return output.without_boundaries()

    def embed_sentence(self, tokens: Sequence[str]) -> np.ndarray:
        """numpy float32 (n_layers + 1, len(tokens), 2P) for one tokenised sentence."""
        return self.embed_sentences([tokens], batch_size=1)[0]

    def embed_sentences(
        self,
        sentences: Sequence[Sequence[str]],
        batch_size: int = 64,
        progress: bool = False,
    ) -> List[np.ndarray]:
        """One array (n_layers + 1, len(sentence), 2P) per sentence, in input order.

        Stateless: sentences are grouped by length (less padding, same vectors). Stateful: the
        consecutive chunks of ``batch_size`` sentences are run in order, row i of a chunk
        starting from the final state of row i of the previous chunk, as the original does.
        """
        check_sentences(sentences)
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        order = list(range(len(sentences)))
        if not self.stateful:
            order.sort(key=lambda i: len(sentences[i]))
        results: List[Optional[np.ndarray]] = [None] * len(sentences)
        starts = range(0, len(order), batch_size)
        if progress:
            from tqdm.auto import tqdm

            starts = tqdm(starts, desc="embedding", unit="batch")
        for start in starts:
            chunk = order[start : start + batch_size]
            layers, _ = self.embed_batch([sentences[i] for i in chunk])
            layers = layers.float().cpu().numpy()  # (L+1, B, T, 2P)
            for row, i in enumerate(chunk):
                results[i] = np.ascontiguousarray(layers[:, row, : len(sentences[i])])
        return results  # type: ignore[return-value]

    # ---- stateful bookkeeping --------------------------------------------------------------
    def _rows_of_state(self, batch: int) -> Optional[BiLMState]:
        """The carried states of the first ``batch`` rows (zeros for rows never seen)."""
        if self._state is None:
            return None
        rows: BiLMState = {}
        for direction, layers in self._state.items():
            rows[direction] = []
            for h, c in layers:
                missing = batch - h.shape[0]
                if missing > 0:
                    h = torch.cat([h, h.new_zeros(missing, h.shape[1])])
                    c = torch.cat([c, c.new_zeros(missing, c.shape[1])])
                rows[direction].append((h[:batch], c[:batch]))
        return rows

    def _keep_state(self, new: BiLMState) -> None:
        """Store the final states; rows not in this batch keep their old state."""
        if self._state is None:
            self._state = new
            return
        for direction, layers in new.items():
            kept = []
            for (h_old, c_old), (h, c) in zip(self._state[direction], layers):
                n = h.shape[0]
                if h_old.shape[0] > n:
                    h = torch.cat([h, h_old[n:]])
                    c = torch.cat([c, c_old[n:]])
                kept.append((h, c))
            self._state[direction] = kept
