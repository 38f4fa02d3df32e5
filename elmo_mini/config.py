"""The architecture of an ELMo model, with the same knobs as the original ``options.json``.

Chapters 3 and 5 explain each field. ``ElmoConfig.from_options`` reads the original file's
layout and ``to_options`` writes it back, so a config round-trips through ``options.json``.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, List

#: The published "small" ELMo (2x1024_128_2048cnn_1xhighway), 13.6M parameters without softmax.
SMALL_FILTERS = [[1, 32], [2, 32], [3, 64], [4, 128], [5, 256], [6, 512], [7, 1024]]


def read_json(path: str | Path, what: str) -> Any:
    """The JSON in ``path``; a missing or unreadable file raises an error that names it."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what} not found: {path}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{what} {path} is not valid JSON: {err}") from None


@dataclass
class ElmoConfig:
    """Every size in an ELMo biLM.

    Args:
        char_dim: size of a character embedding (original models: 16).
        filters: ``[width, n_filters]`` for each convolution; their sum is the CNN output size F.
        n_highway: number of highway layers after the CNN.
        activation: ``"relu"`` or ``"tanh"``, applied to the max-pooled CNN output.
        n_characters: rows of the character table, padding row included (262).
        max_chars: characters per token, markers and padding included (50).
        lstm_dim: LSTM cell size C.
        projection_dim: P, the size of every token vector and every projected LSTM output.
        n_layers: LSTM layers per direction.
        cell_clip: the memory cell is clipped to ``[-cell_clip, cell_clip]``.
        proj_clip: the projected output is clipped to ``[-proj_clip, proj_clip]``.
        use_skip_connections: add each layer's input to its output (all layers but the first).
    """

    char_dim: int = 16
    filters: List[List[int]] = field(default_factory=lambda: [list(f) for f in SMALL_FILTERS])
    n_highway: int = 1
    activation: str = "relu"
    n_characters: int = 262
    max_chars: int = 50
    lstm_dim: int = 1024
    projection_dim: int = 128
    n_layers: int = 2
    cell_clip: float = 3.0
    proj_clip: float = 3.0
    use_skip_connections: bool = True

    def __post_init__(self) -> None:
        self.filters = [[int(w), int(n)] for w, n in self.filters]
        if self.activation not in ("relu", "tanh"):
            raise ValueError(f"activation must be 'relu' or 'tanh', got {self.activation!r}")
        for width, n in self.filters:
            if not 1 <= width <= self.max_chars or n < 1:
                raise ValueError(
                    f"filter [{width}, {n}] is invalid: widths go from 1 to max_chars="
                    f"{self.max_chars} and every width needs at least one filter"
                )

    @property
    def n_filters(self) -> int:
        """F: the size of the concatenated, max-pooled CNN output."""
        return sum(n for _, n in self.filters)

    @property
    def output_dim(self) -> int:
        """Size of one ELMo layer: forward and backward halves, 2P."""
        return 2 * self.projection_dim

    # ---- the original options.json layout -------------------------------------------------
    @classmethod
    def from_options(cls, options: dict[str, Any]) -> "ElmoConfig":
        """Read the original nested ``options.json`` dictionary (training-only keys ignored)."""
        try:
            cnn, lstm = options["char_cnn"], options["lstm"]
            return cls(
                char_dim=cnn["embedding"]["dim"],
                filters=cnn["filters"],
                n_highway=cnn["n_highway"],
                activation=cnn.get("activation", "relu"),
                n_characters=cnn.get("n_characters", 262),
                max_chars=cnn.get("max_characters_per_token", 50),
                lstm_dim=lstm["dim"],
                projection_dim=lstm["projection_dim"],
                n_layers=lstm["n_layers"],
                cell_clip=lstm.get("cell_clip", 3.0),
                proj_clip=lstm.get("proj_clip", 3.0),
                use_skip_connections=lstm.get("use_skip_connections", False),
            )
        except KeyError as err:
            raise ValueError(
                f"options.json is missing the key {err}; expected the original layout with "
                "'char_cnn' (embedding.dim, filters, n_highway) and 'lstm' (dim, projection_dim, n_layers)"
            ) from None

    def to_options(self) -> dict[str, Any]:
        """The original nested ``options.json`` dictionary."""
        return {
            "lstm": {
                "cell_clip": self.cell_clip,
                "use_skip_connections": self.use_skip_connections,
                "n_layers": self.n_layers,
                "proj_clip": self.proj_clip,
                "projection_dim": self.projection_dim,
                "dim": self.lstm_dim,
            },
            "char_cnn": {
                "embedding": {"dim": self.char_dim},
                "filters": self.filters,
                "n_highway": self.n_highway,
                "n_characters": self.n_characters,
                "max_characters_per_token": self.max_chars,
                "activation": self.activation,
            },
        }

    @classmethod
    def load(cls, path: str | Path) -> "ElmoConfig":
        """Read an ``options.json`` file."""
        return cls.from_options(read_json(path, "options file"))

    def to_dict(self) -> dict[str, Any]:
        """A flat dictionary (the form our own checkpoints store)."""
        return asdict(self)
