"""The bidirectional language model behind ELMo (chapter 5).

characters -> CharCNN -> token vectors (layer 0)
token vectors -> forward LstmStack  -> forward_1 .. forward_L
token vectors -> backward LstmStack -> backward_1 .. backward_L
ELMo's layers: layer 0 = [token, token], layer k = [forward_k, backward_k]; each (B, T+2, 2P).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional

import torch
from torch import nn

from .char_cnn import CharCNN
from .chars import add_sentence_boundaries
from .config import ElmoConfig
from .lstm import LstmStack, State

BiLMState = Dict[str, List[State]]  # {"forward": [(h, c) per layer], "backward": [...]}


@dataclass
class BiLMOutput:
    """What :class:`BiLM` returns.

    Attributes:
        layers: ``n_layers + 1`` tensors of shape (B, T + 2, 2P), sentence boundaries included
            (``<S>`` at position 0, ``</S>`` right after each sentence's last token).
        mask: (B, T + 2), True at real positions (boundaries included).
        state: the final LSTM states, to start the next batch from (stateful use).
    """

    layers: List[torch.Tensor]
    mask: torch.Tensor
    state: BiLMState

    def without_boundaries(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Layers stacked (n_layers + 1, B, T, 2P) without ``<S>``/``</S>``, and mask (B, T)."""
        lengths = self.mask.sum(dim=1) - 2  # (B,)
        stacked = torch.stack(self.layers)[:, :, 1:-1]  # (L+1, B, T, 2P)
        steps = stacked.shape[2]
        mask = torch.arange(steps, device=lengths.device)[None, :] < lengths[:, None]  # (B, T)
        return stacked * mask[None, :, :, None], mask


class BiLM(nn.Module):
    """ELMo's biLM without the softmax: char-CNN plus a forward and a backward LSTM stack.

    Args:
        config: the architecture (:class:`~elmo_mini.config.ElmoConfig`).
        dropout: dropout on the input of every LSTM layer, active in training only.
    """

    def __init__(self, config: ElmoConfig, dropout: float = 0.0) -> None:
        super().__init__()
        self.config = config
        self.char_cnn = CharCNN(config)
        self.forward_lstm = LstmStack(config, backward=False, dropout=dropout)
        self.backward_lstm = LstmStack(config, backward=True, dropout=dropout)

    def forward(self, char_ids: torch.Tensor, state: Optional[BiLMState] = None) -> BiLMOutput:
        """``char_ids`` (B, T, max_chars) from :func:`~elmo_mini.batch_to_ids`, no boundaries."""
        ids, mask = add_sentence_boundaries(char_ids)  # (B, T+2, L), (B, T+2)
        tokens = self.char_cnn(ids)  # (B, T+2, P), zeros at padding
        state = state or {}
        forward_out, forward_state = self.forward_lstm(tokens, mask, state.get("forward"))
        backward_out, backward_state = self.backward_lstm(tokens, mask, state.get("backward"))
        layers = [torch.cat([tokens, tokens], dim=-1)]  # layer 0: (B, T+2, 2P)
        for f, b in zip(forward_out, backward_out):
            layers.append(torch.cat([f, b], dim=-1))  # (B, T+2, 2P)
        return BiLMOutput(layers, mask, {"forward": forward_state, "backward": backward_state})
