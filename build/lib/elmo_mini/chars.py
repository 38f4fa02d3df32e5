"""From words to character ids, exactly as the original ELMo does it (chapter 2).

A token becomes 50 ids: begin-of-word, its UTF-8 bytes (at most 48), end-of-word, then padding.
Every id is shifted by +1 so that 0 can mean "no token here" (a padded position in a batch).
The sentence-boundary tokens ``<S>`` and ``</S>`` are added later, inside the model.
"""

from __future__ import annotations

from typing import List, Sequence

import torch

MAX_CHARS = 50  #: characters per token, markers and padding included

# Raw character ids (before the +1 shift). 0..255 are the bytes of UTF-8.
BOS_CHAR = 256  #: begin of sentence (the only "character" of <S>)
EOS_CHAR = 257  #: end of sentence (the only "character" of </S>)
BOW_CHAR = 258  #: begin of word
EOW_CHAR = 259  #: end of word
PAD_CHAR = 260  #: padding after the end of word

BOS_TOKEN = "<S>"
EOS_TOKEN = "</S>"


def _ids_around(payload: Sequence[int], max_chars: int = MAX_CHARS) -> List[int]:
    """``[BOW, *payload, EOW, PAD, ...]`` shifted by +1, ``max_chars`` long."""
    raw = [BOW_CHAR, *payload[: max_chars - 2], EOW_CHAR]
    raw += [PAD_CHAR] * (max_chars - len(raw))
    return [c + 1 for c in raw]


#: The character ids of the two sentence-boundary tokens (already shifted by +1).
BOS_IDS = _ids_around([BOS_CHAR])
EOS_IDS = _ids_around([EOS_CHAR])


def word_to_char_ids(word: str, max_chars: int = MAX_CHARS) -> List[int]:
    """The ``max_chars`` character ids of one token (shifted by +1, so all are >= 1).

    ``"<S>"`` and ``"</S>"`` map to the boundary ids the model adds itself; any other string is
    encoded as UTF-8 bytes, truncated to ``max_chars - 2`` bytes (a multi-byte character may be
    cut, as in the original).
    """
    if not isinstance(word, str):
        raise TypeError(f"a token must be a str, got {type(word).__name__}: {word!r}")
    if word == BOS_TOKEN:
        return _ids_around([BOS_CHAR], max_chars)
    if word == EOS_TOKEN:
        return _ids_around([EOS_CHAR], max_chars)
    return _ids_around(list(word.encode("utf-8", "ignore")), max_chars)


def char_ids_to_word(char_ids: Sequence[int]) -> str:
    """The token that :func:`word_to_char_ids` encoded, read back from its ids (chapter 2).

    Undoes the +1 shift, keeps the bytes between begin-of-word and end-of-word, and decodes them
    as UTF-8 (a multi-byte character cut by the truncation is dropped). The boundary tokens come
    back as ``"<S>"`` and ``"</S>"``; an all-zero row (a padded position) as ``""``.
    """
    raw = [int(c) - 1 for c in char_ids]
    if all(c == -1 for c in raw):
        return ""
    inside = []
    for c in raw[1:]:
        if c == EOW_CHAR:
            break
        inside.append(c)
    if inside == [BOS_CHAR]:
        return BOS_TOKEN
    if inside == [EOS_CHAR]:
        return EOS_TOKEN
    return bytes(inside).decode("utf-8", "ignore")


def check_sentences(sentences: Sequence[Sequence[str]]) -> None:
    """Raise a ``TypeError`` that says how to fix input that is not a list of token lists."""
    if isinstance(sentences, str):
        raise TypeError(
            "expected a list of sentences, each a list of tokens, got one string; "
            "try [text.split()]"
        )
    for i, sentence in enumerate(sentences):
        if isinstance(sentence, str):
            raise TypeError(
                f"sentence {i} is a string, but a sentence must be a list of tokens; "
                f"try {sentence[:20]!r}.split()"
            )
        for j, token in enumerate(sentence):
            if not isinstance(token, str):
                raise TypeError(
                    f"token {j} of sentence {i} is a {type(token).__name__} ({token!r}), "
                    "but tokens must be str"
                )


def batch_to_ids(sentences: Sequence[Sequence[str]], max_chars: int = MAX_CHARS) -> torch.Tensor:
    """Character ids for a batch of tokenised sentences.

    Args:
        sentences: a list of sentences, each a list of token strings (no ``<S>``/``</S>``).

    Returns:
        LongTensor ``(batch, max_len, max_chars)``; rows past a sentence's end are all zeros.
    """
    check_sentences(sentences)
    max_len = max((len(s) for s in sentences), default=0)
    ids = torch.zeros(len(sentences), max_len, max_chars, dtype=torch.long)  # (B, T, L)
    for i, sentence in enumerate(sentences):
        if sentence:
            ids[i, : len(sentence)] = torch.tensor([word_to_char_ids(w, max_chars) for w in sentence])
    return ids


def add_sentence_boundaries(
    char_ids: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Put ``<S>`` before and ``</S>`` after every sentence of a batch.

    Args:
        char_ids: ``(batch, T, max_chars)`` from :func:`batch_to_ids`.

    Returns:
        ``(ids, mask)``: ids ``(batch, T + 2, max_chars)`` with ``<S>`` at position 0 and ``</S>``
        right after each sentence's last token; mask ``(batch, T + 2)`` True at real positions.
    """
    batch, steps, n_chars = char_ids.shape
    lengths = (char_ids > 0).any(dim=-1).sum(dim=-1)  # (B,)
    out = char_ids.new_zeros(batch, steps + 2, n_chars)  # (B, T+2, L)
    out[:, 1 : steps + 1] = char_ids
    out[:, 0] = torch.tensor(_ids_around([BOS_CHAR], n_chars), device=char_ids.device)
    out[torch.arange(batch, device=char_ids.device), lengths + 1] = torch.tensor(
        _ids_around([EOS_CHAR], n_chars), device=char_ids.device
    )
    positions = torch.arange(steps + 2, device=char_ids.device)  # (T+2,)
    mask = positions[None, :] < (lengths[:, None] + 2)  # (B, T+2)
    return out, mask
