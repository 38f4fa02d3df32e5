"""Training speed of the mini ELMo on the CPU, against what the hardware's matmuls allow.

    python benchmarks/bench_train.py                    # mini model, adaptive softmax, 2 threads
    python benchmarks/bench_train.py --softmax full     # the same with a full softmax
    python benchmarks/bench_train.py --malloc-default   # without elmo_mini.heap.keep_freed_memory

Prints (figures, not a timed test):
  * training tokens/s on real State of the Union batches (the batches the trainer uses);
  * FLOPs per token from the model's shapes: the dense count (every token through the char-CNN
    with all 50 characters) and the executed count (what runs after the char-CNN's exact
    shortcuts: each distinct word of a batch once, character axis trimmed; the filler rows and
    characters that round the convolutions' shapes are not counted), x3 for training
    (forward + backward);
  * a GEMM's FLOP/s measured in the same process on the same threads (the faster of one
    measurement before the training steps and one after), and the share of it the training
    reaches (executed FLOPs x tokens/s / GEMM FLOP/s);
  * page faults per step (each a 4 kB page the kernel had to map and zero) and peak resident
    memory of the process (ru_maxrss).

Like :func:`elmo_mini.train.train` on a CPU, it first calls :func:`elmo_mini.heap.keep_freed_memory`
(``--malloc-default`` leaves glibc's defaults, to see what that setting buys).
"""

from __future__ import annotations

import argparse
import resource
import time

import torch

from elmo_mini.config import ElmoConfig
from elmo_mini.data import load_sotu
from elmo_mini.heap import keep_freed_memory
from elmo_mini.lm import LanguageModel
from elmo_mini.train import MINI_MODEL, EncodedCorpus, plan_batches
from elmo_mini.vocab import Vocabulary


def char_cnn_macs(config: ElmoConfig, n_chars: int) -> int:
    """Multiply-adds to encode one word whose character axis has ``n_chars`` positions."""
    conv = sum(n * width * config.char_dim * (n_chars - width + 1) for width, n in config.filters)
    highway = 2 * config.n_highway * config.n_filters**2
    return conv + highway + config.n_filters * config.projection_dim


def lstm_macs(config: ElmoConfig) -> int:
    """Multiply-adds per token of both LSTM stacks (input, recurrent, projection matmuls)."""
    per_layer = 4 * config.lstm_dim * (2 * config.projection_dim) + config.lstm_dim * config.projection_dim
    return 2 * config.n_layers * per_layer


def softmax_macs(model: LanguageModel, cluster_share: list[float]) -> float:
    """Multiply-adds per prediction of the softmax (expected tail work for the adaptive one)."""
    p = model.config.projection_dim
    if model.softmax_kind == "full":
        return p * model.vocab_size
    sm = model.softmax
    macs = p * sm.head_size
    for share, tail in zip(cluster_share, sm.tail):
        hidden, out = tail[0].out_features, tail[1].out_features
        macs += share * (p * hidden + hidden * out)
    return macs


def gemm_flops_per_s(n: int = 2048, repeats: int = 10) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n**3 * repeats / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batch-tokens", type=int, default=3000)
    parser.add_argument("--softmax", default="adaptive", choices=["adaptive", "full"])
    parser.add_argument("--vocab-size", type=int, default=20000)
    parser.add_argument("--malloc-default", action="store_true", help="keep glibc's allocator settings")
    args = parser.parse_args()
    heap_kept = False if args.malloc_default else keep_freed_memory()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    sentences = load_sotu("train")
    vocab = Vocabulary.build(sentences, args.vocab_size)
    data = EncodedCorpus(sentences, vocab, max_len=100)
    batches = plan_batches(data.lengths, args.batch_tokens, seed=0, epoch=0)
    config = ElmoConfig(**MINI_MODEL)
    model = LanguageModel(config, len(vocab), dropout=0.1, softmax=args.softmax)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

    gemm_before = gemm_flops_per_s()
    n_tokens, seconds, words, kept_chars, positions, faults = 0, 0.0, 0, 0, 0, 0
    widest = max(w for w, _ in config.filters)
    for step, indices in enumerate(batches[: args.steps + 3]):
        char_ids, word_ids = data.batch(indices)
        faults_before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        start = time.perf_counter()
        loss = model(char_ids, word_ids).loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        elapsed = time.perf_counter() - start
        if step >= 3:  # warm-up steps are not counted
            faults += resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults_before
            n_tokens += int((word_ids > 0).sum()) - word_ids.shape[0]
            seconds += elapsed
            present = char_ids.reshape(-1, char_ids.shape[-1])
            present = present[(present > 0).any(-1)]
            unique = torch.unique(present, dim=0)
            words += unique.shape[0]
            kept_chars += unique.shape[0] * min(50, int((unique != 261).sum(-1).max()) + widest)
            positions += present.shape[0]
    tokens_per_s = n_tokens / seconds
    gemm = max(gemm_before, gemm_flops_per_s())  # the limit: the faster of a run before and after

    # FLOPs per token (a token here = one word; its forward and backward predictions included)
    all_targets = torch.cat([data.targets[r] for r in data.rows])
    cutoffs = model.cutoffs + [len(vocab)]
    share = [float(((all_targets >= lo) & (all_targets < hi)).float().mean())
             for lo, hi in zip(cutoffs[:-1], cutoffs[1:])]
    lstm = lstm_macs(config)
    soft = 2 * softmax_macs(model, share)  # both directions share one softmax
    cnn_dense = char_cnn_macs(config, 50)
    mean_chars = kept_chars / max(words, 1)
    cnn_exec = char_cnn_macs(config, round(mean_chars)) * words / max(positions, 1)
    dense = 2 * 3 * (cnn_dense + lstm + soft)
    executed = 2 * 3 * (cnn_exec + lstm + soft)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    params = sum(p.numel() for p in model.parameters())
    print(f"model: {params / 1e6:.2f}M parameters, softmax={args.softmax}, vocab={len(vocab)}, "
          f"threads={args.threads}, batch_tokens={args.batch_tokens}, "
          f"allocator: {'freed memory kept (elmo_mini.heap)' if heap_kept else 'glibc defaults'}")
    print(f"training speed:           {tokens_per_s:,.0f} tokens/s over {args.steps} steps")
    print(f"FLOPs/token (training):   dense {dense / 1e6:.1f} M, executed {executed / 1e6:.1f} M "
          f"(char-CNN {2 * 3 * cnn_exec / 1e6:.1f} M after dedup: {words / positions:.2f} distinct "
          f"words per position, {mean_chars:.0f} of 50 characters; LSTMs {6 * lstm / 1e6:.1f} M; "
          f"softmax {6 * soft / 1e6:.1f} M)")
    print(f"GEMM limit (2048^3 fp32): {gemm / 1e9:.1f} GFLOP/s")
    achieved = executed * tokens_per_s
    print(f"achieved:                 {achieved / 1e9:.1f} GFLOP/s = {100 * achieved / gemm:.0f}% "
          f"of the GEMM limit (dense-equivalent {100 * dense * tokens_per_s / gemm:.0f}%)")
    print(f"page faults per step:     {faults / args.steps:,.0f}")
    print(f"peak memory (RSS):        {peak:,.0f} MB")


if __name__ == "__main__":
    main()
