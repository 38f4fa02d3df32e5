"""The chapter 6 self-checks pass on the chapter's solutions and fail, with a useful message,
on a stub and on plausible wrong answers."""


import pytest
import torch
from support.book_cells import solution_function, stub
from support.check_messages import Mistake, assert_message, mistake_ids
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


def one_too_many(word_ids, lengths):  # n + 2 predictions: one column of padding let in
    steps = word_ids.shape[1] - 1
    real = torch.arange(steps)[None, :] < lengths[:, None] + 2
    return torch.where(real, word_ids[:, 1:], IGNORE), torch.where(real, word_ids[:, :-1], IGNORE)


def padding_as_zero(word_ids, lengths):  # the right mask, but 0 where IGNORE belongs
    forward, backward = lm_targets(word_ids, lengths)
    return forward.clamp(min=0), backward.clamp(min=0)


TARGETS = check_lm_targets
TARGET_MISTAKES = [
    Mistake("unshifted", TARGETS, unshifted, r"forward_targets differs at index \(0, 0\): got 0, expected 7",
            "NEXT word"),
    Mistake("swapped", TARGETS, swapped, r"forward_targets differs at index \(0, 0\): got 0, expected 7",
            "forward and backward are swapped"),
    Mistake("padding-not-ignored", TARGETS, padding_not_ignored,
            r"forward_targets differs at index \(1, 2\): got 0, expected -100", "wrong padding"),
    Mistake("padding-as-zero", TARGETS, padding_as_zero, "got 0, expected -100", "IGNORE = -100"),
    Mistake("without-boundary", TARGETS, without_boundary,
            r"forward_targets differs at index \(0, 4\): got -100, expected 1", r"n \+ 1 predictions"),
    Mistake("one-too-many", TARGETS, one_too_many,
            r"forward_targets differs at index \(1, 2\): got 0, expected -100", "one prediction too many"),
    Mistake("all-columns", TARGETS, all_columns, r"has shape \(3, 6\), expected \(3, 5\)",
            r"T \+ 1 predictions"),
    Mistake("forward-only", TARGETS, lambda w, n: w[:, 1:], r"returned a Tensor of shape \(3, 5\)",
            "return forward, backward"),
]


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


def softmax_over_positions(fl, bl, ft, bt):  # log_softmax(dim=1): normalised over positions
    def nll(logits, targets):
        keep = targets != IGNORE
        return -logits.log_softmax(dim=1)[keep].gather(-1, targets[keep][:, None]).mean()
    return (nll(fl, ft) + nll(bl, bt)) / 2


def logits_not_flattened(fl, bl, ft, bt):  # cross_entropy wants the classes in dim 1
    return (F.cross_entropy(fl, ft, ignore_index=IGNORE) + F.cross_entropy(bl, bt, ignore_index=IGNORE)) / 2


LOSS = check_joint_lm_loss
LOSS_MISTAKES = [
    Mistake("summed", LOSS, summed, "returned 7.16942, expected 3.58471", "summed the two directions"),
    Mistake("forward-only", LOSS, forward_only, "expected 3.58471", "forward loss only"),
    Mistake("padding-counted", LOSS, padding_counted, "expected 3.58471", "padding positions were counted"),
    Mistake("perplexity", LOSS, perplexity_instead, "expected 3.58471", "perplexity"),
    Mistake("raw-logits", LOSS, no_log_softmax, "expected 3.58471", "raw logits"),
    Mistake("softmax-over-positions", LOSS, softmax_over_positions, "expected 3.58471",
            r"over the positions \(dim=1\)"),
    Mistake("per-position", LOSS, per_position, r"returned a Tensor of shape \(3, 5\)", "average"),
    Mistake("detached", LOSS, detached, "requires_grad=False", "no .item()"),
    Mistake("not-flattened", LOSS, logits_not_flattened, "raised RuntimeError", r"reshape\(-1, V\)"),
]

MISTAKES = TARGET_MISTAKES + LOSS_MISTAKES


@pytest.mark.parametrize("check", [check_lm_targets, check_joint_lm_loss])
def test_checks_fail_on_the_stub(check):
    with pytest.raises(AssertionError, match="not implemented yet"):
        check(stub)


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_ids(MISTAKES))
def test_messages_name_the_mistake(mistake):
    assert_message(mistake)


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
