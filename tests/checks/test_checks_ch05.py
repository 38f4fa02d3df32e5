"""Chapter 5's self-checks: they pass on the book's solutions and fail on stubs and wrong answers."""

from __future__ import annotations

import pytest
import torch
from support.book_cells import run_solution, stub
from support.check_messages import Mistake, assert_message, mistake_ids

from elmo_mini.checks import (
    check_lstm_parameter_count,
    check_lstm_step,
    check_reverse_padded,
    check_unchanged_positions,
)

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


def _only_2d(x, lengths):  # right for (B, T), forgets to reverse when there are trailing dims
    out = x.clone()
    for b, n in enumerate(lengths.tolist()):
        out[b, :n] = x[b, :n].flip(0) if x.dim() == 2 else x[b, :n]
    return out


def _reversed_over(extra):
    def reverse_padded(x, lengths):  # reverses lengths[b] + extra steps of every row
        out = x.clone()
        for b, n in enumerate(lengths.tolist()):
            m = max(0, min(n + extra, x.shape[1]))
            out[b, :m] = x[b, :m].flip(0)
        return out

    return reverse_padded


def _padding_zeroed(x, lengths):
    out = _reversed_over(0)(x, lengths)
    steps = torch.arange(x.shape[1])[None, :] < lengths[:, None]
    return out * steps.view(*steps.shape, *([1] * (x.dim() - 2)))


REV = check_reverse_padded
REVERSE_MISTAKES = [
    Mistake("torch-flip", REV, lambda x, lengths: torch.flip(x, dims=[1]),
            r"on x of shape \(4, 5\) differs at index \(1, 0\): got -1, expected 7", "torch.flip"),
    Mistake("one-step-too-many", REV, _reversed_over(1), r"differs at index \(1, 0\): got -1, expected 7",
            "row 1 has length 2 but you reversed its first 3 steps"),
    Mistake("one-step-too-few", REV, _reversed_over(-1), r"differs at index \(0, 0\): got 4, expected 5",
            "row 0 has length 5 but you reversed its first 4 steps"),
    Mistake("padding-zeroed", REV, _padding_zeroed, r"differs at index \(1, 2\): got 0, expected -1",
            "changed its padding"),
    Mistake("only-2d", REV, _only_2d, r"on x of shape \(4, 5, 3\) differs at index \(0, 0, 0\)",
            "nothing was reversed"),
]


# ---- lstm_step --------------------------------------------------------------------------------
def _step(order="igfo", forget_bias=1.0, clip_c=True, clip_h=True, h_from="new", project=True):
    def lstm_step(x, h, c, W_x, W_h, b, W_P, cell_clip=3.0, proj_clip=3.0):
        blocks = dict(zip(order, (x @ W_x + h @ W_h + b).chunk(4, dim=-1)))
        unclipped = torch.sigmoid(blocks["f"] + forget_bias) * c + torch.sigmoid(blocks["i"]) * torch.tanh(blocks["g"])
        new_c = unclipped.clamp(-cell_clip, cell_clip) if clip_c else unclipped
        memory = {"new": new_c, "old": c, "unclipped": unclipped}[h_from]
        h = torch.sigmoid(blocks["o"]) * torch.tanh(memory)
        h = h @ W_P if project else h
        return (h.clamp(-proj_clip, proj_clip) if clip_h else h), new_c

    return lstm_step


def test_lstm_step_passes_on_the_solution(capsys):
    check_lstm_step(solution("ex-05-lstm-step")["lstm_step"])
    assert "passed" in capsys.readouterr().out


def test_lstm_step_passes_on_a_correct_variant():
    check_lstm_step(_step())


def test_lstm_step_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_lstm_step(stub)


STEP = check_lstm_step
STEP_MISTAKES = [
    Mistake("pytorch-gate-order", STEP, _step(order="ifgo"),
            r"the new memory c differs at index \(\d, \d\): got -?\d", "PyTorch's order"),
    Mistake("forget-bias-left-out", STEP, _step(forget_bias=0.0), "the new memory c differs",
            "no forget bias"),
    Mistake("no-cell-clip", STEP, _step(clip_c=False), r"got 3\.\d+, expected 3", "no cell clip"),
    Mistake("no-projection-clip", STEP, _step(clip_h=False), "the new output h differs",
            "no projection clip"),
    Mistake("both-clips-missing", STEP, _step(clip_c=False, clip_h=False), "the new memory c differs",
            "neither clip"),
    Mistake("h-from-old-memory", STEP, _step(h_from="old"), "the new output h differs", "OLD memory"),
    Mistake("h-before-the-clip", STEP, _step(h_from="unclipped"), "the new output h differs",
            "before its clip"),
    Mistake("i-and-f-swapped", STEP, _step(order="fgio"), "the new memory c differs",
            "i and f swapped"),
    Mistake("no-projection", STEP, _step(project=False), r"h has shape \(3, 4\), expected \(3, 2\)",
            "P columns, not C"),
    Mistake("h-only", STEP, lambda *args, **kwargs: _step()(*args, **kwargs)[0],
            r"returned a Tensor of shape \(3, 2\)", "return h, c"),
    Mistake("recurrent-weight-transposed", STEP,
            lambda x, h, c, W_x, W_h, *rest, **kw: _step()(x, h, c, W_x, W_h.T, *rest, **kw),
            "raised RuntimeError", r"W_h \(P, 4C\)"),
]


