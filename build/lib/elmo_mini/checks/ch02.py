"""Self-checks for chapter 2 (characters to ids): reading a token back, adding the boundaries."""

from __future__ import annotations

from typing import Callable

import torch

from ..chars import (
    BOS_CHAR,
    EOS_CHAR,
    EOW_CHAR,
    add_sentence_boundaries,
    batch_to_ids,
    char_ids_to_word,
    word_to_char_ids,
)
from .common import as_array, assert_close, call, passed

# Ordinary words, several scripts, the boundary tokens, and two tokens cut at 48 bytes (the
# second in the middle of "é"). The cut ones come last: a strict decode fails only there.
_WORDS = ["cat", "Playing", "don't", "café", "☃", "漢字", "🙂", " ", "", "<S>", "</S>", "<s>",
          "ab" * 30, "x" * 47 + "é"]


def _decode_hint(got: object, word: str, ids: list[int]) -> str:
    """Name the likely mistake when ``got`` is not ``word``."""
    if not any(ids):
        return "an all-zero row means no token: return ''"
    if word in ("<S>", "</S>"):
        boundary = BOS_CHAR if word == "<S>" else EOS_CHAR
        return f"between the word marks {word} has the single raw id {boundary}: return {word!r}"
    shifted = ids[1 : 1 + len(word.encode("utf-8")[:48])]  # the payload, still shifted by +1
    wrong = bytes(c % 256 for c in shifted).decode("utf-8", "ignore")
    if isinstance(got, str) and wrong and got.startswith(wrong):
        return "undo the +1 shift before decoding: every id is one more than its byte"
    if isinstance(got, str) and got.startswith(word) and len(got) > len(word):
        return f"stop at the end-of-word mark (raw id {EOW_CHAR}, {EOW_CHAR + 1} after the shift)"
    if got == "".join(chr(c - 1) for c in shifted):
        return "decode the bytes together as UTF-8 (bytes(...).decode('utf-8')), not one chr() per id"
    return "undo the shift, keep the ids between begin-of-word and end-of-word, decode as UTF-8"


def check_char_ids_to_word(fn: Callable) -> None:
    """``fn(char_ids)`` -> the token ``word_to_char_ids`` encoded (``""`` for an all-zero row)."""
    name = "char_ids_to_word"
    cases = [(w, word_to_char_ids(w)) for w in _WORDS] + [("", [0] * 50)]
    for word, ids in cases:
        expected = char_ids_to_word(ids)
        shown = "an all-zero row" if not any(ids) else f"the ids of {word[:20]!r}"
        try:
            got = call(fn, list(ids), name=f"{name} on {shown}")
        except AssertionError as err:
            if "UnicodeDecodeError" not in str(err):
                raise
            raise AssertionError(
                f"{err}. Hint: the cut at 48 bytes can split a character in two; decode with "
                "errors='ignore' to drop the half character"
            ) from None
        if not isinstance(got, str):
            raise AssertionError(f"{name} on {shown} returned {type(got).__name__}, not a str")
        if got != expected:
            raise AssertionError(
                f"{name} on {shown} returned {got[:60]!r}, expected {expected[:60]!r}. "
                f"Hint: {_decode_hint(got, word, ids)}"
            )
    passed(name, f"{len(cases)} tokens: accents, emoji, Chinese, <S>, </S>, cut words, no token")


# ---- add_sentence_boundaries --------------------------------------------------------------------
_BATCH = [["The", "café", "is", "open"], ["Snow", "☃"], [], ["漢字", "!", "?"]]  # lengths 4, 2, 0, 3


def _boundary_hint(got_ids, got_mask, char_ids: torch.Tensor) -> str:
    batch, steps, _ = char_ids.shape
    ids = as_array(got_ids, "ids")
    if ids.shape != (batch, steps + 2, char_ids.shape[-1]):
        return "two more token slots per row: (B, T, L) in, (B, T + 2, L) out"
    eos = word_to_char_ids("</S>", char_ids.shape[-1])
    if (ids[:, -1] == eos).all():
        return ("</S> goes right after each sentence's OWN last token (position length + 1), "
                "not at the end of the padded row")
    if (ids[:, 0] == [c - 1 for c in word_to_char_ids("<S>", char_ids.shape[-1])]).all():
        return "the boundary ids are shifted by +1 like every other id: use word_to_char_ids('<S>', L)"
    return "count each sentence's real tokens with (char_ids > 0).any(dim=-1)"


def check_add_sentence_boundaries(fn: Callable) -> None:
    """``fn(char_ids)`` -> ``(ids, mask)`` with ``<S>``/``</S>`` around every sentence."""
    name = "add_sentence_boundaries"
    for n_chars in (50, 12):
        char_ids = batch_to_ids(_BATCH, n_chars)  # (4, 4, L)
        result = call(fn, char_ids.clone(), name=name)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise AssertionError(
                f"{name} should return two tensors (ids, mask), got {type(result).__name__}"
            )
        expected_ids, expected_mask = add_sentence_boundaries(char_ids)
        got_ids, got_mask = result
        where = f"ids for sentences of lengths 4, 2, 0, 3 with L={n_chars}"
        assert_close(got_ids, expected_ids, where, _boundary_hint(got_ids, got_mask, char_ids))
        mask_hint = ("True at <S>, the sentence's tokens and </S>: length + 2 positions per row"
                     f"; got {as_array(got_mask, 'mask').sum(-1).tolist()} per row"
                     if as_array(got_mask, "mask").shape == tuple(expected_mask.shape) else "")
        assert_close(as_array(got_mask, "mask").astype(bool), expected_mask, f"mask with L={n_chars}",
                     mask_hint)
    passed(name, "four sentences (one empty), L = 50 and 12: ids and mask as in elmo_mini.chars")
