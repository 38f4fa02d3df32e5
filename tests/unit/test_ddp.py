"""Scale-out: two CPU processes (gloo) train with DistributedDataParallel and stay identical."""

import json
import os
import subprocess
import sys

import pytest
import torch
from safetensors.torch import load_file

TINY = dict(
    model=dict(char_dim=4, filters=[[1, 8], [2, 8], [3, 16]], n_highway=1, lstm_dim=32,
               projection_dim=16, n_layers=2, use_skip_connections=True),
    vocab_size=60, batch_tokens=60, log_every=1, progress=False, threads=1,
    checkpoint_every=1e9, max_steps=3, corpus="corpus.txt",
)

WORKER = r"""
import torch.distributed as dist
from elmo_mini.train import TrainConfig, train
config = TrainConfig.load("config.json")
result = train(config, run_dir="run")
assert not dist.is_initialized(), "train() started the process group, so it must end it"
from safetensors.torch import save_file
save_file({k: v.contiguous() for k, v in result.model.state_dict().items()},
          f"rank{result.rank}.safetensors")
"""


@pytest.mark.slow
def test_two_cpu_processes_hold_identical_weights(tmp_path):
    text = " ".join(f"Sentence number {i} talks about the bank and the river." for i in range(60))
    (tmp_path / "corpus.txt").write_text(text, encoding="utf-8")
    (tmp_path / "config.json").write_text(json.dumps(TINY))
    (tmp_path / "worker.py").write_text(WORKER)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node=2",
           "--master_port=29533", "worker.py"]
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    a, b = load_file(tmp_path / "rank0.safetensors"), load_file(tmp_path / "rank1.safetensors")
    assert a.keys() == b.keys()
    for name in a:
        assert torch.equal(a[name], b[name]), name
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert log[0]["world_size"] == 2
    assert [r["step"] for r in log if r["event"] == "train"] == [1, 2, 3]
    # the checkpoint (written by rank 0) holds the same weights
    from elmo_mini.train import load_run

    model, _, _ = load_run(tmp_path / "run")
    for name, p in model.state_dict().items():
        assert torch.equal(p, a[name])
