"""elmo_mini.heap: freed big blocks are reused instead of being faulted in again."""

import subprocess
import sys
import textwrap

import pytest
from support.training import TEXT, TINY

from elmo_mini.train import TrainConfig, train

# Allocate, touch and free a 48 MB tensor (the size of the mini model's softmax scores at
# 3,000-token batches) twelve times; print the page faults of the last five rounds. The first
# three or four rounds fault even with the setting (measured: the heap's layout settles first).
PROBE = textwrap.dedent(
    """
    import resource, sys, torch
    from elmo_mini.heap import keep_freed_memory
    if sys.argv[1] == "kept":
        assert keep_freed_memory()
    def faults():
        return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(7):
        torch.empty(12_000_000).fill_(1.0)
    before = faults()
    for _ in range(5):
        torch.empty(12_000_000).fill_(1.0)
    print(faults() - before)
    """
)
PAGES = 12_000_000 * 4 // 4096  # pages of one 48 MB tensor


def probe_faults(mode: str) -> int:
    done = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt: Linux only")
def test_keep_freed_memory_stops_refaulting_big_blocks():
    # glibc's default: every round maps the 48 MB afresh, so each of its pages faults again
    assert probe_faults("default") > 0.9 * 5 * PAGES
    # kept: the rounds reuse earlier rounds' pages (measured: no faults at all; a CI run once saw
    # two of the five rounds fault, so the bound allows two)
    assert probe_faults("kept") < 0.5 * 5 * PAGES


def test_train_logs_whether_freed_memory_is_kept(tmp_path):
    result = train(TrainConfig(**TINY), run_dir=tmp_path, sentences=TEXT, max_steps=1)
    start = next(r for r in result.history if r["event"] == "start")
    assert start["device"] == "cpu"
    assert start["heap_kept"] is sys.platform.startswith("linux")

