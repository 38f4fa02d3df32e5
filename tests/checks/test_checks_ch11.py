"""The chapter 11 self-checks pass on the chapter's solutions and fail, with a useful message,
on a stub and on plausible wrong answers."""


import pytest
import torch
from support.book_cells import solution_function, stub
from support.check_messages import Mistake, assert_message, mistake_ids

from elmo_mini.checks import (
    check_split_lstm_kernel,
    check_stateful_prediction,
    check_tf_conv_to_conv1d,
)
from elmo_mini.original import split_lstm_kernel, tf_conv_to_conv1d

CHAPTER = "11_real_elmo"


def solution(name: str):
    """The function ``name`` as the chapter's solution cell defines it."""
    return solution_function(CHAPTER, name, {"torch": torch})


def test_conv_check_passes_on_package_and_chapter(capsys):
    check_tf_conv_to_conv1d(tf_conv_to_conv1d)
    check_tf_conv_to_conv1d(solution("tf_conv_to_conv1d"))
    assert capsys.readouterr().out.count("passed") == 2


def test_split_check_passes_on_package_and_chapter(capsys):
    check_split_lstm_kernel(split_lstm_kernel)
    check_split_lstm_kernel(solution("split_lstm_kernel"))
    assert capsys.readouterr().out.count("passed") == 2


CONV, SPLIT = check_tf_conv_to_conv1d, check_split_lstm_kernel
MISTAKES = [
    Mistake("no-reordering", CONV, lambda w: w[0], r"has shape \(3, 4, 5\), expected \(5, 4, 3\)",
            r"permute\(2, 1, 0\)"),
    Mistake("width-and-channels-swapped", CONV, lambda w: w[0].permute(2, 0, 1),
            r"has shape \(5, 3, 4\), expected \(5, 4, 3\)", "width and channels are swapped"),
    Mistake("height-axis-kept", CONV, lambda w: w.permute(0, 3, 2, 1),
            r"has shape \(1, 5, 4, 3\), expected \(5, 4, 3\)", "leading height axis"),
    Mistake("reshape", CONV, lambda w: w.reshape(w.shape[3], w.shape[2], w.shape[1]),
            r"differs at index \(0, 0, 1\): got 1\.02827, expected -0\.154625", "reshape keeps the memory order"),
    Mistake("flipped-kernel", CONV, lambda w: w[0].permute(2, 1, 0).flip(-1),
            r"differs at index \(0, 0, 0\): got -?\d", "reversed along the width"),
    Mistake("missing-transpose", SPLIT, lambda w, d: (w[:d], w[d:]),
            r"input_weight \(W_0 of shape \(9, 8\), input_dim=6\) has shape \(6, 8\), expected \(8, 6\)",
            r"a missing transpose.*\(8, 6\)"),
    Mistake("recurrent-rows-first", SPLIT, lambda w, d: (w[-d:].T, w[:-d].T),
            r"input_weight .* differs at index \(0, 0\)", "input rows come FIRST"),
    Mistake("recurrent-rows-first-square", SPLIT,
            lambda w, d: (w[w.shape[0] - d:].T, w[: w.shape[0] - d].T) if w.shape[0] == 2 * d
            else (w[:d].T, w[d:].T), r"input_dim=4\) differs at index \(0, 0\)", "input rows come FIRST"),
    Mistake("split-columns", SPLIT, lambda w, d: (w[:, :d].T, w[:, d:].T),
            r"has shape \(6, 9\), expected \(8, 6\)", "along its rows"),
    Mistake("recurrent-not-transposed", SPLIT, lambda w, d: (w[:d].T, w[d:]),
            r"recurrent_weight .* has shape \(3, 8\), expected \(8, 3\)", r"missing transpose.*\(8, 3\)"),
    Mistake("one-tensor", SPLIT, lambda w, d: w[:d].T, r"returned a Tensor of shape \(8, 6\)",
            "return input_weight, recurrent_weight"),
]


STATEFUL = check_stateful_prediction
MISTAKES += [
    Mistake("nothing-changes", STATEFUL, lambda: [False, False, False],
            r"says layer 1 stays, layer 2 stays; measured changes of layers 0, 1, 2: "
            r"\[False, True, True\]", "not from zeros"),
    Mistake("everything-changes", STATEFUL, lambda: [True, True, True],
            r"says layer 0 changes;", "char-CNN.*keeps no state"),
    Mistake("only-layer-0", STATEFUL, lambda: [True, False, False], "says layer 0 changes, layer 1 stays",
            "char-CNN"),
    Mistake("only-layer-1", STATEFUL, lambda: [False, True, False], "says layer 2 stays;",
            "reads layer 1's changed output"),
    Mistake("only-layer-2", STATEFUL, lambda: [False, False, True], "says layer 1 stays;",
            "layer 1's LSTM starts the second call"),
    Mistake("numbers-not-booleans", STATEFUL, lambda: [0, 1, 1],
            r"returned a list of 3 items, expected 3 booleans", "each True or False"),
    Mistake("a-dict", STATEFUL, lambda: {0: False, 1: True, 2: True},
            r"returned a dict of 3 items, expected 3 booleans", r"\[layer 0 changes"),
]


def test_stateful_check_passes_on_the_chapter_and_measures_the_answer(capsys):
    check_stateful_prediction(solution("predict_stateful"))
    assert "layers 1 and 2 change" in capsys.readouterr().out


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_ids(MISTAKES))
def test_messages_name_the_mistake(mistake):
    assert_message(mistake)


@pytest.mark.parametrize("check", [CONV, SPLIT, STATEFUL])
def test_checks_fail_on_the_stub(check):
    with pytest.raises(AssertionError, match="not implemented yet"):
        check(stub)
