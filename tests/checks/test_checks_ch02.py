"""Chapter 2's self-checks: they pass on the book's solutions and fail on stubs and wrong answers."""

from __future__ import annotations

import pytest
import torch
from support.book_cells import run_solution, stub
from support.check_messages import Mistake, assert_message, mistake_ids

import elmo_mini.chars as chars
from elmo_mini.checks import check_add_sentence_boundaries, check_char_ids_to_word

CHAPTER = "02_characters_to_ids"


def solution(label: str) -> dict:
    """The namespace after running the chapter's solution to exercise ``label``."""
    return run_solution(CHAPTER, label, {"torch": torch, **{k: getattr(chars, k) for k in dir(chars) if k.isupper()},
                       "word_to_char_ids": chars.word_to_char_ids})


# ---- char_ids_to_word -------------------------------------------------------------------------
def _decoder(shift=1, stop_at_eow=True, per_char=False, errors="ignore", boundaries=True):
    def char_ids_to_word(ids):
        raw = [int(c) - shift for c in ids]
        if not any(ids):
            return ""
        inside = []
        for c in raw[1:]:
            if stop_at_eow and c == chars.EOW_CHAR:
                break
            inside.append(c)
        if boundaries and inside == [chars.BOS_CHAR]:
            return "<S>"
        if boundaries and inside == [chars.EOS_CHAR]:
            return "</S>"
        if per_char:
            return "".join(chr(c) for c in inside)
        return bytes(c % 256 for c in inside).decode("utf-8", errors)

    return char_ids_to_word


def test_char_ids_to_word_passes_on_the_solution(capsys):
    check_char_ids_to_word(solution("ex-02-char-ids-to-word")["char_ids_to_word"])
    assert "passed" in capsys.readouterr().out


def test_char_ids_to_word_passes_on_a_correct_variant():
    check_char_ids_to_word(_decoder())


def test_char_ids_to_word_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_char_ids_to_word(stub)


def _no_stop(ids):  # keeps the end-of-word and padding ids: not bytes, so it crashes
    return bytes(int(c) - 1 for c in ids[1:]).decode("utf-8", "ignore")


def _keeps_begin_mark(ids):  # decodes from ids[0]: the begin-of-word mark is not a byte either
    raw = [int(c) - 1 for c in ids]
    if not any(ids):
        return ""
    return "".join(chr(c) for c in raw[: raw.index(chars.EOW_CHAR)])


DECODE_MISTAKES = [
    Mistake("no-unshift", check_char_ids_to_word, _decoder(shift=0), r"returned 'dbu.*, expected 'cat'",
            r"undo the \+1 shift"),
    Mistake("chr-per-id", check_char_ids_to_word, _decoder(per_char=True), "expected 'café'",
            "not one chr"),
    Mistake("strict-decode", check_char_ids_to_word, _decoder(errors="strict"), "UnicodeDecodeError",
            "errors='ignore'"),
    Mistake("no-boundary-tokens", check_char_ids_to_word, _decoder(boundaries=False),
            "expected '<S>'", "single raw id"),
    Mistake("no-stop-at-end-of-word", check_char_ids_to_word, _no_stop, "ValueError",
            "stop at the end-of-word mark"),
    Mistake("keeps-begin-mark", check_char_ids_to_word, _keeps_begin_mark, "expected 'cat'",
            "between begin-of-word and end-of-word"),
    Mistake("list-of-ids", check_char_ids_to_word, lambda ids: [int(c) - 1 for c in ids],
            "returned list", "decode the bytes"),
]


# ---- add_sentence_boundaries ------------------------------------------------------------------
def test_add_sentence_boundaries_passes_on_the_solution(capsys):
    check_add_sentence_boundaries(solution("ex-02-sentence-boundaries")["add_sentence_boundaries"])
    assert "passed" in capsys.readouterr().out


def test_add_sentence_boundaries_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_add_sentence_boundaries(stub)


def _eos_at_the_end(char_ids):
    """</S> at the last slot of every row, after the padding."""
    batch, steps, n_chars = char_ids.shape
    out = char_ids.new_zeros(batch, steps + 2, n_chars)
    out[:, 1:-1] = char_ids
    out[:, 0] = torch.tensor(chars.word_to_char_ids("<S>", n_chars))
    out[:, -1] = torch.tensor(chars.word_to_char_ids("</S>", n_chars))
    return out, torch.ones(batch, steps + 2, dtype=torch.bool)


def _unshifted_boundaries(char_ids):
    """Right places, but the boundary ids without the +1 shift."""
    out, mask = chars.add_sentence_boundaries(char_ids)
    lengths = mask.sum(-1) - 2
    out[:, 0] -= 1
    out[torch.arange(len(out)), lengths + 1] -= 1
    return out, mask


