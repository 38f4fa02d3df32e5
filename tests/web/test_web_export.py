"""The browser export (elmo_mini.web_export): the ONNX graphs compute what BiLM computes.

The step graph's maths is checked against ``BiLM`` on a small random model; the ONNX files are run
with onnxruntime (the Python build of the runtime the page uses); the shipped model's export is
checked for the page's budget and for float16 tables that match the float32 ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from support import ROOT

from elmo_mini import batch_to_ids
from elmo_mini.chars import add_sentence_boundaries
from elmo_mini.web_export import (
    FILES,
    PANELS,
    BiLMStep,
    CharCnnGraph,
    SoftmaxGraph,
    export_graphs,
    run_steps,
    unit_rows,
)

ort = pytest.importorskip("onnxruntime", reason="pip install onnxruntime (requirements.txt)")
SENTENCES = [["The", "bank", "of", "the", "river", "."], ["A", "présent", "😀", "x" * 60]]


def _tokens(model, sentence):
    """(T + 2, P) token vectors, boundaries included, and BiLM's layers (L + 1, T + 2, 2P)."""
    ids, _ = add_sentence_boundaries(batch_to_ids([sentence]))  # (1, T + 2, 50)
    with torch.no_grad():
        output = model(batch_to_ids([sentence]))
        return model.char_cnn(ids[0]), torch.stack(output.layers)[:, 0].numpy()


@pytest.mark.parametrize("sentence", SENTENCES)
def test_step_graph_maths_equals_bilm(tiny_bilm, sentence):
    tokens, expected = _tokens(tiny_bilm, sentence)
    got = run_steps(BiLMStep(tiny_bilm).eval(), tokens)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def _run_onnx(folder: Path, tokens: np.ndarray, ids: np.ndarray):
    """The page's computation with onnxruntime: char-CNN once, then one step call per token."""
    char_cnn = ort.InferenceSession(str(folder / "char_cnn.onnx"))
    step = ort.InferenceSession(str(folder / "bilm_step.onnx"))
    vectors = char_cnn.run(None, {"char_ids": ids})[0]  # (T + 2, P)
    n_layers, _, p = step.get_inputs()[1].shape  # h: (L, 2, P), static
    cell = step.get_inputs()[2].shape[2]  # c: (L, 2, C)
    h = np.zeros((n_layers, 2, p), np.float32)
    c = np.zeros((n_layers, 2, cell), np.float32)
    n = len(vectors)
    fwd, bwd = np.zeros((n_layers, n, p), np.float32), np.zeros((n_layers, n, p), np.float32)
    for t in range(n):
        out, h, c = step.run(None, {"x": np.stack([vectors[t], vectors[n - 1 - t]]), "h": h, "c": c})
        fwd[:, t], bwd[:, n - 1 - t] = out[:, 0], out[:, 1]
    return vectors, np.concatenate([fwd, bwd], axis=-1)  # (T + 2, P), (L, T + 2, 2P)


