"""Self-checks for chapter 5 (the biLSTM): reversing a padded batch, one LSTM step, its size, and
the prediction of which outputs a one-word change leaves exactly unchanged."""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import torch

from ..bilm import BiLM
from ..chars import batch_to_ids
from ..config import ElmoConfig
from ..lstm import LstmCellWithProjection, reverse_padded
from .common import as_array, assert_close, call, describe, fail, passed, plain

# Three rows of lengths 5, 2 and 4 (padding after each row's end), plus an empty row.
_LENGTHS = torch.tensor([5, 2, 4, 0])


def _padded_batch(*trailing: int) -> torch.Tensor:
    """(4, 5, *trailing): distinct numbers at real steps, -1 at padding (so a move shows)."""
    shape = (4, 5, *trailing)
    x = torch.arange(1, torch.Size(shape).numel() + 1, dtype=torch.float32).view(shape)
    real = torch.arange(5)[None, :] < _LENGTHS[:, None]  # (B, T)
    real = real.view(4, 5, *([1] * len(trailing)))
    return torch.where(real, x, torch.full_like(x, -1.0))


def _reverse_hint(got, x: torch.Tensor) -> str:
    """Name the likely mistake of a wrong reverse_padded."""
    got_a = as_array(got, "reverse_padded(x, lengths)")
    x_a = x.numpy()
    if got_a.shape != x_a.shape:
        return "the output has the shape of the input: (B, T, ...) in, (B, T, ...) out"
    if (got_a == x_a[:, ::-1]).all():
        return ("that is torch.flip over the whole padded row, which puts the padding first: "
                "reverse each row within its own length instead")
    if (got_a == x_a).all():
        return "nothing was reversed: row b's first lengths[b] steps come back in reverse order"
    for b, n in enumerate(_LENGTHS.tolist()):
        if (got_a[b] == reverse_padded(x, _LENGTHS)[b].numpy()).all():
            continue
        for m in range(x.shape[1] + 1):  # the row reversed over its first m steps?
            if (got_a[b, :m] == x_a[b, :m][::-1]).all() and (got_a[b, m:] == x_a[b, m:]).all():
                return (f"row {b} has length {n} but you reversed its first {m} steps: reverse "
                        "exactly lengths[b] steps and leave the padding after them in place")
        if not (got_a[b, n:] == x_a[b, n:]).all():
            return (f"row {b} (length {n}) changed its padding: steps t >= lengths[b] stay "
                    "as they are")
        break
    return ("row b's step t (t < lengths[b]) must hold step lengths[b] - 1 - t of the input; "
            "padded steps (t >= lengths[b]) stay as they are")


def check_reverse_padded(fn: Callable) -> None:
    """``fn(x, lengths)`` reverses each row of ``x`` (B, T, ...) within its own length."""
    name = "reverse_padded"
    for trailing in [(), (3,), (2, 2)]:
        x = _padded_batch(*trailing)
        got = call(fn, x.clone(), _LENGTHS.clone(), name=f"{name} on x of shape {tuple(x.shape)}")
        expected = reverse_padded(x, _LENGTHS)
        shape = f"x of shape {tuple(x.shape)}"
        assert_close(got, expected, f"{name} on {shape}", _reverse_hint(got, x), rtol=0, atol=0)
    passed(name, "rows of lengths 5, 2, 4 and 0, with 0, 1 and 2 trailing dimensions")


