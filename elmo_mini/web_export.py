"""The shipped mini ELMo for the browser: ONNX graphs plus lookup tables (the book's "Try it" page).

``python -m elmo_mini export-web --out DIR`` writes what the page's panel (``web/panel.js``) loads,
with ONNX Runtime Web, when a reader opens it:

    char_cnn.onnx        characters -> layer 0: int64 ids (N, 50) -> float32 (N, P); N dynamic
    bilm_step.onnx       one time step of both LSTM stacks, all layers (JS calls it T + 2 times)
    vocab.txt            the softmax vocabulary, one word a line (the table: from line 4 on)
    vocab_vectors.f16    (V, P) float16: the vocabulary's centred layer-0 vectors, unit length
    occurrences.json     per target word: forms, and each occurrence's sentence text (chapter 9)
    occurrence_vectors.f16   (M, 2, 2P) float16: layers 1 and 2 of every occurrence, centred,
                         unit length (layer 0 the page computes itself from the word's form)
    manifest.json        sizes, shapes, chapter 8's layer-0 mean, chapter 9's layer means,
                         the measured float16 errors

Layer 0 of ELMo is ``[x, x]`` with ``x`` the char-CNN vector (``BiLM.forward``), so the
vocabulary table keeps P = 128 numbers per word, not 2P. The ONNX weights are stored as float16
and cast to float32 inside the graph: the shipped model is stored in float16
(``pretrained/model.safetensors``), so this loses nothing (checked per tensor; a tensor that
float16 would change stays float32). The browser computes in float32, as PyTorch does.

The LSTM runs as one step graph called per token from JavaScript rather than one graph with an
ONNX ``Loop``: both directions and all layers go in one call, (2, P) in, and a 20-token sentence
takes 22 calls (``benchmarks/bench_web.py`` measures it).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import nn

from .bilm import BiLM
from .chars import MAX_CHARS

FORMAT = "elmo_mini-web-v1"
#: Chapter 9's target words, forms and occurrence limits (its `targets` and `limits` cells), so
#: the page's layer means are chapter 9's; then two more words the issue asked for.
CHAPTER9_TARGETS: Dict[str, List[str]] = {
    "bank": ["bank", "banks"], "present": ["present"], "interest": ["interest"],
    "plant": ["plant", "plants"], "capital": ["capital"], "duty": ["duty", "duties"]}
CHAPTER9_LIMITS: Dict[str, Optional[int]] = {
    "bank": None, "present": 600, "interest": 200, "plant": None, "capital": 200, "duty": 200}
EXTRA_TARGETS: Dict[str, List[str]] = {"state": ["state"], "power": ["power"]}
EXTRA_LIMIT = 150
#: The page keeps every n-th of chapter 9's occurrences of these words (chapter 9 needs 600 of
#: "present" to measure sense separation; a reader's query does not), to stay under 15 MB.
THIN: Dict[str, int] = {"present": 2}
FILES = ("char_cnn.onnx", "bilm_step.onnx", "vocab.txt", "vocab_vectors.f16", "occurrences.json",
         "occurrence_vectors.f16")  #: what the page loads, besides manifest.json
WINDOW = 25  #: tokens kept either side of the word (chapter 9)
TEXT_WIDTH = 6  #: tokens either side in the shown sentence text (chapter 9's table)


class CharCnnGraph(nn.Module):
    """The char-CNN's plain path (``CharCNN.encode_words``): ids (N, 50) -> vectors (N, P)."""

    def __init__(self, bilm: BiLM) -> None:
        super().__init__()
        self.char_cnn = bilm.char_cnn

    def forward(self, char_ids: torch.Tensor) -> torch.Tensor:
        return self.char_cnn.encode_words(char_ids)  # (N, P)


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


def export_graphs(bilm: BiLM, out: str | Path) -> Dict[str, Dict[str, int]]:
    """Write ``char_cnn.onnx`` and ``bilm_step.onnx`` for ``bilm`` into ``out``.

    Returns, per file, how many weight tensors are stored as float16 and as float32.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    config = bilm.config
    p, n_layers, cell_dim = config.projection_dim, config.n_layers, config.lstm_dim
    ids = torch.randint(1, config.n_characters, (3, MAX_CHARS))  # (N, 50), N dynamic
    _export_onnx(CharCnnGraph(bilm).eval(), (ids,), out / "char_cnn.onnx", ["char_ids"],
                 ["vectors"], {"char_ids": {0: "words"}, "vectors": {0: "words"}})
    example = (torch.zeros(2, p), torch.zeros(n_layers, 2, p), torch.zeros(n_layers, 2, cell_dim))
    _export_onnx(BiLMStep(bilm).eval(), example, out / "bilm_step.onnx", ["x", "h", "c"],
                 ["out", "h_out", "c_out"], {})
    return {name: weights_to_float16(out / name) for name in ("char_cnn.onnx", "bilm_step.onnx")}


def unit_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (a zero row stays zero), as ``cosine_nearest`` does."""
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def _save_f16(array: np.ndarray, path: Path) -> float:
    """Write ``array`` as little-endian float16; return the largest absolute rounding error."""
    half = array.astype("<f2")
    path.write_bytes(half.tobytes())
    return float(np.abs(half.astype(np.float32) - array).max()) if array.size else 0.0


@dataclass
class WebExport:
    """What :func:`export_web` wrote: the folder and its manifest."""

    directory: Path
    manifest: dict


