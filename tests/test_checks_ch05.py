"""Chapter 5's self-checks: they pass on the book's solutions and fail on stubs and wrong answers."""

from __future__ import annotations

import pytest
import torch
from book_cells import run_solution, stub

from elmo_mini.checks import check_lstm_parameter_count, check_lstm_step, check_reverse_padded

CHAPTER = "05_bilstm"


def solution(label: str) -> dict:
    """The namespace after running the chapter's solution to exercise ``label``."""
    return run_solution(CHAPTER, label, {"torch": torch})


# ---- reverse_padded ---------------------------------------------------------------------------
def test_reverse_padded_passes_on_the_solution(capsys):
    check_reverse_padded(solution("ex-05-reverse-padded")["reverse_padded"])
    assert "passed" in capsys.readouterr().out


def test_reverse_padded_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_reverse_padded(stub)


def test_reverse_padded_fails_on_flip():
    with pytest.raises(AssertionError, match="torch.flip"):
        check_reverse_padded(lambda x, lengths: torch.flip(x, dims=[1]))


def test_reverse_padded_fails_on_a_loop_that_forgets_trailing_dims():
    def only_2d(x, lengths):  # right for (B, T), wrong shape logic otherwise
        out = x.clone()
        for b, n in enumerate(lengths.tolist()):
            out[b, :n] = x[b, :n].flip(0) if x.dim() == 2 else x[b, :n]
        return out

    with pytest.raises(AssertionError, match="differs"):
        check_reverse_padded(only_2d)


def test_reverse_padded_fails_when_padding_is_reversed_too():
    def off_by_one(x, lengths):  # reverses one step too many, pulling padding in
        out = x.clone()
        for b, n in enumerate(lengths.tolist()):
            m = min(n + 1, x.shape[1])
            out[b, :m] = x[b, :m].flip(0)
        return out

    with pytest.raises(AssertionError, match="lengths"):
        check_reverse_padded(off_by_one)


# ---- lstm_step --------------------------------------------------------------------------------
def _step(order="igfo", forget_bias=1.0, clip_c=True, clip_h=True):
    def lstm_step(x, h, c, W_x, W_h, b, W_P, cell_clip=3.0, proj_clip=3.0):
        blocks = dict(zip(order, (x @ W_x + h @ W_h + b).chunk(4, dim=-1)))
        c = torch.sigmoid(blocks["f"] + forget_bias) * c + torch.sigmoid(blocks["i"]) * torch.tanh(blocks["g"])
        if clip_c:
            c = c.clamp(-cell_clip, cell_clip)
        h = (torch.sigmoid(blocks["o"]) * torch.tanh(c)) @ W_P
        return (h.clamp(-proj_clip, proj_clip) if clip_h else h), c

    return lstm_step


def test_lstm_step_passes_on_the_solution(capsys):
    check_lstm_step(solution("ex-05-lstm-step")["lstm_step"])
    assert "passed" in capsys.readouterr().out


def test_lstm_step_passes_on_a_correct_variant():
    check_lstm_step(_step())


def test_lstm_step_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_lstm_step(stub)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (_step(order="ifgo"), "PyTorch's order"),
        (_step(forget_bias=0.0), "forget bias"),
        (_step(clip_c=False), "no cell clip"),
        (_step(clip_h=False), "no projection clip"),
    ],
)
def test_lstm_step_names_the_mistake(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_lstm_step(wrong)


def test_lstm_step_fails_on_a_single_return_value():
    with pytest.raises(AssertionError, match="two tensors"):
        check_lstm_step(lambda *args, **kwargs: _step()(*args, **kwargs)[0])


# ---- lstm_parameter_count ---------------------------------------------------------------------
def test_parameter_count_passes_on_the_solution(capsys):
    check_lstm_parameter_count(solution("ex-05-parameter-count")["lstm_parameter_count"])
    assert "passed" in capsys.readouterr().out


def test_parameter_count_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_lstm_parameter_count(stub)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda i, c, p: i * 4 * c + p * 4 * c + c * p, "bias"),
        (lambda i, c, p: i * 4 * c + 4 * c + p * 4 * c, "projection"),
        (lambda i, c, p: i * 4 * c + 4 * c + c * 4 * c + c * p, "size P, not C"),
    ],
)
def test_parameter_count_names_the_mistake(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_lstm_parameter_count(wrong)
