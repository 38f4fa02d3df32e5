"""The ONNX graphs of the book's live panels (``web/panel.js``), and how they are written.

    char_cnn.onnx    characters -> layer 0, and what happens inside: int64 ids (N, 50) ->
                     vectors (N, P), each filter width's window activations, the highway carry
    bilm_step.onnx   one time step of both LSTM stacks, every layer (JS calls it T + 2 times)
    lm_softmax.onnx  the shipped model's own softmax (adaptive: head plus tail clusters):
                     top outputs (N, P) -> log-probabilities over the vocabulary (N, V)

``web_export.py`` writes them with the lookup tables. The weights are stored as float16 with a
``Cast`` to float32 inside the graph: the shipped model is stored in float16, so this is lossless
(checked tensor by tensor; a tensor float16 would change stays float32).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .bilm import BiLM
from .chars import MAX_CHARS


class CharCnnGraph(nn.Module):
    """The char-CNN (``CharCNN.encode_words``) with its inside exposed, for the "filters" panel.

    Outputs: ``vectors`` (N, P) as ``encode_words`` computes them (the tests hold the two
    equal); ``conv_w<width>`` (N, n_filters, 50 - width + 1) each window's value before the max,
    one output per filter width; ``carry`` (N, n_highway) each highway layer's mean carry
    ``1 - gate`` over the features (how much of its input a layer passes on unchanged).
    The other panels ask onnxruntime for ``vectors`` only.
    """

    def __init__(self, bilm: BiLM) -> None:
        super().__init__()
        self.char_cnn = bilm.char_cnn

    def forward(self, char_ids: torch.Tensor):
        cnn = self.char_cnn
        chars = cnn.char_embedding(char_ids).transpose(1, 2)  # (N, E, 50)
        windows = [conv(chars) for conv in cnn.convolutions]  # each (N, n_w, 50 - w + 1)
        x = cnn.activation(torch.cat([w.max(dim=-1).values for w in windows], dim=-1))  # (N, F)
        carries = []
        for transform, gate_layer in zip(cnn.highway.transforms, cnn.highway.gates):
            gate = torch.sigmoid(gate_layer(x))  # (N, F): Highway.forward's maths
            carries.append((1 - gate).mean(dim=-1))  # (N,)
            x = gate * torch.relu(transform(x)) + (1 - gate) * x
        return (cnn.projection(x), *windows, torch.stack(carries, dim=-1))  # (N, P), ..., (N, H)

    def output_names(self) -> List[str]:
        widths = [width for width, _ in self.char_cnn.config.filters]
        return ["vectors", *[f"conv_w{w}" for w in widths], "carry"]


class BiLMStep(nn.Module):
    """One time step of the forward and the backward LSTM stack at once, every layer.

    Row 0 of each input is the forward direction at position t, row 1 the backward direction at
    position T + 1 - t (it reads the sentence from the end). The maths is the package's own: each
    layer's ``input_linear`` and ``LstmCellWithProjection.step``, and ``LstmStack``'s residual
    from layer 2 on, so the browser computes what ``BiLM`` computes.

    Inputs: ``x`` (2, P) token vectors; ``h`` (L, 2, P), ``c`` (L, 2, C) the states.
    Outputs: ``out`` (L, 2, P) each layer's output (ELMo's layer k + 1), new ``h`` and ``c``.
    """

    def __init__(self, bilm: BiLM) -> None:
        super().__init__()
        self.stacks = nn.ModuleList([bilm.forward_lstm, bilm.backward_lstm])  # rows 0 and 1
        self.n_layers = bilm.config.n_layers
        self.cell_dim = bilm.config.lstm_dim

    def forward(self, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor):
        outs, hs, cs = [], [], []
        inputs = [x[0:1], x[1:2]]  # per direction: (1, P)
        for k in range(self.n_layers):
            for d, stack in enumerate(self.stacks):
                cell = stack.layers[k]
                new_h, new_c = cell.step(cell.input_linear(inputs[d]),
                                         (h[k, d : d + 1], c[k, d : d + 1]))  # (1, P), (1, C)
                out = new_h + inputs[d] if stack.use_skip_connections and k > 0 else new_h
                outs.append(out[0])
                hs.append(new_h[0])
                cs.append(new_c[0])
                inputs[d] = out
        n, p = self.n_layers, x.shape[-1]
        return (torch.stack(outs).view(n, 2, p), torch.stack(hs).view(n, 2, p),
                torch.stack(cs).view(n, 2, self.cell_dim))  # (L, 2, P), (L, 2, P), (L, 2, C)


class SoftmaxGraph(nn.Module):
    """The language model's softmax: top outputs (N, P) -> log-probabilities (N, V).

    For the adaptive softmax this is ``AdaptiveLogSoftmaxWithLoss.log_prob`` written out (that
    method fills a preallocated tensor by slices, which the ONNX exporter handles badly): the
    head gives the frequent words and one log-probability per tail cluster; a word in cluster i
    gets its cluster's log-probability plus its own within the cluster.
    """

    def __init__(self, softmax: nn.Module) -> None:
        super().__init__()
        self.softmax = softmax

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        sm = self.softmax
        if isinstance(sm, nn.Linear):  # the "full" softmax
            return F.log_softmax(sm(h), dim=-1)  # (N, V)
        head = F.log_softmax(sm.head(h), dim=-1)  # (N, shortlist + n_clusters)
        parts = [head[:, : sm.shortlist_size]]
        for i, tail in enumerate(sm.tail):
            cluster = sm.shortlist_size + i
            parts.append(F.log_softmax(tail(h), dim=-1) + head[:, cluster : cluster + 1])
        return torch.cat(parts, dim=-1)  # (N, V)


def run_steps(step: nn.Module, tokens: torch.Tensor) -> np.ndarray:
    """ELMo's layers from token vectors (T + 2, P), boundaries included, by calling ``step``.

    What the page does in JavaScript, in Python (the tests compare it with ``BiLM``).
    Returns float32 (L + 1, T + 2, 2P).
    """
    n, p = tokens.shape
    n_layers = step.n_layers
    cell_dim = step.cell_dim
    h, c = torch.zeros(n_layers, 2, p), torch.zeros(n_layers, 2, cell_dim)
    forward = torch.zeros(n_layers, n, p)
    backward = torch.zeros(n_layers, n, p)
    with torch.no_grad():
        for t in range(n):
            out, h, c = step(torch.stack([tokens[t], tokens[n - 1 - t]]), h, c)
            forward[:, t], backward[:, n - 1 - t] = out[:, 0], out[:, 1]
    layers = [torch.cat([tokens, tokens], dim=-1)] + [
        torch.cat([forward[k], backward[k]], dim=-1) for k in range(n_layers)]
    return torch.stack(layers).numpy()


def _export_onnx(module: nn.Module, args: tuple, path: Path, input_names: List[str],
                 output_names: List[str], dynamic_axes: Dict[str, Dict[int, str]]) -> None:
    """``torch.onnx.export`` with the TorchScript exporter, opset 17.

    The newer exporter (``dynamo=True``) needs the onnxscript package; this one needs nothing
    beyond torch and onnx. PyTorch warns that it is deprecated: if a future torch drops it, add
    onnxscript and pass ``dynamo=True`` with ``dynamic_shapes``.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(module, args, str(path), input_names=input_names,
                          output_names=output_names, dynamic_axes=dynamic_axes, opset_version=17,
                          dynamo=False)