def occurrence_sets(sentences: Sequence[Sequence[str]]):
    """Chapter 9's occurrences (its targets and limits), then ``state`` and ``power``."""
    from .neighbours import find_occurrences

    chapter9 = {word: find_occurrences(sentences, forms, window=WINDOW,
                                       limit=CHAPTER9_LIMITS[word])
                for word, forms in CHAPTER9_TARGETS.items()}
    extra = {word: find_occurrences(sentences, forms, window=WINDOW, limit=EXTRA_LIMIT)
             for word, forms in EXTRA_TARGETS.items()}
    return chapter9, extra


@dataclass
class PanelTables:
    """The page's lookup tables in float32, as Python computes them (the tests compare with them).

    Attributes:
        vocab_words: the table's words (the vocabulary without its three special tokens).
        vocab_vectors: (V, P) their layer-0 vectors; ``vocab_mean`` (P,) their mean (chapter 8).
        occurrences: per target word, the occurrences the page keeps.
        vectors: per target word, (3, N_word, 2P), centred with ``layer_means`` (3, 2P), the
            means over chapter 9's occurrences (chapter 9).
    """

    vocab_words: List[str]
    vocab_vectors: np.ndarray
    vocab_mean: np.ndarray
    occurrences: Dict[str, list]
    vectors: Dict[str, np.ndarray]
    layer_means: np.ndarray

    @property
    def forms(self) -> Dict[str, List[str]]:
        return {**CHAPTER9_TARGETS, **EXTRA_TARGETS}


def panel_tables(bilm: BiLM, vocab, progress: bool = False) -> PanelTables:
    """Compute the page's tables for ``bilm`` (occurrence vectors are cached as chapter 9's are)."""
    from .data import load_sotu
    from .embedder import Embedder
    from .neighbours import cached_occurrence_vectors
    from .unseen import char_cnn_vectors

    vocab_words = vocab.words[3:]  # without <S>, </S>, <UNK> (chapter 8)
    vocab_vectors = char_cnn_vectors(bilm, vocab_words).numpy()  # (V, P)
    embedder = Embedder(bilm, device="cpu")
    chapter9, extra = occurrence_sets(load_sotu("all"))
    stacked9 = cached_occurrence_vectors(embedder, [o for f in chapter9.values() for o in f],
                                         progress=progress)  # (3, N9, 2P): chapter 9's cache
    layer_means = stacked9.mean(axis=1)  # (3, 2P): chapter 9's layer means
    stacked_extra = cached_occurrence_vectors(embedder, [o for f in extra.values() for o in f],
                                              progress=progress)  # (3, N', 2P)
    stacked = np.concatenate([stacked9, stacked_extra], axis=1) - layer_means[:, None]
    occurrences, vectors, first = {}, {}, 0
    for word, found in {**chapter9, **extra}.items():
        thin = THIN.get(word, 1)
        occurrences[word] = found[::thin]
        vectors[word] = stacked[:, first : first + len(found)][:, ::thin]  # (3, N_word, 2P)
        first += len(found)
    return PanelTables(vocab_words, vocab_vectors, vocab_vectors.mean(axis=0), occurrences,
                       vectors, layer_means)


def export_web(out: str | Path, progress: bool = True) -> WebExport:
    """Write the browser panel's files for the shipped model into ``out`` (see module docstring)."""
    from .neighbours import model_fingerprint
    from .pretrained import load_pretrained

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    mini = load_pretrained()
    bilm = mini.bilm.float().eval()
    config = bilm.config
    weights = export_graphs(bilm, out)

    # ---- the tables: layer 0 of the vocabulary (chapter 8), occurrences (chapter 9) ---------
    tables = panel_tables(bilm, mini.vocab, progress=progress)
    vocab_error = _save_f16(unit_rows(tables.vocab_vectors - tables.vocab_mean),
                            out / "vocab_vectors.f16")  # (V, P)
    mini.vocab.save(out / "vocab.txt")
    centred = np.concatenate([v[1:] for v in tables.vectors.values()], axis=1)  # (2, M, 2P)
    occ_error = _save_f16(np.ascontiguousarray(unit_rows(centred).transpose(1, 0, 2)),
                          out / "occurrence_vectors.f16")  # (M, 2, 2P): layers 1 and 2
    targets, first = {}, 0
    for word, found in tables.occurrences.items():
        forms = tables.forms[word]
        targets[word] = {"forms": forms, "first": first, "count": len(found),
                         "form": [forms.index(o.word) for o in found],
                         "text": [o.text(width=TEXT_WIDTH) for o in found]}
        first += len(found)
    (out / "occurrences.json").write_text(json.dumps(targets, ensure_ascii=False),
                                          encoding="utf-8")

    files = sorted(FILES)
    manifest = {
        "format": FORMAT,
        "model": model_fingerprint(bilm),
        "projection_dim": config.projection_dim, "lstm_dim": config.lstm_dim,
        "n_layers": config.n_layers,
        "max_chars": MAX_CHARS,
        "vocab_rows": len(tables.vocab_words), "occurrences": first,
        "vocab_mean": tables.vocab_mean.tolist(),  # (P,): chapter 8's centring
        "layer_means": tables.layer_means.tolist(),  # (3, 2P): chapter 9's centring
        "onnx_weights": weights,
        "float16_max_error": {"vocab_vectors": vocab_error, "occurrence_vectors": occ_error},
        "bytes": {name: (out / name).stat().st_size for name in files},
        "seconds": round(time.perf_counter() - start, 1),
    }
    manifest["bytes_total"] = sum(manifest["bytes"].values())
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return WebExport(out, manifest)
