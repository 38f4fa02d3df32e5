"""elmo_mini.chars: the original ELMo's character ids, padding and sentence boundaries."""

from __future__ import annotations

import torch

from elmo_mini.chars import EOS_IDS, add_sentence_boundaries, batch_to_ids, word_to_char_ids


def test_word_to_char_ids_scheme():
    ids = word_to_char_ids("cat")
    assert len(ids) == 50
    # begin-of-word 258, the bytes of "cat", end-of-word 259, padding 260; all shifted by +1
    assert ids[:6] == [259, ord("c") + 1, ord("a") + 1, ord("t") + 1, 260, 261]
    assert set(ids[5:]) == {261}


def test_long_and_unusual_tokens_follow_the_original():
    long = word_to_char_ids("x" * 1000)
    assert long[0] == 259 and long[-1] == 260 and long[1:49] == [ord("x") + 1] * 48
    assert word_to_char_ids("")[:3] == [259, 260, 261]  # an empty token is still a token
    snowman = word_to_char_ids("☃")  # 3 UTF-8 bytes
    assert snowman[1:4] == [b + 1 for b in "☃".encode()]
    cjk = word_to_char_ids("漢" * 20)  # 60 bytes: truncated to 48, the last character cut
    assert cjk[1:49] == [b + 1 for b in ("漢" * 20).encode()[:48]]


def test_batch_to_ids_pads_with_zero_rows():
    ids = batch_to_ids([["a", "b", "c"], ["d"]])
    assert ids.shape == (2, 3, 50) and ids.dtype == torch.long
    assert (ids[1, 1:] == 0).all() and (ids[0] > 0).any(-1).all()


def test_boundaries_go_right_after_each_sentence():
    ids, mask = add_sentence_boundaries(batch_to_ids([["a", "b", "c"], ["d"]]))
    assert ids.shape == (2, 5, 50)
    assert mask.tolist() == [[True] * 5, [True, True, True, False, False]]
    assert ids[1, 2].tolist() == EOS_IDS and (ids[1, 3:] == 0).all()
