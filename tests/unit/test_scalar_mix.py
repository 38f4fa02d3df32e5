"""elmo_mini.scalar_mix: a softmax-weighted, scaled sum of the layers."""

from __future__ import annotations

import torch

from elmo_mini import ScalarMix


def test_scalar_mix_is_a_softmax_weighted_scaled_sum():
    mix = ScalarMix(3)
    layers = [torch.full((2, 4, 5), float(k)) for k in range(3)]
    torch.testing.assert_close(mix(layers), torch.full((2, 4, 5), 1.0))  # equal weights: mean
    with torch.no_grad():
        mix.scalars.copy_(torch.tensor([0.0, 0.0, 100.0]))
        mix.gamma.fill_(2.0)
    torch.testing.assert_close(mix(layers), torch.full((2, 4, 5), 4.0))
    normed = ScalarMix(3, do_layer_norm=True)(
        [torch.randn(2, 4, 5) * 3 + 1 for _ in range(3)], torch.ones(2, 4, dtype=torch.bool)
    )
    assert normed.shape == (2, 4, 5)