# ---- lstm_parameter_count ---------------------------------------------------------------------
def test_parameter_count_passes_on_the_solution(capsys):
    check_lstm_parameter_count(solution("ex-05-parameter-count")["lstm_parameter_count"])
    assert "passed" in capsys.readouterr().out


def test_parameter_count_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_lstm_parameter_count(stub)


COUNT = check_lstm_parameter_count
COUNT_MISTAKES = [
    Mistake("no-bias", COUNT, lambda i, c, p: i * 4 * c + p * 4 * c + c * p,
            r"lstm_parameter_count\(3, 4, 2\) returned 88, expected 104", "bias"),
    Mistake("no-projection", COUNT, lambda i, c, p: i * 4 * c + 4 * c + p * 4 * c, "returned 96",
            "projection"),
    Mistake("recurrent-reads-c", COUNT, lambda i, c, p: i * 4 * c + 4 * c + c * 4 * c + c * p,
            "returned 136", "size P, not C"),
    Mistake("no-recurrent", COUNT, lambda i, c, p: i * 4 * c + 4 * c + c * p, "returned 72",
            "recurrent matrix W_h"),
    Mistake("two-biases", COUNT, lambda i, c, p: i * 4 * c + 8 * c + p * 4 * c + c * p,
            "returned 120", "nn.LSTM"),
    Mistake("projection-bias", COUNT, lambda i, c, p: i * 4 * c + 4 * c + p * 4 * c + c * p + p,
            "returned 106", "no bias"),
]


# ---- unchanged_positions (predict, then check) ------------------------------------------------
def test_unchanged_positions_passes_on_the_solution(capsys):
    check_unchanged_positions(solution("ex-05-unchanged-positions")["unchanged_positions"])
    assert "passed" in capsys.readouterr().out


def test_unchanged_positions_fails_on_the_stub():
    with pytest.raises(AssertionError, match="not implemented"):
        check_unchanged_positions(stub)


def test_unchanged_positions_leaves_the_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    check_unchanged_positions(solution("ex-05-unchanged-positions")["unchanged_positions"])
    assert torch.equal(torch.rand(3), expected)


def _predict(token, forward, backward):
    """A prediction from one rule per row: each maps (changed, n_positions) to positions."""
    rules = {"token": token, "forward": forward, "backward": backward}
    return lambda row, changed, n: rules[row](changed, n)


def _right_token(c, n):
    return [t for t in range(n) if t != c]


def _right_forward(c, n):
    return list(range(c))


def _right_backward(c, n):
    return list(range(c + 1, n))


UNCH = check_unchanged_positions
UNCHANGED_MISTAKES = [
    Mistake("directions-swapped", UNCH, _predict(_right_token, _right_backward, _right_forward),
            r"unchanged_positions\('forward', changed=3, n_positions=8\) returned "
            r"\[4, 5, 6, 7\], measured \[0, 1, 2\]", "reads left to right"),
    Mistake("changed-word-included", UNCH,
            _predict(_right_token, lambda c, n: list(range(c + 1)), _right_backward),
            r"returned \[0, 1, 2, 3\], measured \[0, 1, 2\]", "changed word itself"),
    Mistake("backward-changed-word-included", UNCH,
            _predict(_right_token, _right_forward, lambda c, n: list(range(c, n))),
            r"'backward', changed=3, n_positions=8\) returned \[3, 4, 5, 6, 7\]",
            "changed word itself"),
    Mistake("boundaries-left-out", UNCH,
            _predict(_right_token, lambda c, n: list(range(1, c)), _right_backward),
            r"returned \[1, 2\], measured \[0, 1, 2\]", r"<S> \(position 0\)"),
    Mistake("token-changes-everywhere", UNCH, _predict(lambda c, n: [], _right_forward,
                                                       _right_backward),
            r"'token', changed=3, n_positions=8\) returned \[\], measured", "own char-CNN vector"),
    Mistake("token-never-changes", UNCH, _predict(lambda c, n: list(range(n)), _right_forward,
                                                  _right_backward),
            r"returned \[0, 1, 2, 3, 4, 5, 6, 7\]", "characters differ"),
    Mistake("lstm-changes-everywhere", UNCH, _predict(_right_token, lambda c, n: [],
                                                      _right_backward),
            r"'forward', changed=3, n_positions=8\) returned \[\]", "one side of it"),
    Mistake("word-index-not-position", UNCH,
            _predict(_right_token, lambda c, n: list(range(c - 1)), _right_backward),
            r"returned \[0, 1\], measured \[0, 1, 2\]", "shifted by one"),
    Mistake("a-count-not-a-list", UNCH, lambda row, c, n: c, r"returned int 3, not a list",
            r"list of ints"),
]

MISTAKES = REVERSE_MISTAKES + STEP_MISTAKES + COUNT_MISTAKES + UNCHANGED_MISTAKES


@pytest.mark.parametrize("mistake", MISTAKES, ids=mistake_ids(MISTAKES))
def test_messages_name_the_mistake(mistake):
    assert_message(mistake)
