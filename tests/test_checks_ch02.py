"""Chapter 2's self-checks: they pass on the book's solutions and fail on stubs and wrong answers."""

from __future__ import annotations

import pytest
import torch
from book_cells import run_solution, stub

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


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_decoder(shift=0), r"undo the \+1 shift"),
        (_decoder(per_char=True), "not one chr"),
        (_decoder(errors="strict"), "errors='ignore'"),
        (_decoder(boundaries=False), "single raw id"),
    ],
)
def test_char_ids_to_word_names_the_mistake(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_char_ids_to_word(wrong)


def test_char_ids_to_word_fails_when_it_reads_past_the_end_of_word():
    def no_stop(ids):  # keeps the end-of-word and padding ids: not bytes, so it crashes
        return bytes(int(c) - 1 for c in ids[1:]).decode("utf-8", "ignore")

    with pytest.raises(AssertionError):
        check_char_ids_to_word(no_stop)


def test_char_ids_to_word_fails_on_a_non_string():
    with pytest.raises(AssertionError, match="not a str"):
        check_char_ids_to_word(lambda ids: [int(c) - 1 for c in ids])


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


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_eos_at_the_end, "OWN last token"),
        (_unshifted_boundaries, r"shifted by \+1"),
        (_mask_without_boundaries, "length \\+ 2"),
        (lambda ids: chars.add_sentence_boundaries(ids)[0], "two tensors"),
        (lambda ids: (ids, (ids > 0).any(-1)), r"T \+ 2"),
    ],
)
def test_add_sentence_boundaries_names_the_mistake(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_add_sentence_boundaries(wrong)


def test_add_sentence_boundaries_fails_when_50_is_hard_coded():
    def fixed_50(char_ids):  # word_to_char_ids("<S>") without L: 50 ids, whatever L is
        batch, steps, n_chars = char_ids.shape
        lengths = (char_ids > 0).any(-1).sum(-1)
        out = char_ids.new_zeros(batch, steps + 2, n_chars)
        out[:, 1:-1] = char_ids
        out[:, 0] = torch.tensor(chars.word_to_char_ids("<S>"))
        out[torch.arange(batch), lengths + 1] = torch.tensor(chars.word_to_char_ids("</S>"))
        return out, torch.arange(steps + 2)[None, :] < lengths[:, None] + 2

    with pytest.raises(AssertionError, match="raised RuntimeError"):
        check_add_sentence_boundaries(fixed_50)


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