# ---- one step of the cell ---------------------------------------------------------------------
def _cell_and_inputs():
    """A cell of sizes in=3, C=4, P=2, weights whose gate blocks differ, and a batch of 3."""
    g = torch.Generator().manual_seed(5)
    cell = LstmCellWithProjection(3, 4, 2, cell_clip=3.0, proj_clip=0.5)
    with torch.no_grad():
        for param in cell.parameters():
            param.copy_(torch.randn(param.shape, generator=g))
        cell.projection.weight.mul_(2.0)  # outputs beyond +-0.5: the projection clip bites
        bias = cell.input_linear.bias.view(4, 4)  # rows: gate blocks i, g, f, o; columns: units
        bias[0, :2] += 4.0  # units 0 and 1 write almost all of their candidate ...
        bias[1, :2] += torch.tensor([4.0, -4.0])  # ... of about +1 and -1 ...
        bias[2, :2] += 3.0  # ... and keep almost all of their memory: the cell clip bites
    x = 2 * torch.randn(3, 3, generator=g)  # (B, in)
    h = torch.randn(3, 2, generator=g)  # (B, P)
    c = torch.tensor([[2.9, -2.9, 2.5, -2.5], [1.0, 0.0, -1.0, 2.0], [0.0, 0.5, 2.8, -2.8]])
    weights = dict(
        W_x=cell.input_linear.weight.detach().T.clone(),  # (in, 4C)
        W_h=cell.state_linear.weight.detach().T.clone(),  # (P, 4C)
        b=cell.input_linear.bias.detach().clone(),  # (4C,)
        W_P=cell.projection.weight.detach().T.clone(),  # (C, P)
    )
    return cell, x, h, c, weights


def _step_variants(x, h, c, W_x, W_h, b, W_P, cell_clip, proj_clip):
    """Common wrong steps, for the hint: name -> (h, c)."""
    gates = x @ W_x + h @ W_h + b

    def run(order, forget_bias=1.0, clip_c=True, clip_h=True, h_from="new"):
        blocks = dict(zip(order, gates.chunk(4, dim=-1)))
        unclipped = (torch.sigmoid(blocks["f"] + forget_bias) * c
                     + torch.sigmoid(blocks["i"]) * torch.tanh(blocks["g"]))
        new_c = unclipped.clamp(-cell_clip, cell_clip) if clip_c else unclipped
        memory = {"new": new_c, "old": c, "unclipped": unclipped}[h_from]
        new_h = (torch.sigmoid(blocks["o"]) * torch.tanh(memory)) @ W_P
        if clip_h:
            new_h = new_h.clamp(-proj_clip, proj_clip)
        return new_h, new_c

    return {
        "the gate blocks in PyTorch's order i, f, g, o; ELMo's (TensorFlow's) order is i, g, f, o":
            run("ifgo"),
        "no forget bias: the forget gate is sigmoid(f + 1), the +1 added at every step":
            run("igfo", forget_bias=0.0),
        "no cell clip: clamp the new memory c to [-cell_clip, cell_clip] before computing h":
            run("igfo", clip_c=False),
        "no projection clip: clamp h = (sigmoid(o) * tanh(c)) @ W_P to [-proj_clip, proj_clip]":
            run("igfo", clip_h=False),
        "neither clip: clamp c to [-cell_clip, cell_clip], then h to [-proj_clip, proj_clip]":
            run("igfo", clip_c=False, clip_h=False),
        "h computed from the OLD memory: h = (sigmoid(o) * tanh(c_new)) @ W_P uses the new c":
            run("igfo", h_from="old"),
        "h computed from the memory before its clip: clamp c first, then h uses the clamped c":
            run("igfo", h_from="unclipped"),
        "the blocks i and f swapped: ELMo's (TensorFlow's) order is i, g, f, o":
            run("fgio"),
    }


