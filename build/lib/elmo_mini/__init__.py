"""elmo_mini: ELMo's character CNN and biLSTM language model, small enough to read and train.

The chapters of the book build each piece; this package holds the same pieces so that later
chapters (and you) can import them.
"""

from .bilm import BiLM, BiLMOutput
from .char_cnn import CharCNN, Highway
from .chars import batch_to_ids, word_to_char_ids
from .config import ElmoConfig
from .embedder import Embedder, default_device
from .kneser_ney import KneserNeyTrigram
from .lm import LanguageModel
from .lstm import LstmCellWithProjection, LstmStack
from .original import load_original, save_original
from .scalar_mix import ScalarMix, masked_layer_norm, scalar_mix
from .vocab import Vocabulary

__all__ = [
    "BiLM",
    "BiLMOutput",
    "CharCNN",
    "ElmoConfig",
    "Embedder",
    "Highway",
    "KneserNeyTrigram",
    "LanguageModel",
    "LstmCellWithProjection",
    "LstmStack",
    "ScalarMix",
    "Vocabulary",
    "batch_to_ids",
    "default_device",
    "load_original",
    "masked_layer_norm",
    "save_original",
    "scalar_mix",
    "word_to_char_ids",
]

__version__ = "0.1.0"
