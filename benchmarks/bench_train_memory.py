"""Peak memory of a training run of the mini ELMo: the real trainer, long enough to see creep.

    python benchmarks/bench_train_memory.py                  # 600 steps, ~8 minutes on 2 cores
    python benchmarks/bench_train_memory.py --steps 3000     # a longer look
    python benchmarks/bench_train_memory.py --malloc-default # without elmo_mini.heap's setting

Runs :func:`elmo_mini.train.train` with the shipped model's settings (batches of 2,400 tokens,
validation every 200 steps, checkpoints into a temporary directory) while a thread reads the
process's resident memory from ``/proc/self/status`` twice a second (Linux only). Prints the
resident memory at tenths of the run, the peak (VmHWM) and the training speed. A 20-step
benchmark cannot show the slow creep of a long run; this one can.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time

import elmo_mini.train as trainer
import elmo_mini.train_setup as train_setup


def memory_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    with open("/proc/self/status", encoding="ascii") as f:
        fields = dict(line.split(":", 1) for line in f)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-tokens", type=int, default=2400)
    parser.add_argument("--malloc-default", action="store_true",
                        help="skip train()'s call of elmo_mini.heap.keep_freed_memory")
    args = parser.parse_args()
    if args.malloc_default:
        train_setup.keep_freed_memory = lambda: False  # train_setup.training_process calls it
    if not sys.platform.startswith("linux"):
        raise SystemExit("this benchmark reads /proc/self/status, which only Linux has")

    samples: list[tuple[float, float, float]] = []  # (seconds, RSS MB, peak MB)
    done = threading.Event()
    start = time.perf_counter()

    def sample() -> None:
        while not done.wait(0.5):
            samples.append((time.perf_counter() - start, *memory_mb()))

    threading.Thread(target=sample, daemon=True).start()
    with tempfile.TemporaryDirectory() as run_dir:
        result = trainer.train(run_dir=run_dir, max_steps=args.steps, eval_every=200,
                               batch_tokens=args.batch_tokens, threads=args.threads, lr=0.002,
                               log_every=50, checkpoint_every=120, progress=False)
    done.set()
    wall = time.perf_counter() - start

    print(f"{args.steps} training steps of {args.batch_tokens} tokens, {args.threads} threads")
    for k in range(1, 11):
        t, rss, peak = samples[min(len(samples) - 1, k * len(samples) // 10 - 1)]
        print(f"  {t:6.0f} s  resident {rss:6.0f} MB   peak so far {peak:6.0f} MB")
    trained = [r for r in result.history if r["event"] == "train"]
    tokens = trained[-1]["tokens"]
    seconds = trained[-1]["elapsed"]
    print(f"peak memory (VmHWM): {memory_mb()[1]:,.0f} MB")
    print(f"training speed: {tokens / seconds:,.0f} tokens/s over the run "
          f"({seconds:.0f} s of steps, {wall:.0f} s wall with validations and checkpoints)")


if __name__ == "__main__":
    main()