def weights_to_float16(path: Path) -> Dict[str, int]:
    """Store the float32 initializers of an ONNX file as float16 plus a Cast back to float32.

    Only tensors that float16 represents exactly (every weight of the shipped model, which is
    stored in float16) are converted; the others stay float32. Returns counts of both.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    casts, kept, converted = [], [], []
    for init in graph.initializer:
        if init.data_type != TensorProto.FLOAT:
            kept.append(init)
            continue
        value = numpy_helper.to_array(init)
        half = value.astype(np.float16)
        if not np.array_equal(half.astype(np.float32), value):
            kept.append(init)
            continue
        converted.append(numpy_helper.from_array(half, init.name + "_fp16"))
        casts.append(helper.make_node("Cast", [init.name + "_fp16"], [init.name],
                                      to=TensorProto.FLOAT, name="cast_" + init.name))
    n_fp32 = sum(1 for init in kept if init.data_type == TensorProto.FLOAT)
    del graph.initializer[:]
    graph.initializer.extend(kept + converted)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)  # casts first: the graph stays topologically sorted
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return {"float16": len(converted), "float32": n_fp32}


def export_graphs(bilm: BiLM, out: str | Path,
                  softmax: nn.Module | None = None) -> Dict[str, Dict[str, int]]:
    """Write ``char_cnn.onnx``, ``bilm_step.onnx`` and (given ``softmax``, the language model's
    softmax layer) ``lm_softmax.onnx`` for ``bilm`` into ``out``.

    Returns, per file, how many weight tensors are stored as float16 and as float32.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    config = bilm.config
    p, n_layers, cell_dim = config.projection_dim, config.n_layers, config.lstm_dim
    ids = torch.randint(1, config.n_characters, (3, MAX_CHARS))  # (N, 50), N dynamic
    graph = CharCnnGraph(bilm).eval()
    names = graph.output_names()
    _export_onnx(graph, (ids,), out / "char_cnn.onnx", ["char_ids"], names,
                 {name: {0: "words"} for name in ["char_ids", *names]})
    example = (torch.zeros(2, p), torch.zeros(n_layers, 2, p), torch.zeros(n_layers, 2, cell_dim))
    _export_onnx(BiLMStep(bilm).eval(), example, out / "bilm_step.onnx", ["x", "h", "c"],
                 ["out", "h_out", "c_out"], {})
    files = ["char_cnn.onnx", "bilm_step.onnx"]
    if softmax is not None:
        _export_onnx(SoftmaxGraph(softmax).eval(), (torch.zeros(3, p),), out / "lm_softmax.onnx",
                     ["h"], ["log_probs"], {"h": {0: "rows"}, "log_probs": {0: "rows"}})
        files.append("lm_softmax.onnx")
    return {name: weights_to_float16(out / name) for name in files}
