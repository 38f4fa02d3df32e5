"""The chapter 11 self-checks pass on the chapter's solutions and fail, with a useful message,
on a stub and on plausible wrong answers."""


import pytest
import torch
from book_cells import solution_function, stub

from elmo_mini.checks import check_split_lstm_kernel, check_tf_conv_to_conv1d
from elmo_mini.original import split_lstm_kernel, tf_conv_to_conv1d

CHAPTER = "11_real_elmo"


def solution(name: str):
    """The function ``name`` as the chapter's solution cell defines it."""
    return solution_function(CHAPTER, name, {"torch": torch})


def test_conv_check_passes_on_package_and_chapter(capsys):
    check_tf_conv_to_conv1d(tf_conv_to_conv1d)
    check_tf_conv_to_conv1d(solution("tf_conv_to_conv1d"))
    assert capsys.readouterr().out.count("passed") == 2


@pytest.mark.parametrize("wrong, message", [
    (stub, "not implemented yet"),
    (lambda w: w[0], "has shape \\(3, 4, 5\\), expected \\(5, 4, 3\\)"),  # no reordering
    (lambda w: w[0].permute(2, 0, 1), "has shape \\(5, 3, 4\\)"),  # width and channels swapped
    (lambda w: w.reshape(w.shape[3], w.shape[2], w.shape[1]), "differs at index"),  # reshape
    (lambda w: w[0].permute(2, 1, 0).flip(-1), "differs at index"),  # flipped kernel
])
def test_conv_check_fails_on_wrong_answers(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_tf_conv_to_conv1d(wrong)


def test_split_check_passes_on_package_and_chapter(capsys):
    check_split_lstm_kernel(split_lstm_kernel)
    check_split_lstm_kernel(solution("split_lstm_kernel"))
    assert capsys.readouterr().out.count("passed") == 2


@pytest.mark.parametrize("wrong, message", [
    (stub, "not implemented yet"),
    (lambda w, d: (w[:d], w[d:]), "has shape \\(6, 8\\), expected \\(8, 6\\)"),  # not transposed
    (lambda w, d: (w[-d:].T, w[:-d].T), "FIRST input_dim rows"),  # recurrent rows first
    (lambda w, d: (w[w.shape[0] - d:].T, w[: w.shape[0] - d].T), "differs at index"),  # same, when in == P
    (lambda w, d: w[:d].T, "two tensors"),
])
def test_split_check_fails_on_wrong_answers(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_split_lstm_kernel(wrong)
