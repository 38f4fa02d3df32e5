"""The chapter 6 self-checks pass on the chapter's solutions and fail, with a useful message,
on a stub and on plausible wrong answers."""


import pytest
import torch
from book_cells import solution_function, stub
from torch.nn import functional as F

from elmo_mini.checks import check_joint_lm_loss, check_lm_targets
from elmo_mini.lm import IGNORE, joint_lm_loss, lm_targets

CHAPTER = "06_training"


def solution(name: str):
    """The function ``name`` as the chapter's solution cell defines it."""
    return solution_function(CHAPTER, name, {"torch": torch, "F": F})


# ---- lm_targets -------------------------------------------------------------------------------
def test_lm_targets_check_passes_on_package_and_chapter(capsys):
    check_lm_targets(lm_targets)
    check_lm_targets(solution("lm_targets"))
    assert capsys.readouterr().out.count("passed") == 2


def unshifted(word_ids, lengths):  # forgot the +1 shift of the forward targets
    forward, backward = lm_targets(word_ids, lengths)
    return torch.where(forward != IGNORE, word_ids[:, :-1], IGNORE), backward


def swapped(word_ids, lengths):  # forward and backward exchanged
    forward, backward = lm_targets(word_ids, lengths)
    return backward, forward


def padding_not_ignored(word_ids, lengths):  # shifted, but padding left as id 0 (= <S>)
    return word_ids[:, 1:], word_ids[:, :-1]


def without_boundary(word_ids, lengths):  # n predictions instead of n + 1 (forgot </S>)
    steps = word_ids.shape[1] - 1
    real = torch.arange(steps)[None, :] < lengths[:, None]
    return (torch.where(real, word_ids[:, 1:], IGNORE), torch.where(real, word_ids[:, :-1], IGNORE))


def all_columns(word_ids, lengths):  # T + 2 columns: no pairing at all
    return word_ids, word_ids


@pytest.mark.parametrize("wrong, message", [
    (stub, "not implemented yet"),
    (unshifted, "NEXT word"),
    (swapped, "are the backward targets"),
    (padding_not_ignored, "wrong padding"),
    (without_boundary, "n \\+ 1 predictions"),
    (all_columns, "has shape \\(3, 6\\), expected \\(3, 5\\)"),
    (lambda w, n: w[:, 1:], "two tensors"),
])
def test_lm_targets_check_fails_on_wrong_answers(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_lm_targets(wrong)


# ---- joint_lm_loss ----------------------------------------------------------------------------
def test_joint_loss_check_passes_on_package_and_chapter(capsys):
    check_joint_lm_loss(joint_lm_loss)
    namespace_solution = solution("joint_lm_loss")
    namespace_solution.__globals__["IGNORE"] = IGNORE
    check_joint_lm_loss(namespace_solution)
    assert capsys.readouterr().out.count("passed") == 2


def _ce(logits, targets, **kw):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), **kw)


def summed(fl, bl, ft, bt):  # forgot to average the two directions
    return _ce(fl, ft, ignore_index=IGNORE) + _ce(bl, bt, ignore_index=IGNORE)


def forward_only(fl, bl, ft, bt):
    return _ce(fl, ft, ignore_index=IGNORE)


def padding_counted(fl, bl, ft, bt):  # IGNORE replaced by a real id: padding counted
    return (_ce(fl, ft.clamp(min=0)) + _ce(bl, bt.clamp(min=0))) / 2


def perplexity_instead(fl, bl, ft, bt):
    return joint_lm_loss(fl, bl, ft, bt).exp()


def no_log_softmax(fl, bl, ft, bt):  # -score of the target, without normalising
    def nll(logits, targets):
        keep = targets != IGNORE
        return -logits[keep].gather(-1, targets[keep][:, None]).mean()
    return (nll(fl, ft) + nll(bl, bt)) / 2


def per_position(fl, bl, ft, bt):  # no reduction
    return (F.cross_entropy(fl.transpose(1, 2), ft, ignore_index=IGNORE, reduction="none")
            + F.cross_entropy(bl.transpose(1, 2), bt, ignore_index=IGNORE, reduction="none")) / 2


def detached(fl, bl, ft, bt):  # right number, but no gradient
    return torch.tensor(joint_lm_loss(fl, bl, ft, bt).item())


@pytest.mark.parametrize("wrong, message", [
    (stub, "not implemented yet"),
    (summed, "summed the two directions"),
    (forward_only, "forward loss only"),
    (padding_counted, "padding positions were counted"),
    (perplexity_instead, "perplexity"),
    (no_log_softmax, "log_softmax"),
    (per_position, "one number"),
    (detached, "without gradient"),
])
def test_joint_loss_check_fails_on_wrong_answers(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_joint_lm_loss(wrong)


def test_package_functions_agree_with_the_language_model():
    """lm_targets + joint_lm_loss give LanguageModel's own loss (full softmax, eval mode)."""
    from elmo_mini import ElmoConfig, batch_to_ids
    from elmo_mini.lm import LanguageModel, batch_to_word_ids
    from elmo_mini.vocab import Vocabulary

    sentences = [["the", "cat", "sat", "."], ["a", "dog", "."], ["cats", "sat"]]
    vocab = Vocabulary(["the", "cat", "sat", ".", "a", "dog"])
    config = ElmoConfig(char_dim=4, filters=[[1, 8], [2, 8]], lstm_dim=16, projection_dim=8)
    torch.manual_seed(0)
    lm = LanguageModel(config, len(vocab), softmax="full").eval()
    char_ids, word_ids = batch_to_ids(sentences), batch_to_word_ids(sentences, vocab)
    forward_targets, backward_targets = lm_targets(word_ids, torch.tensor([4, 3, 2]))
    top = lm.bilm(char_ids).layers[-1]
    p = config.projection_dim
    loss = joint_lm_loss(lm.softmax(top[:, :-1, :p]), lm.softmax(top[:, 1:, p:]),
                         forward_targets, backward_targets)
    torch.testing.assert_close(loss, lm(char_ids, word_ids).loss)
