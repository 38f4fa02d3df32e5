"""ScalarMix: one task-specific weighted sum of ELMo's layers (chapter 7).

    ELMo_task = gamma * sum_k softmax(s)_k * h_k          (Peters et al. 2018, equation 1)

The weights s start at 0 (an equal mix) and gamma at 1; both are learned with the task.
"""

from __future__ import annotations

from typing import Optional, Sequence

import torch
from torch import nn


class ScalarMix(nn.Module):
    """A softmax-weighted, scaled sum of ``n_layers`` tensors of the same shape.

    Args:
        n_layers: how many layers are mixed (ELMo: n_lstm_layers + 1).
        do_layer_norm: normalise each layer first, over all its unmasked elements.
    """

    def __init__(self, n_layers: int, do_layer_norm: bool = False) -> None:
        super().__init__()
        self.n_layers = n_layers
        self.do_layer_norm = do_layer_norm
        self.scalars = nn.Parameter(torch.zeros(n_layers))  # s
        self.gamma = nn.Parameter(torch.ones(1))

    @property
    def weights(self) -> torch.Tensor:
        """The normalised layer weights softmax(s), (n_layers,)."""
        return torch.softmax(self.scalars, dim=0)

    def forward(
        self, layers: Sequence[torch.Tensor], mask: Optional[torch.Tensor] = None
    ) -> torch.Tensor:
        """``layers``: n_layers tensors (B, T, D) (or one (n_layers, B, T, D)); mask (B, T)."""
        if len(layers) != self.n_layers:
            raise ValueError(f"ScalarMix expects {self.n_layers} layers, got {len(layers)}")
        return scalar_mix(layers, self.scalars, self.gamma, mask, self.do_layer_norm)


def scalar_mix(
    layers: Sequence[torch.Tensor],
    scalars: torch.Tensor,
    gamma: torch.Tensor | float,
    mask: Optional[torch.Tensor] = None,
    do_layer_norm: bool = False,
) -> torch.Tensor:
    """Equation 1 as a function: ``gamma * sum_k softmax(scalars)_k * layers[k]``.

    ``layers``: L tensors (B, T, D) (or one (L, B, T, D)); ``scalars``: (L,), the unnormalised
    weights s; ``mask``: (B, T), used by the layer norm only.
    """
    weights = torch.softmax(scalars, dim=0)  # (L,), sums to 1
    mixed = 0.0
    for weight, layer in zip(weights, layers):
        if do_layer_norm:
            layer = masked_layer_norm(layer, mask)
        mixed = mixed + weight * layer  # (B, T, D)
    return gamma * mixed


def masked_layer_norm(layer: torch.Tensor, mask: Optional[torch.Tensor] = None) -> torch.Tensor:
    """(layer - mean) / std over all unmasked elements of the layer (eps 1e-13, as AllenNLP).

    One mean and one standard deviation for the whole layer (every position, every dimension),
    not one per vector as ``nn.LayerNorm`` does. ``layer``: (B, T, D); ``mask``: (B, T) or None.
    """
    if mask is None:
        mask = torch.ones(layer.shape[:-1], dtype=torch.bool, device=layer.device)
    m = mask.unsqueeze(-1).to(layer.dtype)  # (B, T, 1)
    n = m.sum() * layer.shape[-1]
    mean = (layer * m).sum() / n
    variance = (((layer - mean) * m) ** 2).sum() / n
    return (layer - mean) / torch.sqrt(variance + 1e-13)

