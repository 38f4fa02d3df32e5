"""The mini ELMo shipped with the package (chapters 8 and 9 use it; chapter 6 trains it).

Files in this directory (written by :func:`export_model`, read by :func:`load_pretrained`):

    model.safetensors   the LanguageModel's weights (biLM + softmax), stored in float16
    config.json         architecture, softmax and training settings
    vocab.txt           the softmax vocabulary, one word per line
    MODEL_CARD.md       what it was trained on, how, and how well it does

    from elmo_mini.pretrained import load_pretrained
    mini = load_pretrained()      # offline, about a second
    mini.bilm                     # a BiLM in eval mode, float32: what Embedder.pretrained() uses
    mini.lm, mini.vocab           # with its softmax, for perplexities and next-word guesses
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Optional

import torch

from ..bilm import BiLM
from ..checkpoint import CheckpointError, atomic_write_text, load_tensors, save_tensors_atomic
from ..config import ElmoConfig
from ..lm import LanguageModel
from ..vocab import Vocabulary

HERE = Path(__file__).resolve().parent
FORMAT = "elmo_mini-model-v1"


@dataclass
class Pretrained:
    """A trained mini ELMo: ``lm`` (biLM + softmax), its ``bilm``, ``vocab`` and ``config``."""

    lm: LanguageModel
    vocab: Vocabulary
    config: ElmoConfig
    settings: Dict[str, Any]  #: the whole config.json (softmax, training settings, ...)
    directory: Path

    @property
    def bilm(self) -> BiLM:
        return self.lm.bilm

    def model_card(self) -> str:
        return model_card(self.directory)


def export_model(
    model: LanguageModel,
    vocab: Vocabulary,
    settings: Dict[str, Any],
    directory: str | Path,
    dtype: torch.dtype = torch.float16,
) -> Path:
    """Write ``model.safetensors`` (``dtype``), ``config.json`` and ``vocab.txt`` to ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    settings = {**settings, "model": model.config.to_dict(), "vocab_size": len(vocab),
                "softmax": model.softmax_kind, "cutoffs": model.cutoffs}
    tensors = {k: v.to(dtype) if v.is_floating_point() else v for k, v in model.state_dict().items()}
    save_tensors_atomic(tensors, directory / "model.safetensors", {"format": FORMAT})
    atomic_write_text(directory / "config.json", json.dumps(settings, indent=2, sort_keys=True))
    vocab.save(directory / "vocab.txt")
    return directory


def load_pretrained(directory: Optional[str | Path] = None) -> Pretrained:
    """Load the shipped mini ELMo (or a model written by :func:`export_model` in ``directory``)."""
    directory = Path(directory) if directory is not None else HERE
    weights = directory / "model.safetensors"
    if not weights.is_file():
        raise FileNotFoundError(
            f"no mini ELMo in {directory}: {weights.name} is missing "
            "(train one with `python -m elmo_mini train`, then `python -m elmo_mini export`)"
        )
    settings = json.loads((directory / "config.json").read_text(encoding="utf-8"))
    vocab = Vocabulary.load(directory / "vocab.txt")
    config = ElmoConfig(**settings["model"])
    lm = LanguageModel(config, len(vocab), dropout=0.0, softmax=settings["softmax"],
                       cutoffs=settings.get("cutoffs"))
    tensors, metadata = load_tensors(weights)
    if metadata.get("format") != FORMAT:
        raise CheckpointError(f"{weights} is not an elmo_mini model file")
    expected = lm.state_dict()
    if set(tensors) != set(expected) or any(tensors[k].shape != v.shape for k, v in expected.items()):
        raise CheckpointError(f"{weights} does not match {directory / 'config.json'}")
    lm.load_state_dict({k: v.to(expected[k].dtype) for k, v in tensors.items()})
    return Pretrained(lm.eval(), vocab, config, settings, directory)


def model_card(directory: Optional[str | Path] = None) -> str:
    """The model card (markdown) of the shipped model."""
    path = (Path(directory) if directory is not None else HERE) / "MODEL_CARD.md"
    if not path.is_file():
        raise FileNotFoundError(f"no model card at {path}")
    return path.read_text(encoding="utf-8")