def check_lstm_step(fn: Callable) -> None:
    """``fn(x, h, c, W_x, W_h, b, W_P, cell_clip, proj_clip)`` -> (h, c), one step of the cell."""
    name = "lstm_step"
    cell, x, h, c, weights = _cell_and_inputs()
    args = dict(weights, cell_clip=cell.cell_clip, proj_clip=cell.proj_clip)
    result = call(fn, x.clone(), h.clone(), c.clone(), **{k: (v.clone() if torch.is_tensor(v) else v)
                                                          for k, v in args.items()}, name=name,
                  hint="x is (B, in), h (B, P), c (B, C); W_x (in, 4C), W_h (P, 4C), W_P (C, P)")
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        fail(f"{name} returned {describe(result)}, not two tensors (h, c)",
             "return the new output and the new memory: return h, c")
    with torch.no_grad():
        expected = cell.step(cell.input_linear(x), (h, c))
    got_h = as_array(result[0], "h")
    if got_h.shape == (x.shape[0], c.shape[1]) != tuple(expected[0].shape):
        hint = "h is projected: (sigmoid(o) * tanh(c)) @ W_P has P columns, not C"
    else:
        hint = ("blocks i, g, f, o of x W_x + h W_h + b; c = sigmoid(f + 1) * c + sigmoid(i) * "
                "tanh(g), clamped; h = (sigmoid(o) * tanh(c)) @ W_P, clamped")
    for mistake, (wrong_h, wrong_c) in _step_variants(x, h, c, **args).items():
        got_h, got_c = (as_array(t, name) for t in result)
        if (got_h.shape == tuple(wrong_h.shape) and got_c.shape == tuple(wrong_c.shape)
                and torch.allclose(torch.as_tensor(got_h), wrong_h, atol=1e-5)
                and torch.allclose(torch.as_tensor(got_c), wrong_c, atol=1e-5)):
            hint = f"your step matches one with {mistake}"
            break
    assert_close(result[1], expected[1], "the new memory c", hint)
    assert_close(result[0], expected[0], "the new output h", hint)
    passed(name, "gate order i, g, f, o, forget bias +1, cell clip and projection clip")


# ---- size of a layer -------------------------------------------------------------------------
def _count(input_dim: int, cell_dim: int, projection_dim: int) -> int:
    cell = LstmCellWithProjection(input_dim, cell_dim, projection_dim)
    return sum(p.numel() for p in cell.parameters())


def check_lstm_parameter_count(fn: Callable) -> None:
    """``fn(input_dim, cell_dim, projection_dim)`` -> the number of weights of one layer."""
    name = "lstm_parameter_count"
    for dims in [(3, 4, 2), (8, 16, 8), (5, 7, 3)]:
        got = call(fn, *dims, name=name)
        expected = _count(*dims)
        if got != expected:
            i, c, p = dims
            hints = {
                expected + 4 * c: "one bias of 4C numbers: ELMo's cell (like TensorFlow's) has no "
                                  "second bias for h, unlike nn.LSTM",
                expected + p: "the projection W_P has no bias",
                expected - 4 * c: "you forgot the bias b (4C numbers)",
                expected - c * p: "you forgot the projection W_P (C x P)",
                expected - p * 4 * c + c * 4 * c: "the recurrent matrix W_h reads h, of size P, not C",
                expected - p * 4 * c: "you forgot the recurrent matrix W_h (P x 4C)",
            }
            hint = hints.get(got, "count W_x (in x 4C), b (4C), W_h (P x 4C) and W_P (C x P)")
            fail(f"{name}{dims} returned {got!r}, expected {expected}", hint)
    passed(name, f"three layer sizes, e.g. {_count(128, 1024, 128):,d} weights for C=1024, P=128")


# ---- predict, then check: what a one-word change leaves unchanged ------------------------------
# (sentence, position of the changed word counting <S> as 0, the new word: same length, so that
# the char-CNN sees inputs of the same shape)
_CHANGES = [
    (["the", "cat", "sat", "on", "the", "mat"], 3, "ran"),
    (["the", "cat", "sat", "on", "the", "mat"], 1, "one"),
    (["the", "cat", "sat", "on", "the", "mat"], 6, "rug"),
    (["we", "agree"], 2, "argue"),
]
ROWS = ("token", "forward", "backward")


