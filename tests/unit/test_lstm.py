"""elmo_mini.lstm: reversing padded rows, and a ragged batch equal to each row alone."""

from __future__ import annotations

import torch

from elmo_mini.lstm import reverse_padded


def test_reverse_padded_reverses_within_length():
    x = torch.arange(8).view(2, 4, 1).float()
    out = reverse_padded(x, torch.tensor([4, 2]))
    assert out[:, :, 0].tolist() == [[3, 2, 1, 0], [5, 4, 6, 7]]


def test_lstm_layer_on_a_ragged_batch_equals_each_row_alone():
    """Rows of different lengths in one batch: outputs, final states and input gradients are
    those of each row run alone (the layer skips masking while every row is still real)."""
    from elmo_mini.lstm import LstmCellWithProjection

    torch.manual_seed(0)
    layer = LstmCellWithProjection(6, 10, 4, cell_clip=0.5, proj_clip=0.5)
    lengths = [5, 2, 4]
    x = torch.randn(3, 5, 6, requires_grad=True)
    mask = torch.arange(5)[None, :] < torch.tensor(lengths)[:, None]  # (3, 5)
    out, (h, c) = layer(x, mask)
    (out.sum() + h.sum() + c.sum()).backward()
    for b, n in enumerate(lengths):
        row = x.detach()[b : b + 1, :n].clone().requires_grad_(True)
        out_b, (h_b, c_b) = layer(row, torch.ones(1, n, dtype=torch.bool))
        (out_b.sum() + h_b.sum() + c_b.sum()).backward()
        torch.testing.assert_close(out[b, :n], out_b[0])
        assert torch.all(out[b, n:] == 0)
        torch.testing.assert_close(h[b], h_b[0])
        torch.testing.assert_close(c[b], c_b[0])
        torch.testing.assert_close(x.grad[b, :n], row.grad[0])
        assert torch.all(x.grad[b, n:] == 0)
