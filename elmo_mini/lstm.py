"""ELMo's LSTM: a cell with a projection and clipping, stacked in one direction (chapter 5).

The cell is the original's (TensorFlow ``LSTMCell`` with ``num_proj``, no peepholes):

    [i, g, f, o] = x_t W_x + h_{t-1} W_h + b        (gate blocks in TF order i, j, f, o)
    c_t = sigmoid(f + 1) * c_{t-1} + sigmoid(i) * tanh(g)     ("+ 1": TF's forget_bias)
    c_t = clip(c_t, +-cell_clip)
    h_t = clip((sigmoid(o) * tanh(c_t)) W_P, +-proj_clip)     (projection C -> P, no bias)

The stored bias does not include the forget bias of 1; it is added at run time, as in TF,
so that a freshly initialised cell starts out remembering.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import torch
from torch import nn

from .config import ElmoConfig

State = Tuple[torch.Tensor, torch.Tensor]  # (h (B, P), c (B, C))


class LstmCellWithProjection(nn.Module):
    """One LSTM layer in one direction, run over a whole (padded) sequence.

    Args:
        input_dim: size of x_t.
        cell_dim: C, the size of the memory cell c_t.
        projection_dim: P, the size of the output h_t.
        cell_clip, proj_clip: clip values (None or 0: no clipping).
    """

    FORGET_BIAS = 1.0

    def __init__(
        self,
        input_dim: int,
        cell_dim: int,
        projection_dim: int,
        cell_clip: Optional[float] = 3.0,
        proj_clip: Optional[float] = 3.0,
    ) -> None:
        super().__init__()
        self.cell_dim, self.projection_dim = cell_dim, projection_dim
        self.cell_clip, self.proj_clip = cell_clip, proj_clip
        self.input_linear = nn.Linear(input_dim, 4 * cell_dim)  # W_x and b
        self.state_linear = nn.Linear(projection_dim, 4 * cell_dim, bias=False)  # W_h
        self.projection = nn.Linear(cell_dim, projection_dim, bias=False)  # W_P

    def step(self, x_gates: torch.Tensor, state: State) -> State:
        """One time step. ``x_gates`` is ``x_t W_x + b`` (B, 4C); returns the new (h, c)."""
        h, c = state  # (B, P), (B, C)
        gates = x_gates + self.state_linear(h)  # (B, 4C)
        i, g, f, o = gates.chunk(4, dim=-1)  # each (B, C)
        c = torch.sigmoid(f + self.FORGET_BIAS) * c + torch.sigmoid(i) * torch.tanh(g)
        if self.cell_clip:
            c = c.clamp(-self.cell_clip, self.cell_clip)
        h = self.projection(torch.sigmoid(o) * torch.tanh(c))  # (B, P)
        if self.proj_clip:
            h = h.clamp(-self.proj_clip, self.proj_clip)
        return h, c

    def zero_state(self, batch: int, like: torch.Tensor) -> State:
        return (
            like.new_zeros(batch, self.projection_dim),
            like.new_zeros(batch, self.cell_dim),
        )

    def forward(
        self, inputs: torch.Tensor, mask: torch.Tensor, state: Optional[State] = None
    ) -> Tuple[torch.Tensor, State]:
        """Run left to right over ``inputs`` (B, T, in) with ``mask`` (B, T).

        Padding must come after each row's real steps; at padded steps the state is kept and
        the output is zero, so the final state is the state after the row's last real step.
        Returns outputs (B, T, P) and the final state.
        """
        batch, steps, _ = inputs.shape
        h, c = state if state is not None else self.zero_state(batch, inputs)
        x_gates = self.input_linear(inputs)  # (B, T, 4C): all input products in one matmul
        keep = mask.unsqueeze(-1).to(inputs.dtype)  # (B, T, 1)
        # unbind once rather than index x_gates[:, t] per step: the gradient of each indexing is
        # a zero-filled (B, T, 4C) tensor, which made training's backward pass O(T^2).
        x_steps, keep_steps = x_gates.unbind(1), keep.unbind(1)  # T x (B, 4C), T x (B, 1)
        # Up to the shortest row's length every row is real, so the masking below would keep
        # every new state: skipping it there gives the same numbers without its nine
        # element-wise operations per step (and their gradients).
        all_real = int(mask.sum(dim=1).min()) if batch else 0
        outputs = []
        for t in range(steps):
            new_h, new_c = self.step(x_steps[t], (h, c))
            if t < all_real:
                h, c = new_h, new_c
                outputs.append(new_h)
                continue
            m = keep_steps[t]  # (B, 1): 1 where step t is real
            h = m * new_h + (1 - m) * h
            c = m * new_c + (1 - m) * c
            outputs.append(new_h * m)
        out = torch.stack(outputs, dim=1) if outputs else inputs.new_zeros(batch, 0, self.projection_dim)
        return out, (h, c)


def reverse_padded(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each row of ``x`` (B, T, ...) within its own length; padding stays at the end."""
    steps = x.shape[1]
    positions = torch.arange(steps, device=x.device)[None, :]  # (1, T)
    lengths = lengths[:, None]  # (B, 1)
    index = torch.where(positions < lengths, lengths - 1 - positions, positions)  # (B, T)
    index = index.view(*index.shape, *([1] * (x.dim() - 2))).expand_as(x)
    return x.gather(1, index)


class LstmStack(nn.Module):
    """All LSTM layers of one direction (forward or backward) of the biLM.

    Every layer maps P -> P. With ``use_skip_connections``, layers after the first add their
    input to their output (a residual connection). The backward stack reverses each sentence
    within its own length, runs left to right, and reverses the outputs back.
    """

    def __init__(self, config: ElmoConfig, backward: bool = False, dropout: float = 0.0) -> None:
        super().__init__()
        self.backward = backward
        self.use_skip_connections = config.use_skip_connections
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.ModuleList(
            LstmCellWithProjection(
                config.projection_dim,
                config.lstm_dim,
                config.projection_dim,
                config.cell_clip,
                config.proj_clip,
            )
            for _ in range(config.n_layers)
        )

    def forward(
        self,
        inputs: torch.Tensor,
        mask: torch.Tensor,
        states: Optional[List[State]] = None,
    ) -> Tuple[List[torch.Tensor], List[State]]:
        """``inputs`` (B, T, P), ``mask`` (B, T) -> (one (B, T, P) output per layer, final states).

        ``states`` holds an initial (h, c) per layer (default zeros); the final states are the
        ones a stateful caller passes to the next batch.
        """
        lengths = mask.sum(dim=1)  # (B,)
        x = reverse_padded(inputs, lengths) if self.backward else inputs
        outputs, finals = [], []
        for k, layer in enumerate(self.layers):
            out, final = layer(self.dropout(x), mask, states[k] if states is not None else None)
            if self.use_skip_connections and k > 0:
                out = out + x  # residual: (B, T, P)
            outputs.append(out)
            finals.append(final)
            x = out
        if self.backward:
            outputs = [reverse_padded(out, lengths) for out in outputs]
        return outputs, finals