@lru_cache(maxsize=1)
def _measured_unchanged() -> dict:
    """(row, changed, n_positions) -> the positions whose outputs stay exactly the same.

    Measured on a small random biLM: where information can flow does not depend on training.
    """
    config = ElmoConfig(char_dim=4, filters=[[1, 4], [2, 4]], lstm_dim=8, projection_dim=4)
    with torch.random.fork_rng(devices=[]):  # the reader's random state stays as it was
        torch.manual_seed(0)
        bilm = BiLM(config).eval()
    p = config.projection_dim
    measured = {}
    for words, changed, new_word in _CHANGES:
        other = list(words)
        other[changed - 1] = new_word
        with torch.no_grad():
            a, b = bilm(batch_to_ids([words])), bilm(batch_to_ids([other]))
        diff = [(x - y)[0] for x, y in zip(a.layers, b.layers)]  # each (T + 2, 2P)
        same = {  # row -> (T + 2,) True where every entry of every layer of the row is equal
            "token": (diff[0][:, :p] == 0).all(-1),
            "forward": torch.stack([(d[:, :p] == 0).all(-1) for d in diff[1:]]).all(0),
            "backward": torch.stack([(d[:, p:] == 0).all(-1) for d in diff[1:]]).all(0),
        }
        n = len(words) + 2
        for row in ROWS:
            measured[row, changed, n] = [int(t) for t in torch.nonzero(same[row]).flatten()]
    return measured


def _positions(value, name: str) -> list:
    """The student's answer as a sorted list of ints; a clear error for anything else."""
    if isinstance(value, torch.Tensor):
        value = value.tolist()
    try:
        items = sorted(int(v) for v in value)
        if any(int(v) != v for v in value):
            raise ValueError
    except (TypeError, ValueError):
        fail(f"{name} returned {describe(value)}, not a list of positions",
             "return the positions as a list of ints, such as [0, 1, 2]")
    return items


def _unchanged_hint(row: str, changed: int, n: int, got: list) -> str:
    """Name the likely mistake of a wrong prediction (the first wrong answer that ``got`` is)."""
    before, after = list(range(changed)), list(range(changed + 1, n))
    boundaries = "<S> (position 0) and </S> (the last) are outputs too"
    shifted = ("your positions are shifted by one: they count <S> as 0, so the changed word "
               "sits at position `changed` itself")
    if row == "token":
        wrong = [
            ([], "layer 0 is each token's own char-CNN vector, so only the changed word's "
                 "position changes there"),
            (list(range(n)), "the changed word's own token vector changes: its characters differ"),
            ([t for t in range(1, n - 1) if t != changed],
             f"{boundaries}, and their token vectors do not depend on the changed word"),
        ]
    else:
        forward = row == "forward"
        reads_it, misses_it = (after, before) if forward else (before, after)
        order, side = ("left to right", "before") if forward else ("right to left", "after")
        wrong = [
            (reads_it, f"the {row} LSTM reads {order}, so at the positions {side} the changed "
                       "word it has not read it yet: those stay unchanged"),
            (sorted(misses_it + [changed]), "at the changed word itself both directions change, "
                                            "since they read its new token vector"),
            ([], f"the {row} LSTM at a position has read only the words on one side of it, so "
                 "some positions never see the change"),
            ([t for t in misses_it if 0 < t < n - 1], f"{boundaries}, and they follow the same "
                                                       "rule as the words"),
            ([t - 1 for t in misses_it if t > 0], shifted),
            ([t + 1 for t in misses_it if t < n - 1], shifted),
        ]
    return next((hint for answer, hint in wrong if answer == got),
                "a direction's output at a position depends only on the words it has read so "
                "far, in its own reading order")


def check_unchanged_positions(fn: Callable) -> None:
    """``fn(row, changed, n_positions)``: positions whose ``row`` output a one-word change leaves.

    ``row`` is ``"token"`` (layer 0), ``"forward"`` or ``"backward"`` (the LSTM halves of layers 1
    and 2); positions count ``<S>`` as 0 and ``</S>`` as ``n_positions - 1``. The expected answers
    are measured on a biLM, not computed from a rule.
    """
    name = "unchanged_positions"
    for (row, changed, n), expected in _measured_unchanged().items():
        call_name = f"{name}({row!r}, changed={changed}, n_positions={n})"
        got = _positions(call(fn, row, changed, n, name=call_name), call_name)
        if got != expected:
            fail(f"{call_name} returned {plain(got)}, measured {plain(expected)}",
                 _unchanged_hint(row, changed, n, got))
    passed(name, f"{len(_CHANGES)} one-word changes, each row measured on a biLM")
