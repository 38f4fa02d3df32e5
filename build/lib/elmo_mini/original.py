"""Read and write the original ELMo files: ``options.json`` + ``weights.hdf5`` (chapter 11).

The layout (names and shapes) is the one of the original TensorFlow code (bilm-tf), which the
published ELMo models use. For the fixture model E=4, F=124, P=16, C=64:

    char_embed                                   (n_characters - 1, E)  (row 0 = padding, not stored)
    CNN/W_cnn_i, CNN/b_cnn_i                     (1, width_i, E, n_i), (n_i,)
    CNN_high_k/W_transform, W_carry              (F, F)   in x @ W orientation
    CNN_high_k/b_transform, b_carry              (F,)
    CNN_proj/W_proj, CNN_proj/b_proj             (F, P), (P,)
    RNN_d/RNN/MultiRNNCell/Cell{l}/LSTMCell/W_0  (P + P, 4C)  input rows, then recurrent rows
    .../B                                        (4C,)   gate order i, j, f, o
    .../W_P_0                                    (C, P)  projection
with d = 0 (forward) or 1 (backward).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Tuple

import numpy as np
import torch

from .bilm import BiLM
from .config import ElmoConfig

Plan = Dict[str, Tuple[torch.Tensor, str]]  # dataset name -> (parameter, how to convert)


def tf_conv_to_conv1d(weight: torch.Tensor) -> torch.Tensor:
    """A TensorFlow conv2d kernel (1, width, E, n) as a ``Conv1d`` weight (n, E, width) (chapter 11).

    TF slides a (1 x width) window over a (1 x 50) "image" with E input channels; PyTorch's
    ``Conv1d`` keeps (out_channels, in_channels, width). Drop the height axis, then reorder.
    """
    if weight.dim() != 4 or weight.shape[0] != 1:
        raise ValueError(f"expected a TF conv kernel of shape (1, width, E, n), got {tuple(weight.shape)}")
    return weight[0].permute(2, 1, 0)  # (w, E, n) -> (n, E, w)


def split_lstm_kernel(w0: torch.Tensor, input_dim: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Split TF's ``W_0`` (input_dim + P, 4C) into ``nn.Linear`` weights (chapter 11).

    TF multiplies the concatenation [x_t, h_{t-1}] by one kernel, input rows first. Returns
    ``(input_weight (4C, input_dim), recurrent_weight (4C, P))``, transposed for ``x @ W.T``.
    """
    if w0.dim() != 2 or w0.shape[0] <= input_dim:
        raise ValueError(f"W_0 of shape {tuple(w0.shape)} has no recurrent rows after {input_dim} input rows")
    return w0[:input_dim].T, w0[input_dim:].T


def _plan(model: BiLM) -> Plan:
    """Every dataset of the file, with the model parameter it fills and the conversion.

    Conversions: "T" transpose (x @ W vs PyTorch's W x), "conv" TF conv2d -> Conv1d,
    "embed" skip the padding row, "copy" as is, "W0x"/"W0h" the input/recurrent rows of W_0.
    """
    cnn = model.char_cnn
    plan: Plan = {"char_embed": (cnn.char_embedding.weight, "embed")}
    for i, conv in enumerate(cnn.convolutions):
        plan[f"CNN/W_cnn_{i}"] = (conv.weight, "conv")
        plan[f"CNN/b_cnn_{i}"] = (conv.bias, "copy")
    for k, (transform, gate) in enumerate(zip(cnn.highway.transforms, cnn.highway.gates)):
        plan[f"CNN_high_{k}/W_transform"] = (transform.weight, "T")
        plan[f"CNN_high_{k}/b_transform"] = (transform.bias, "copy")
        plan[f"CNN_high_{k}/W_carry"] = (gate.weight, "T")
        plan[f"CNN_high_{k}/b_carry"] = (gate.bias, "copy")
    plan["CNN_proj/W_proj"] = (cnn.projection.weight, "T")
    plan["CNN_proj/b_proj"] = (cnn.projection.bias, "copy")
    for d, stack in enumerate([model.forward_lstm, model.backward_lstm]):
        for layer_index, cell in enumerate(stack.layers):
            prefix = f"RNN_{d}/RNN/MultiRNNCell/Cell{layer_index}/LSTMCell"
            plan[f"{prefix}/W_0"] = (cell.input_linear.weight, "W0")
            plan[f"{prefix}/B"] = (cell.input_linear.bias, "copy")
            plan[f"{prefix}/W_P_0"] = (cell.projection.weight, "T")
    return plan


