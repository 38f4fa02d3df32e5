"""The output vocabulary of the language model's softmax (chapters 1 and 6).

The character CNN reads any word, so ELMo's *inputs* are open-vocabulary. Only the softmax
that predicts the next (or previous) word needs a closed list: the most frequent words of the
training split, plus three special tokens. Ids follow frequency (0, 1, 2 are ``<S>``, ``</S>``,
``<UNK>``; then the most frequent word), which an adaptive softmax needs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence

BOS, EOS, UNK = "<S>", "</S>", "<UNK>"
SPECIALS = (BOS, EOS, UNK)


class Vocabulary:
    """Words <-> ids for the softmax.

    Args:
        words: the words in id order; the three special tokens are put first if missing.
    """

    def __init__(self, words: Iterable[str]) -> None:
        words = [w for w in words if w not in SPECIALS]
        self.words: List[str] = [*SPECIALS, *words]
        self.index: Dict[str, int] = {w: i for i, w in enumerate(self.words)}
        if len(self.index) != len(self.words):
            raise ValueError("a vocabulary cannot list a word twice")

    bos_id, eos_id, unk_id = 0, 1, 2

    @classmethod
    def build(
        cls,
        sentences: Iterable[Sequence[str]],
        max_size: Optional[int] = 20000,
        min_count: int = 1,
    ) -> "Vocabulary":
        """The ``max_size`` most frequent words (specials included) seen ``min_count`` times.

        Ties in frequency are broken alphabetically, so the result is deterministic.
        """
        counts = Counter(w for sentence in sentences for w in sentence)
        ranked = sorted(
            (w for w, n in counts.items() if n >= min_count and w not in SPECIALS),
            key=lambda w: (-counts[w], w),
        )
        if max_size is not None:
            ranked = ranked[: max(0, max_size - len(SPECIALS))]
        return cls(ranked)

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocabulary) and self.words == other.words

    def __repr__(self) -> str:
        return f"Vocabulary({len(self)} words)"

    def id(self, word: str) -> int:
        """The id of ``word``, ``<UNK>``'s id if it is not in the vocabulary."""
        return self.index.get(word, self.unk_id)

    def encode(self, tokens: Sequence[str], boundaries: bool = False) -> List[int]:
        """Ids of ``tokens``; with ``boundaries`` wrapped in ``<S>`` ... ``</S>``."""
        ids = [self.index.get(w, self.unk_id) for w in tokens]
        return [self.bos_id, *ids, self.eos_id] if boundaries else ids

    def decode(self, ids: Iterable[int]) -> List[str]:
        return [self.words[i] for i in ids]

    def save(self, path: str | Path) -> None:
        """One word per line, UTF-8, in id order (specials first)."""
        Path(path).write_text("\n".join(self.words) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "Vocabulary":
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"vocabulary file not found: {path}")
        try:
            words = path.read_text(encoding="utf-8").split("\n")
        except UnicodeDecodeError:
            raise ValueError(f"vocabulary file {path} is not UTF-8 text") from None
        words = [w for w in words if w]
        if words[: len(SPECIALS)] != list(SPECIALS):
            raise ValueError(
                f"{path} is not an elmo_mini vocabulary: it must start with {', '.join(SPECIALS)}"
            )
        return cls(words)


def oov_rate(sentences: Iterable[Sequence[str]], vocab: Vocabulary) -> float:
    """The share of tokens of ``sentences`` that ``vocab`` does not hold (chapter 1).

    Every occurrence counts (a missing word seen twice counts twice); a sentence without
    tokens adds nothing. Returns a fraction in [0, 1], 0.0 for a corpus without tokens.
    """
    total = missing = 0
    for sentence in sentences:
        for token in sentence:
            total += 1
            missing += token not in vocab
    return missing / total if total else 0.0