def _mask_without_boundaries(char_ids):
    out, mask = chars.add_sentence_boundaries(char_ids)
    lengths = mask.sum(-1) - 2
    return out, torch.arange(out.shape[1])[None, :] < lengths[:, None]


def _eos_at(offset):
    """</S> at position length + offset instead of length + 1."""
    def wrong(char_ids):
        out, mask = chars.add_sentence_boundaries(char_ids)
        n_chars = char_ids.shape[-1]
        for b, n in enumerate((mask.sum(-1) - 2).tolist()):
            out[b, n + 1] = 0
            out[b, min(n + offset, out.shape[1] - 1)] = torch.tensor(chars.word_to_char_ids("</S>", n_chars))
        return out, mask

    return wrong


def _fixed_50(char_ids):  # word_to_char_ids("<S>") without L: 50 ids, whatever L is
    batch, steps, n_chars = char_ids.shape
    lengths = (char_ids > 0).any(-1).sum(-1)
    out = char_ids.new_zeros(batch, steps + 2, n_chars)
    out[:, 1:-1] = char_ids
    out[:, 0] = torch.tensor(chars.word_to_char_ids("<S>"))
    out[torch.arange(batch), lengths + 1] = torch.tensor(chars.word_to_char_ids("</S>"))
    return out, torch.arange(steps + 2)[None, :] < lengths[:, None] + 2


def _not_moved(char_ids):  # <S> written over the first token: the sentence was not moved right
    out, mask = chars.add_sentence_boundaries(char_ids)
    out[:, : char_ids.shape[1]] = char_ids
    out[:, 0] = torch.tensor(chars.word_to_char_ids("<S>", char_ids.shape[-1]))
    return out, mask


BOUNDARY_MISTAKES = [
    Mistake("eos-at-the-end", check_add_sentence_boundaries, _eos_at_the_end,
            r"differs at index \(1, 3, 0\): got 0, expected 259", "OWN last token"),
    Mistake("eos-over-last-token", check_add_sentence_boundaries, _eos_at(0),
            r"differs at index \(0, 4, \d+\)", "overwrote each sentence's last token"),
    Mistake("eos-one-too-far", check_add_sentence_boundaries, _eos_at(2),
            r"differs at index \(1, 3, 0\): got 0, expected 259", "one slot too far"),
    Mistake("unshifted-boundaries", check_add_sentence_boundaries, _unshifted_boundaries,
            r"got 258, expected 259", r"shifted by \+1"),
    Mistake("mask-without-boundaries", check_add_sentence_boundaries, _mask_without_boundaries,
            r"mask with L=50 differs at index \(0, 4\): got False, expected True",
            r"length \+ 2 positions per row \(\[6, 4, 2, 5\]\), but yours has \[4, 2, 0, 3\]"),
    Mistake("ids-only", check_add_sentence_boundaries,
            lambda ids: chars.add_sentence_boundaries(ids)[0], r"returned a Tensor of shape \(4, 6, 50\)", "return ids, mask"),
    Mistake("no-new-slots", check_add_sentence_boundaries, lambda ids: (ids, (ids > 0).any(-1)),
            r"has shape \(4, 4, 50\), expected \(4, 6, 50\)", r"T \+ 2"),
    Mistake("fixed-50", check_add_sentence_boundaries, _fixed_50, "with L=12 raised RuntimeError",
            r"word_to_char_ids\('<S>', L\)"),
    Mistake("sentence-not-moved", check_add_sentence_boundaries, _not_moved,
            r"differs at index \(0, 1, \d+\)", "moves one slot right"),
]

MISTAKES = DECODE_MISTAKES + BOUNDARY_MISTAKES


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_ids(MISTAKES))
def test_messages_name_the_mistake(mistake):
    assert_message(mistake)


# ---- the package's own functions ----------------------------------------------------------------
@pytest.mark.parametrize("word", ["cat", "café", "☃", "漢字", "🙂", "", " ", "<S>", "</S>", "x" * 60])
@pytest.mark.parametrize("max_chars", [50, 12])
def test_char_ids_to_word_inverts_word_to_char_ids(word, max_chars):
    ids = chars.word_to_char_ids(word, max_chars)
    assert len(ids) == max_chars
    back = chars.char_ids_to_word(ids)
    assert back == word.encode("utf-8")[: max_chars - 2].decode("utf-8", "ignore") or back == word


def test_char_ids_to_word_reads_an_absent_token_as_empty():
    assert chars.char_ids_to_word([0] * 50) == ""