def _expected_shape(name: str, param: torch.Tensor, how: str, model: BiLM) -> tuple:
    if how == "embed":
        return (param.shape[0] - 1, param.shape[1])
    if how == "conv":  # Conv1d (n, E, w) <- TF (1, w, E, n)
        n, e, w = param.shape
        return (1, w, e, n)
    if how == "T":
        return tuple(param.shape[::-1])
    if how == "W0":
        return (param.shape[1] + model.config.projection_dim, param.shape[0])
    return tuple(param.shape)


def _state_weight(model: BiLM, name: str) -> torch.Tensor:
    d = int(name.split("/")[0][-1])
    layer_index = int(name.split("/")[3][len("Cell"):])
    stack = model.forward_lstm if d == 0 else model.backward_lstm
    return stack.layers[layer_index].state_linear.weight


def load_original(options_file: str | Path, weights_file: str | Path) -> BiLM:
    """A :class:`BiLM` with the weights of an original ELMo model.

    Raises:
        FileNotFoundError: a file does not exist (the message gives its path).
        ValueError: the weights file is not HDF5, lacks a dataset, or a dataset's shape disagrees
            with ``options.json`` (the message names the dataset, the expected and actual shape).
    """
    import h5py

    config = ElmoConfig.load(options_file)
    weights_file = Path(weights_file)
    if not weights_file.is_file():
        raise FileNotFoundError(f"weights file not found: {weights_file}")
    if not h5py.is_hdf5(weights_file):
        raise ValueError(
            f"{weights_file} is not an HDF5 file; expected the original ELMo weights.hdf5"
        )
    model = BiLM(config)
    with h5py.File(weights_file, "r") as f, torch.no_grad():
        for name, (param, how) in _plan(model).items():
            expected = _expected_shape(name, param, how, model)
            if name not in f:
                raise ValueError(
                    f"{weights_file} has no dataset '{name}' (expected shape {expected}); "
                    "is it an ELMo weights file that matches this options.json?"
                )
            value = np.asarray(f[name][...], dtype=np.float32)
            if value.shape != expected:
                raise ValueError(
                    f"dataset '{name}' in {weights_file} has shape {value.shape}, but "
                    f"options.json implies {expected}; do the two files belong together?"
                )
            value = torch.from_numpy(value)
            if how == "embed":
                param.zero_()
                param[1:] = value
            elif how == "conv":
                param.copy_(tf_conv_to_conv1d(value))
            elif how == "T":
                param.copy_(value.T)
            elif how == "W0":
                input_weight, recurrent_weight = split_lstm_kernel(value, param.shape[1])
                param.copy_(input_weight)
                _state_weight(model, name).copy_(recurrent_weight)
            else:
                param.copy_(value)
    return model


def save_original(model: BiLM, options_file: str | Path, weights_file: str | Path) -> None:
    """Write ``model`` as an original ``options.json`` + ``weights.hdf5`` pair.

    Any tool that reads the published ELMo files (AllenNLP, bilm-tf, :func:`load_original`)
    can then load it.
    """
    import h5py

    Path(options_file).write_text(json.dumps(model.config.to_options(), indent=2), encoding="utf-8")
    with h5py.File(weights_file, "w") as f, torch.no_grad():
        for name, (param, how) in _plan(model).items():
            value = param.detach().float().cpu()
            if how == "embed":
                value = value[1:]
            elif how == "conv":
                value = value.permute(2, 1, 0).unsqueeze(0)
            elif how == "T":
                value = value.T
            elif how == "W0":
                value = torch.cat([value.T, _state_weight(model, name).detach().float().cpu().T])
            f.create_dataset(name, data=value.contiguous().numpy())
