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
from .common import as_array, assert_close, call, describe, fail, passed, plain, short

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


def _decode_crash_hint(err: Exception) -> str:
    if isinstance(err, UnicodeDecodeError):
        return ("the cut at 48 bytes can split a character in two: decode with errors='ignore' "
                "to drop the half character")
    if "range(0, 256)" in str(err):
        return (f"ids above 256 are marks, not bytes: stop at the end-of-word mark (raw id "
                f"{EOW_CHAR}) and undo the +1 shift first")
    return "undo the +1 shift, keep the ids between the word marks, decode them as UTF-8"


def check_char_ids_to_word(fn: Callable) -> None:
    """``fn(char_ids)`` -> the token ``word_to_char_ids`` encoded (``""`` for an all-zero row)."""
    name = "char_ids_to_word"
    cases = [(w, word_to_char_ids(w)) for w in _WORDS] + [("", [0] * 50)]
    for word, ids in cases:
        expected = char_ids_to_word(ids)
        shown = "an all-zero row" if not any(ids) else f"the ids of {word[:20]!r}"
        got = call(fn, list(ids), name=f"{name} on {shown}", hint=_decode_crash_hint)
        if not isinstance(got, str):
            fail(f"{name} on {shown} returned {type(got).__name__} {short(plain(got))}, not a str",
                 "decode the bytes between the word marks: bytes(...).decode('utf-8')")
        if got != expected:
            fail(f"{name} on {shown} returned {short(repr(got))}, expected {short(repr(expected))}",
                 _decode_hint(got, word, ids))
    passed(name, f"{len(cases)} tokens: accents, emoji, Chinese, <S>, </S>, cut words, no token")


# ---- add_sentence_boundaries --------------------------------------------------------------------
_BATCH = [["The", "café", "is", "open"], ["Snow", "☃"], [], ["漢字", "!", "?"]]  # lengths 4, 2, 0, 3


def _boundary_hint(got_ids, char_ids: torch.Tensor) -> str:
    """Name the likely mistake of a wrong ``ids`` from add_sentence_boundaries."""
    batch, steps, n_chars = char_ids.shape
    ids = as_array(got_ids, "ids")
    if ids.shape != (batch, steps + 2, n_chars):
        return "two more token slots per row: (B, T, L) in, (B, T + 2, L) out"
    lengths = (char_ids > 0).any(dim=-1).sum(dim=-1).numpy()  # (B,)
    bos, eos = word_to_char_ids("<S>", n_chars), word_to_char_ids("</S>", n_chars)
    if (ids[:, 0] == [c - 1 for c in bos]).all():
        return "the boundary ids are shifted by +1 like every other id: use word_to_char_ids('<S>', L)"
    where_eos = [[t for t in range(steps + 2) if (ids[b, t] == eos).all()] for b in range(batch)]
    if all(w == [steps + 1] for w in where_eos) and (lengths < steps).any():
        return ("</S> goes right after each sentence's OWN last token (position length + 1), "
                "not at the end of the padded row")
    if all(w == [n] for w, n in zip(where_eos, lengths)):
        return ("</S> overwrote each sentence's last token: with <S> at 0 the tokens fill "
                "positions 1 to length, so </S> goes at position length + 1")
    if all(w == [n + 2] for w, n in zip(where_eos, lengths) if n + 2 < steps + 2):
        return "</S> is one slot too far right: it goes at position length + 1"
    if not (ids[:, 0] == bos).all() or (ids[:, 1:steps] == char_ids[:, 1:].numpy()).all():
        return ("every row starts with <S> at position 0 and the sentence moves one slot "
                "right: out[:, 1:T + 1] = char_ids")
    return "count each sentence's real tokens with (char_ids > 0).any(dim=-1)"


def _mask_hint(got_mask, expected_mask: torch.Tensor) -> str:
    mask = as_array(got_mask, "mask")
    if mask.shape != tuple(expected_mask.shape):
        return "one mask value per token slot of the new ids: (B, T + 2)"
    return (f"True at <S>, the sentence's tokens and </S>, length + 2 positions per row "
            f"({plain(expected_mask.sum(-1))}), but yours has {plain(mask.sum(-1))}")


def check_add_sentence_boundaries(fn: Callable) -> None:
    """``fn(char_ids)`` -> ``(ids, mask)`` with ``<S>``/``</S>`` around every sentence."""
    name = "add_sentence_boundaries"
    for n_chars in (50, 12):
        char_ids = batch_to_ids(_BATCH, n_chars)  # (4, 4, L)
        result = call(fn, char_ids.clone(), name=f"{name} with L={n_chars}",
                      hint=None if n_chars == 50 else (
                          "make the boundary tokens as long as the input's L: "
                          "word_to_char_ids('<S>', L), without L it gives 50 ids"))
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            fail(f"{name} returned {describe(result)}, not two tensors (ids, mask)",
                 "return ids (B, T + 2, L) and mask (B, T + 2) as a tuple: return ids, mask")
        expected_ids, expected_mask = add_sentence_boundaries(char_ids)
        got_ids, got_mask = result
        where = f"ids for sentences of lengths 4, 2, 0, 3 with L={n_chars}"
        assert_close(got_ids, expected_ids, where, _boundary_hint(got_ids, char_ids))
        assert_close(as_array(got_mask, "mask").astype(bool), expected_mask,
                     f"mask with L={n_chars}", _mask_hint(got_mask, expected_mask))
    passed(name, "four sentences (one empty), L = 50 and 12: ids and mask as in elmo_mini.chars")
