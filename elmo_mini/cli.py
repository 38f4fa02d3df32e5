"""``python -m elmo_mini``: train, evaluate, embed, export (chapter 6).

    python -m elmo_mini train --run-dir runs/mini --max-seconds 2700
    python -m elmo_mini evaluate --run-dir runs/mini --split test --trigram
    echo "The bank raised its rates ." | python -m elmo_mini embed --out vectors.npz
    python -m elmo_mini export --run-dir runs/mini --out my_model/
    python -m elmo_mini export-original --run-dir runs/mini --out original/
    python -m elmo_mini export-web --out _build/web       # the book's live panel (ONNX)
    torchrun --nproc_per_node=2 -m elmo_mini train --run-dir runs/ddp ...
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any, Dict, List, Optional, get_args, get_type_hints

from .train_config import TrainConfig


def _add_config_flags(parser: argparse.ArgumentParser) -> None:
    """A flag for each :class:`TrainConfig` field that has one, with the field's own help:
    ``--vocab-size`` sets ``vocab_size``; a switch that is on by default becomes ``--no-<name>``.
    Unset flags stay None, so they do not override a ``--config`` file."""
    types = get_type_hints(TrainConfig)
    for f in fields(TrainConfig):
        if not f.metadata["flag"]:
            continue
        flag, text, kind = "--" + f.name.replace("_", "-"), f.metadata["help"], types[f.name]
        kind = next(k for k in get_args(kind) if k is not type(None)) if get_args(kind) else kind
        if kind is bool and f.default:
            parser.add_argument("--no-" + flag[2:], dest=f.name, action="store_false",
                                default=None, help=f"no {text}")
        elif kind is bool:
            parser.add_argument(flag, dest=f.name, action="store_true", default=None, help=text)
        else:
            parser.add_argument(flag, dest=f.name, type=kind, help=text)


def _config_overrides(args: argparse.Namespace) -> Dict[str, Any]:
    """The :class:`TrainConfig` fields set on the command line."""
    return {f.name: getattr(args, f.name) for f in fields(TrainConfig)
            if f.metadata["flag"] and getattr(args, f.name) is not None}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m elmo_mini", description="Train and use a mini ELMo (char-CNN + biLSTM LM)."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train or resume a biLM", description=(
        "Train a biLM language model; a run directory that already holds a checkpoint is "
        "resumed (same config required). Ctrl-C saves a checkpoint and stops."))
    p.add_argument("--config", type=Path, help="JSON file of TrainConfig fields")
    p.add_argument("--run-dir", type=Path, default=Path("runs/elmo"), help="output directory")
    p.add_argument("--fresh", action="store_true", help="do not resume; overwrite the run")
    _add_config_flags(p)

    def model_source(p: argparse.ArgumentParser) -> None:
        p.add_argument("--run-dir", type=Path, help="a training run (default: the shipped model)")
        p.add_argument("--model-dir", type=Path, help="an exported model directory")
        p.add_argument("--device", help="cuda, cpu, ...")

    p = sub.add_parser("evaluate", help="held-out perplexities", description=(
        "Forward, backward and mean perplexity of a model on a split of the State of the "
        "Union corpus or on a text file; optionally the Kneser-Ney trigram baseline too."))
    model_source(p)
    p.add_argument("--split", default="test", choices=["train", "valid", "test"])
    p.add_argument("--corpus", type=Path, help="a UTF-8 text file instead of a split")
    p.add_argument("--trigram", action="store_true", help="also the Kneser-Ney trigram")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser("embed", help="sentences -> .npz of ELMo layers", description=(
        "Read one sentence per line (tokenised with elmo_mini.data.tokenize, or split on "
        "whitespace with --pretokenized; a line that is a JSON list is taken as the tokens) "
        "and write an .npz: layers (n_tokens, n_layers + 1, 2P), offsets (n_sentences + 1,), "
        "tokens (n_tokens,). Sentence i is layers[offsets[i]:offsets[i+1]]."))
    model_source(p)
    p.add_argument("input", nargs="?", type=Path, help="text file (default: stdin)")
    p.add_argument("--out", type=Path, required=True, help="output .npz")
    p.add_argument("--pretokenized", action="store_true", help="split lines on whitespace")
    p.add_argument("--batch-size", type=int, default=64)

    p = sub.add_parser("export", help="a run -> model directory (fp16 safetensors)",
                       description="Write model.safetensors + config.json + vocab.txt.")
    p.add_argument("--run-dir", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--fp32", action="store_true", help="keep float32 (default float16)")

    p = sub.add_parser("export-original", help="write options.json + weights.hdf5",
                       description="Export the biLM in the original ELMo file format.")
    model_source(p)
    p.add_argument("--out", type=Path, required=True, help="output directory")

    p = sub.add_parser("export-web", help="the shipped model as ONNX + tables for the book's page",
                       description=(
                           "Write the files the book's 'Try it' page loads: the char-CNN and "
                           "one biLM time step as ONNX, the vocabulary's layer-0 vectors and "
                           "the corpus occurrences of chapter 9's words (float16)."))
    p.add_argument("--out", type=Path, required=True, help="output directory")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def _load_model(args):
    """(LanguageModel, Vocabulary) from --run-dir, --model-dir or the shipped model."""
    if args.run_dir is not None:
        from .train import load_run

        model, vocab, _ = load_run(args.run_dir, args.device)
        return model, vocab
    from .pretrained import load_pretrained

    mini = load_pretrained(args.model_dir)
    if args.device:
        mini.lm.to(args.device)
    return mini.lm, mini.vocab


def _train(args) -> int:
    from .train import train

    config = TrainConfig.load(args.config) if args.config is not None else TrainConfig()
    result = train(config, run_dir=args.run_dir, resume=not args.fresh, **_config_overrides(args))
    if result.rank != 0:  # under torchrun, the first process alone reports
        return 130 if result.interrupted else 0
    valid = result.valid()
    if valid:
        v = valid[-1]
        print(f"valid perplexity: forward {v['ppl_forward']:.2f}, backward "
              f"{v['ppl_backward']:.2f}, mean {v['ppl_mean']:.2f} (step {v['step']})")
    return 130 if result.interrupted else 0


def _sentences_for(args) -> List[List[str]]:
    from .data import load_corpus, load_sotu

    if args.corpus is not None:
        return load_corpus(args.corpus)
    return load_sotu(args.split)


def _evaluate(args) -> int:
    from .train import evaluate

    model, vocab = _load_model(args)
    sentences = _sentences_for(args)
    result = {"split": str(args.corpus or args.split), **evaluate(model, sentences, vocab)}
    if args.trigram:
        from .data import load_sotu
        from .kneser_ney import KneserNeyTrigram

        train_sents = load_sotu("train")
        result["trigram_forward"] = KneserNeyTrigram(vocab).fit(train_sents).perplexity(sentences)
        result["trigram_backward"] = (
            KneserNeyTrigram(vocab, backward=True).fit(train_sents).perplexity(sentences)
        )
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>18}: {value:.2f}" if isinstance(value, float) else f"{key:>18}: {value}")
    return 0


def _embed(args) -> int:
    import numpy as np

    from .data import tokenize
    from .embedder import Embedder

    if args.input is not None:
        if not args.input.is_file():
            raise FileNotFoundError(f"input file not found: {args.input}")
        lines = args.input.read_text(encoding="utf-8").splitlines()
    else:
        lines = sys.stdin.read().splitlines()
    sentences = []
    for line in lines:
        line = line.strip()
        if not line:
            continue
        if line.startswith("["):
            sentences.append([str(t) for t in json.loads(line)])
        else:
            sentences.append(line.split() if args.pretokenized else tokenize(line))
    if not sentences:
        raise ValueError("no sentence to embed: the input is empty")
    model, _ = _load_model(args)
    vectors = Embedder(model.bilm, device=args.device).embed_sentences(sentences, args.batch_size)
    offsets = np.cumsum([0] + [len(s) for s in sentences])
    layers = np.concatenate([v.transpose(1, 0, 2) for v in vectors])  # (n_tokens, L+1, 2P)
    tokens = np.array([t for s in sentences for t in s], dtype=str)
    np.savez(args.out, layers=layers, offsets=offsets, tokens=tokens)
    print(f"wrote {len(sentences)} sentences, {len(tokens)} tokens to {args.out}")
    return 0


def _export(args) -> int:
    import torch

    from .pretrained import export_model
    from .train import load_run

    model, vocab, config = load_run(args.run_dir)
    dtype = torch.float32 if args.fp32 else torch.float16
    export_model(model, vocab, config.identity(), args.out, dtype)
    print(f"wrote {args.out}/model.safetensors, config.json, vocab.txt")
    return 0


def _export_original(args) -> int:
    from .original import save_original

    model, _ = _load_model(args)
    args.out.mkdir(parents=True, exist_ok=True)
    save_original(model.bilm.float().cpu(), args.out / "options.json", args.out / "weights.hdf5")
    print(f"wrote {args.out / 'options.json'} and {args.out / 'weights.hdf5'}")
    return 0


def _export_web(args) -> int:
    from .web_export import export_web

    result = export_web(args.out, progress=not args.no_progress)
    manifest = result.manifest
    for name, size in manifest["bytes"].items():
        print(f"{name:24s} {size / 1e6:7.2f} MB")
    print(f"{'total':24s} {manifest['bytes_total'] / 1e6:7.2f} MB in {result.directory} "
          f"({manifest['seconds']} s)")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"train": _train, "evaluate": _evaluate, "embed": _embed, "export": _export,
                "export-original": _export_original, "export-web": _export_web}
    try:
        return commands[args.command](args)
    except (FileNotFoundError, ValueError, TypeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
