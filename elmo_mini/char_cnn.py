"""The character CNN: the characters of a token in, one fixed-size vector out (chapter 3).

Steps (Kim et al. 2016; Peters et al. 2018):
  1. embed each of the 50 character ids                      (N, 50) -> (N, 50, E)
  2. one 1-D convolution per filter width w ("valid": 50-w+1 windows)   -> (N, n_w, 50-w+1)
  3. max over window positions, one number per filter          -> (N, n_w); concatenate -> (N, F)
  4. activation (relu or tanh)
  5. highway layers: gate * relu(transform(x)) + (1 - gate) * x
  6. linear projection to P, the size of the LSTM's inputs    -> (N, P)
"""

from __future__ import annotations

import torch
from torch import nn

from .chars import PAD_CHAR
from .config import ElmoConfig

# The fast path rounds the convolutions' input up to multiples of these sizes (see
# ``CharCNN.forward``): few distinct shapes let oneDNN reuse the kernels it built for them.
ROW_MULTIPLE = 32  # words
CHAR_MULTIPLE = 8  # character positions


def round_up(n: int, multiple: int) -> int:
    """The smallest multiple of ``multiple`` that is at least ``n``."""
    return -(-n // multiple) * multiple


class Highway(nn.Module):
    """Highway layers (Srivastava et al. 2015), in the original ELMo's convention.

    For each layer: ``gate = sigmoid(x W_g + b_g)`` and
    ``x = gate * relu(x W_t + b_t) + (1 - gate) * x``: the gate decides, feature by feature,
    how much of the transformed value replaces the input.
    """

    def __init__(self, dim: int, n_layers: int) -> None:
        super().__init__()
        self.transforms = nn.ModuleList(nn.Linear(dim, dim) for _ in range(n_layers))
        self.gates = nn.ModuleList(nn.Linear(dim, dim) for _ in range(n_layers))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (N, F) -> (N, F)
        for transform, gate_layer in zip(self.transforms, self.gates):
            gate = torch.sigmoid(gate_layer(x))  # (N, F), each in (0, 1)
            x = gate * torch.relu(transform(x)) + (1 - gate) * x
        return x


class CharCNN(nn.Module):
    """Token vectors from character ids, ELMo's context-free layer 0.

    Args:
        config: the sizes (``char_dim``, ``filters``, ``n_highway``, ``activation``,
            ``projection_dim``); see :class:`~elmo_mini.config.ElmoConfig`.

    ``forward(char_ids)`` takes ``(..., max_chars)`` ids from :func:`~elmo_mini.batch_to_ids`
    and returns ``(..., P)``. Padded tokens (all-zero rows) get zero vectors.
    """

    def __init__(self, config: ElmoConfig) -> None:
        super().__init__()
        self.config = config
        # Row 0 is the padding id of absent tokens: it stays a zero vector.
        self.char_embedding = nn.Embedding(config.n_characters, config.char_dim, padding_idx=0)
        self.convolutions = nn.ModuleList(
            nn.Conv1d(config.char_dim, n_filters, kernel_size=width)
            for width, n_filters in config.filters
        )
        self.activation = torch.relu if config.activation == "relu" else torch.tanh
        self.highway = Highway(config.n_filters, config.n_highway)
        self.projection = nn.Linear(config.n_filters, config.projection_dim)

    def encode_words(self, char_ids: torch.Tensor) -> torch.Tensor:
        """The plain computation for a flat list of words: ``(N, L)`` ids -> ``(N, P)``."""
        chars = self.char_embedding(char_ids)  # (N, L, E)
        chars = chars.transpose(1, 2)  # (N, E, L): Conv1d wants channels first
        pooled = []
        for conv in self.convolutions:
            windows = conv(chars)  # (N, n_filters, L - width + 1): one value per window
            pooled.append(windows.max(dim=-1).values)  # (N, n_filters): the best window
        x = self.activation(torch.cat(pooled, dim=-1))  # (N, F)
        x = self.highway(x)  # (N, F)
        return self.projection(x)  # (N, P)

    def forward(self, char_ids: torch.Tensor, fast: bool = True) -> torch.Tensor:
        """Token vectors for ids of any leading shape: ``(..., L)`` -> ``(..., P)``.

        With ``fast=True`` (the default) three exact shortcuts skip work whose result is known:
        padded token positions are not encoded (their vector is zero), a word that occurs
        several times in the batch is encoded once, and the character axis is cut after the
        longest word plus the widest filter (every window past that point covers only padding
        characters, and such a window already occurs in the kept part, so the max is unchanged).
        ``fast=False`` runs every position through :meth:`encode_words`, as chapter 3 builds it.

        The list of distinct words is padded with copies of its first word to a multiple of
        ``ROW_MULTIPLE`` rows, and the kept characters are rounded up to a multiple of
        ``CHAR_MULTIPLE`` (more all-padding windows, so the max is still unchanged). On CPU the
        convolutions run on oneDNN, which builds a kernel for every new input shape and caches
        up to 1,024 of them. Without rounding, training's batches brought about 500 distinct
        shapes an epoch, and a long run's memory crept up by half a gigabyte; with it, about 20.
        """
        *lead, n_chars = char_ids.shape
        flat = char_ids.reshape(-1, n_chars)  # (N, L)
        if not fast:
            vectors = self.encode_words(flat)  # (N, P)
            present = (flat > 0).any(dim=-1, keepdim=True)  # (N, 1)
            return (vectors * present).reshape(*lead, -1)

        present = (flat > 0).any(dim=-1)  # (N,)
        words = flat[present]  # (n, L): real tokens only
        out = self.projection.weight.new_zeros(flat.shape[0], self.config.projection_dim)
        if words.shape[0] == 0:
            return out.reshape(*lead, -1)
        unique_words, inverse = torch.unique(words, dim=0, return_inverse=True)  # (u, L), (n,)
        # Length of each word up to its end-of-word marker; padding characters come after it.
        word_lengths = (unique_words != PAD_CHAR + 1).sum(dim=-1)  # (u,)
        widest = max(width for width, _ in self.config.filters)
        keep = min(n_chars, round_up(int(word_lengths.max()) + widest, CHAR_MULTIPLE))
        n_unique = unique_words.shape[0]
        filler = unique_words[:1].expand(round_up(n_unique, ROW_MULTIPLE) - n_unique, -1)
        rows = torch.cat([unique_words, filler])[:, :keep]  # (u rounded up, keep)
        vectors = self.encode_words(rows)[:n_unique]  # (u, P)
        out[present] = vectors[inverse]
        return out.reshape(*lead, -1)