@pytest.mark.parametrize("half", [False, True], ids=["fp32-weights", "fp16-exact-weights"])
def test_onnx_graphs_equal_torch(tiny_bilm, tmp_path, half):
    if half:  # weights that float16 represents exactly, as the shipped model's are
        with torch.no_grad():
            for param in tiny_bilm.parameters():
                param.copy_(param.half().float())
    counts = export_graphs(tiny_bilm, tmp_path)
    if half:
        assert counts["char_cnn.onnx"]["float32"] == 0 and counts["bilm_step.onnx"]["float32"] == 0
        # every LSTM weight (W_x, b, W_h, W_P of each layer and direction), once, in float16
        lstm_weights = [*tiny_bilm.forward_lstm.parameters(), *tiny_bilm.backward_lstm.parameters()]
        assert counts["bilm_step.onnx"]["float16"] == len(lstm_weights) == 4 * 2 * tiny_bilm.config.n_layers
    else:
        assert counts["bilm_step.onnx"]["float16"] == 0  # random float32 weights stay float32
    for sentence in SENTENCES:
        ids, _ = add_sentence_boundaries(batch_to_ids([sentence]))
        tokens, expected = _tokens(tiny_bilm, sentence)
        vectors, upper = _run_onnx(tmp_path, tokens, ids[0].numpy())
        np.testing.assert_allclose(vectors, tokens.numpy(), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(upper, expected[1:], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", ["adaptive", "full"])
def test_softmax_graph_equals_log_probs(tiny_config, tmp_path, kind):
    """lm_softmax.onnx gives LanguageModel.log_probs' distributions (adaptive and full)."""
    from dataclasses import replace

    from elmo_mini.lm import LanguageModel

    torch.manual_seed(0)
    config = replace(tiny_config, projection_dim=32)  # tail clusters of 8 and 2 dimensions
    lm = LanguageModel(config, 40, dropout=0.0, softmax=kind, cutoffs=[10, 25]).eval()
    with torch.no_grad():
        for param in lm.softmax.parameters():
            param.uniform_(-0.5, 0.5)
    sentence = ["The", "bank", "of", "the", "river", "."]
    forward, backward = lm.log_probs(batch_to_ids([sentence]))  # (1, T + 1, V) each
    top = lm.bilm(batch_to_ids([sentence])).layers[-1][0]  # (T + 2, 2P)
    p = config.projection_dim
    h = torch.cat([top[:-1, :p], top[1:, p:]])  # (2(T + 1), P): the page's rows
    with torch.no_grad():
        got = SoftmaxGraph(lm.softmax).eval()(h)
    expected = torch.cat([forward[0], backward[0]])
    torch.testing.assert_close(got, expected, rtol=1e-5, atol=1e-5)
    export_graphs(lm.bilm, tmp_path, softmax=lm.softmax)
    session = ort.InferenceSession(str(tmp_path / "lm_softmax.onnx"))
    onnx_out = session.run(None, {"h": h.detach().numpy()})[0]
    np.testing.assert_allclose(onnx_out, expected.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(np.exp(onnx_out).sum(-1), 1.0, atol=1e-5)


def test_char_cnn_graph_inside_outputs(tiny_bilm, tmp_path):
    """char_cnn.onnx's extra outputs: each window's value before the max, the highway carry."""
    words = ["bank", "snuffleupagus", "😀"]
    ids = batch_to_ids([[w] for w in words])[:, 0]  # (N, 50)
    cnn = tiny_bilm.char_cnn
    with torch.no_grad():
        outputs = CharCnnGraph(tiny_bilm)(ids)
        chars = cnn.char_embedding(ids).transpose(1, 2)
        windows = [conv(chars) for conv in cnn.convolutions]  # (N, n_w, 50 - w + 1)
        x = cnn.activation(torch.cat([w.max(-1).values for w in windows], -1))
        carry = (1 - torch.sigmoid(cnn.highway.gates[0](x))).mean(-1)  # (N,)
        torch.testing.assert_close(outputs[0], cnn.encode_words(ids))
    for got, expected in zip(outputs[1:-1], windows):
        torch.testing.assert_close(got, expected)
    torch.testing.assert_close(outputs[-1][:, 0], carry)
    export_graphs(tiny_bilm, tmp_path)
    session = ort.InferenceSession(str(tmp_path / "char_cnn.onnx"))
    names = [o.name for o in session.get_outputs()]
    assert names == CharCnnGraph(tiny_bilm).output_names()
    for got, expected in zip(session.run(None, {"char_ids": ids.numpy()}), outputs):
        np.testing.assert_allclose(got, expected.numpy(), rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def shipped_export(tmp_path_factory) -> Path:
    """The shipped model's export: the book build's (_build/web) if present, else a fresh one."""
    built = ROOT / "_build" / "web"
    if (built / "manifest.json").is_file():
        return built
    from elmo_mini.web_export import export_web

    return export_web(tmp_path_factory.mktemp("web"), progress=False).directory


@pytest.fixture(scope="module")
def shipped():
    from elmo_mini.pretrained import load_pretrained
    from elmo_mini.web_export import panel_tables

    mini = load_pretrained()
    return mini, panel_tables(mini.bilm, mini.vocab)


def test_shipped_export_budget_and_exact_weights(shipped_export):
    manifest = json.loads((shipped_export / "manifest.json").read_text())
    assert set(manifest["bytes"]) == set(FILES)
    manifest_size = (shipped_export / "manifest.json").stat().st_size
    assert manifest["bytes_total"] + manifest_size <= 25_000_000, manifest["bytes"]  # issue 21
    assert manifest["panels"] == PANELS
    for panel, names in PANELS.items():  # issue 21: any one panel loads at most 15 MB
        size = manifest_size + sum(manifest["bytes"][name] for name in names)
        assert size <= 15_000_000, f"the {panel} panel loads {size:,} bytes"
    for name, counts in manifest["onnx_weights"].items():
        assert counts["float32"] == 0, f"{name}: a weight float16 cannot hold exactly"


def test_shipped_export_matches_python(shipped_export, shipped):
    mini, tables = shipped
    manifest = json.loads((shipped_export / "manifest.json").read_text())
    np.testing.assert_array_equal(np.float32(manifest["vocab_mean"]), tables.vocab_mean)
    # (the occurrence vectors come from chapter 9's cache or are recomputed: the last bit of a
    # float32 sum can differ between torch's thread counts)
    np.testing.assert_allclose(np.float32(manifest["layer_means"]), tables.layer_means, atol=1e-6)
    vocab = np.frombuffer((shipped_export / "vocab_vectors.f16").read_bytes(), "<f2")
    vocab = vocab.reshape(len(tables.vocab_words), -1).astype(np.float32)
    np.testing.assert_allclose(vocab, unit_rows(tables.vocab_vectors - tables.vocab_mean),
                               atol=2.5e-4)  # float16 of numbers below 1: error < 2^-12
    occurrences = json.loads((shipped_export / "occurrences.json").read_text())
    table = np.frombuffer((shipped_export / "occurrence_vectors.f16").read_bytes(), "<f2")
    table = table.reshape(-1, 2, 2 * mini.bilm.config.projection_dim).astype(np.float32)
    for word, entry in occurrences.items():
        found = tables.occurrences[word]
        assert entry["text"] == [o.text(width=6) for o in found]
        rows = table[entry["first"] : entry["first"] + entry["count"]]  # (N, 2, 2P)
        np.testing.assert_allclose(rows.transpose(1, 0, 2), unit_rows(tables.vectors[word][1:]),
                                   atol=2.5e-4)
    assert {"bank", "present", "interest", "plant", "state", "power"} <= set(occurrences)
    # the char-CNN graph of the shipped model reproduces chapter 8's vectors
    from elmo_mini.unseen import char_cnn_vectors

    words = ["snuffleupagus", "bank", "Москва", "😀", "x" * 70]
    ids = batch_to_ids([[w] for w in words])[:, 0].numpy()
    got = ort.InferenceSession(str(shipped_export / "char_cnn.onnx")).run(None, {"char_ids": ids})[0]
    np.testing.assert_allclose(got, char_cnn_vectors(mini.bilm, words).numpy(), atol=2e-5)


def _chapter9_cells() -> list:
    """The parsed code cells of chapter 9 (the setup cell's ``%pip`` line does not parse)."""
    import ast

    from support.book_cells import CODE_CELL

    text = (ROOT / "book" / "09_contextual_neighbours.md").read_text(encoding="utf-8")
    trees = []
    for code in CODE_CELL.findall(text):
        try:
            trees.append(ast.parse(code))
        except SyntaxError:
            continue
    return trees


def test_the_page_uses_chapter_9s_targets_limits_and_window():
    """The page's occurrences are chapter 9's: its ``targets``, ``limits`` and window of 25."""
    import ast

    from elmo_mini.web_export import CHAPTER9_LIMITS, CHAPTER9_TARGETS, TEXT_WIDTH, WINDOW

    assigned, windows, widths = {}, set(), set()
    for tree in _chapter9_cells():
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                try:
                    assigned.setdefault(node.targets[0].id, ast.literal_eval(node.value))
                except ValueError:
                    pass
            if isinstance(node, ast.keyword) and isinstance(node.value, ast.Constant):
                if node.arg == "window":
                    windows.add(node.value.value)
                if node.arg == "width" and isinstance(node.value.value, int):
                    widths.add(node.value.value)
    assert assigned.get("targets") == CHAPTER9_TARGETS, "chapter 9's targets changed: update web_export"
    assert assigned.get("limits") == CHAPTER9_LIMITS, "chapter 9's limits changed: update web_export"
    assert windows == {WINDOW}, f"chapter 9 cuts sentences at {windows}, the page at {WINDOW}"
    assert TEXT_WIDTH in widths, f"chapter 9's tables show {widths} tokens a side, the page {TEXT_WIDTH}"


def test_the_page_uses_chapter_10s_mix_weights():
    """The mix presets are the weights chapter 10 learns, as its executed cell prints them."""
    import re

    from support.browser import unavailable

    from elmo_mini.web_export import CHAPTER10_MIX

    executed = ROOT / "_build" / "jupyter_execute" / "book" / "10_probing.ipynb"
    if not executed.is_file():
        unavailable(f"{executed} is missing: build the book (`bash scripts/build_book.sh`)")
    printed = {}
    for cell in json.loads(executed.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            text = "".join(output.get("text", ""))
            for task, weights in re.findall(r"(part of speech|word sense): weights \[([^\]]+)\]",
                                            text):
                printed[task] = [float(w) for w in weights.split()]
    assert printed == CHAPTER10_MIX, "chapter 10's learned weights changed: update web_export"
