"""Why ``LstmCellWithProjection.forward`` loops the way it does (chapter 5).

    python benchmarks/bench_lstm_steps.py

Times forward + backward of one mini-ELMo LSTM layer (input 128, cell 512, projection 128) on
2,400-token batches of different sentence lengths (every row real, as in a length-bucketed
training batch), three ways:

  * ``indexing``: the loop reads ``x_gates[:, t]`` at every step. Autograd records each indexing,
    and the gradient of each is a zero tensor the size of the whole ``x_gates`` (B, T, 4C) with
    one step filled in: T such tensors per layer, so the backward pass grows as T^2.
  * ``unbind``: ``x_gates.unbind(1)`` once (its gradient is one stack), masking every step.
  * ``package``: the package's loop, which also skips the masking while every row is real.

All three compute the same outputs and gradients (checked here). Prints milliseconds per batch
(figures, not a timed test).
"""

from __future__ import annotations

import argparse
import time

import torch

from elmo_mini.lstm import LstmCellWithProjection


def masked_loop(cell: LstmCellWithProjection, inputs: torch.Tensor, unbind: bool) -> torch.Tensor:
    """The loop with masking at every step, reading each step's ``x_gates`` by indexing or from
    one ``unbind``: outputs (B, T, P)."""
    batch, steps, _ = inputs.shape
    h, c = cell.zero_state(batch, inputs)
    x_gates = cell.input_linear(inputs)  # (B, T, 4C)
    keep = torch.ones(batch, steps, 1)  # (B, T, 1): no padding here
    x_steps = x_gates.unbind(1) if unbind else None
    outputs = []
    for t in range(steps):
        x_t = x_steps[t] if unbind else x_gates[:, t]  # (B, 4C)
        new_h, new_c = cell.step(x_t, (h, c))
        m = keep[:, t]  # (B, 1)
        h = m * new_h + (1 - m) * h
        c = m * new_c + (1 - m) * c
        outputs.append(new_h * m)
    return torch.stack(outputs, dim=1)


def indexing_forward(cell: LstmCellWithProjection, inputs: torch.Tensor) -> torch.Tensor:
    return masked_loop(cell, inputs, unbind=False)


def unbind_forward(cell: LstmCellWithProjection, inputs: torch.Tensor) -> torch.Tensor:
    return masked_loop(cell, inputs, unbind=True)


def package_forward(cell: LstmCellWithProjection, inputs: torch.Tensor) -> torch.Tensor:
    mask = torch.ones(inputs.shape[:2], dtype=torch.bool)
    return cell(inputs, mask)[0]


def time_it(forward, cell, inputs, grad_out, repeats: int) -> float:
    """Milliseconds of forward + backward, best of ``repeats``."""
    best = float("inf")
    for _ in range(repeats + 1):  # the first run warms up
        cell.zero_grad()
        start = time.perf_counter()
        forward(cell, inputs).backward(grad_out)
        best = min(best, time.perf_counter() - start)
    return 1000 * best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tokens", type=int, default=2400, help="tokens per batch (B x T)")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    cell = LstmCellWithProjection(128, 512, 128)

    print(f"one LSTM layer (128 -> cell 512 -> 128), forward + backward, {args.tokens} tokens/batch,"
          f" {args.threads} threads, best of {args.repeats}")
    print(f"{'T':>4} {'B':>5} {'indexing ms':>12} {'unbind ms':>10} {'package ms':>11} "
          f"{'unbind vs indexing':>19} {'package vs unbind':>18}")
    ways = (indexing_forward, unbind_forward, package_forward)
    for steps in (10, 25, 50, 100):
        batch = max(1, args.tokens // steps)
        inputs = torch.randn(batch, steps, 128)
        grad_out = torch.randn(batch, steps, 128)
        # same outputs and gradients all three ways
        grads = []
        for forward in ways:
            cell.zero_grad()
            forward(cell, inputs).backward(grad_out)
            grads.append([p.grad.clone() for p in cell.parameters()])
        for a, b, c in zip(*grads):
            torch.testing.assert_close(a, b)
            torch.testing.assert_close(a, c)
        slow, mid, fast = (time_it(f, cell, inputs, grad_out, args.repeats) for f in ways)
        print(f"{steps:>4} {batch:>5} {slow:>12.1f} {mid:>10.1f} {fast:>11.1f} "
              f"{slow / mid:>18.2f}x {mid / fast:>17.2f}x")

if __name__ == "__main__":
    main()
