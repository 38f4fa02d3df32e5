"""The shipped mini ELMo for the browser: ONNX graphs plus lookup tables (the book's "Try it" page).

``python -m elmo_mini export-web --out DIR`` writes what the page's panel (``web/panel.js``) loads,
with ONNX Runtime Web, when a reader opens it:

    char_cnn.onnx        characters -> layer 0: int64 ids (N, 50) -> float32 (N, P); N dynamic
                         (also each filter's window values and the highway carry)
    bilm_step.onnx       one time step of both LSTM stacks, all layers (JS calls it T + 2 times)
    lm_softmax.onnx      the model's own (adaptive) softmax: (N, P) -> log-probabilities (N, V)
    vocab.txt            the softmax vocabulary, one word a line (the table: from line 4 on)
    vocab_vectors.f16    (V, P) float16: the vocabulary's centred layer-0 vectors, unit length
    occurrences.json     per target word: forms, each occurrence's sentence text (chapter 9)
                         and the lengths of its centred layers 1 and 2 (for the layer mix)
    occurrence_vectors.f16   (M, 2, 2P) float16: layers 1 and 2 of every occurrence, centred,
                         unit length (layer 0 the page computes itself from the word's form)
    manifest.json        sizes, shapes, chapter 8's layer-0 mean, chapter 9's layer means,
                         the measured float16 errors

Layer 0 of ELMo is ``[x, x]`` with ``x`` the char-CNN vector (``BiLM.forward``), so the
vocabulary table keeps P = 128 numbers per word, not 2P. The ONNX weights are stored as float16
and cast to float32 inside the graph: the shipped model is stored in float16
(``pretrained/model.safetensors``), so this loses nothing (checked per tensor; a tensor that
float16 would change stays float32). The browser computes in float32, as PyTorch does.

The graphs are built in ``web_graphs.py``. The manifest lists which files each panel loads
(``panels``). The LSTM runs as one step graph called per token from JavaScript rather than one
graph with an ONNX ``Loop``: both directions and all layers go in one call, (2, P) in, and a
20-token sentence takes 22 calls (``benchmarks/bench_web.py`` measures it).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

from .bilm import BiLM
from .chars import MAX_CHARS
from .web_graphs import BiLMStep, CharCnnGraph, SoftmaxGraph, export_graphs, run_steps

__all__ = ["BiLMStep", "CharCnnGraph", "SoftmaxGraph", "export_graphs", "run_steps", "export_web",
           "panel_tables", "unit_rows"]

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
FILES = ("char_cnn.onnx", "bilm_step.onnx", "lm_softmax.onnx", "vocab.txt", "vocab_vectors.f16",
         "occurrences.json", "occurrence_vectors.f16")  #: what the page loads, besides manifest.json
#: What each panel loads (besides manifest.json); shared files are fetched once.
PANELS: Dict[str, List[str]] = {
    "word": ["char_cnn.onnx", "vocab.txt", "vocab_vectors.f16"],
    "sentence": ["char_cnn.onnx", "bilm_step.onnx", "occurrences.json", "occurrence_vectors.f16"],
    "predict": ["char_cnn.onnx", "bilm_step.onnx", "lm_softmax.onnx", "vocab.txt"],
    "filters": ["char_cnn.onnx", "vocab.txt", "vocab_vectors.f16"],
}
#: Chapter 10's learned scalar-mix weights softmax(s), as its "Learning the mix" cell prints them
#: (two decimals): presets of the sentence panel's layer mix. A test holds them to the executed
#: chapter (tests/web/test_web_export.py), so a retrained model or a changed probe fails it.
CHAPTER10_MIX: Dict[str, List[float]] = {
    "part of speech": [0.08, 0.29, 0.62], "word sense": [0.05, 0.05, 0.9]}
WINDOW = 25  #: tokens kept either side of the word (chapter 9)
TEXT_WIDTH = 6  #: tokens either side in the shown sentence text (chapter 9's table)


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
    weights = export_graphs(bilm, out, softmax=mini.lm.softmax.float().eval())

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
        norms = np.linalg.norm(tables.vectors[word][1:], axis=-1).T  # (N_word, 2): layers 1, 2
        targets[word] = {"forms": forms, "first": first, "count": len(found),
                         "form": [forms.index(o.word) for o in found],
                         "text": [o.text(width=TEXT_WIDTH) for o in found],
                         "norms": [[float(f"{v:.7g}") for v in row] for row in norms]}
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
        "filters": config.filters, "n_highway": config.n_highway,
        "softmax": mini.lm.softmax_kind, "vocab_size": len(mini.vocab),
        "panels": PANELS,
        "mix_presets": [{"name": f"ch. 10: {task}", "weights": weights,
                         "source": f"chapter 10's learned mix for {task}"}
                        for task, weights in CHAPTER10_MIX.items()],
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
