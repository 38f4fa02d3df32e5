"""Does the book's live training demo show learning within a minute on this machine?

    python benchmarks/bench_demo.py

Runs ``elmo_mini.train.demo_config()`` (the small demo biLM, a 40 s training budget, a
validation on 150 held-out sentences every 10 steps) on 2 threads and prints the validation
perplexities with the wall time at which each was measured, corpus loading included.
"""

from __future__ import annotations

import time

import torch

START = time.perf_counter()

from elmo_mini.train import demo_config, train  # noqa: E402  (import time is part of the demo)


def main() -> None:
    torch.set_num_threads(2)
    result = train(demo_config(progress=False))
    wall = time.perf_counter() - START
    valid = result.valid()
    for record in valid:
        print(f"step {record['step']:4d}  training time {record['elapsed']:5.1f} s  "
              f"valid ppl mean {record['ppl_mean']:7.1f}")
    falling = len(valid) >= 2 and valid[-1]["ppl_mean"] < valid[0]["ppl_mean"]
    print(f"wall time {wall:.0f} s (imports, corpus, training, validations); "
          f"valid perplexity {'fell' if falling else 'did NOT fall'} "
          f"from {valid[0]['ppl_mean']:.0f} to {valid[-1]['ppl_mean']:.0f}")


if __name__ == "__main__":
    main()
