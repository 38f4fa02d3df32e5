"""The cache of model outputs that chapters 9 and 10 share: keyed by weights and inputs, atomic."""

import numpy as np
import pytest
import torch

from elmo_mini.vector_cache import cached_vectors, model_fingerprint, targets_key

TARGETS = [(("the", "bank", "."), 1), (("a", "bank"), 1)]


def test_fingerprint_follows_the_weights_not_the_object():
    torch.manual_seed(0)
    a = torch.nn.Linear(3, 2)
    b = torch.nn.Linear(3, 2)
    b.load_state_dict(a.state_dict())
    assert model_fingerprint(a) == model_fingerprint(b)  # two copies share one file
    with torch.no_grad():
        b.bias[0] += 1e-6
    assert model_fingerprint(a) != model_fingerprint(b)


def test_key_follows_tokens_positions_and_order():
    assert targets_key(TARGETS) == targets_key([(list(t), i) for t, i in TARGETS])
    assert targets_key(TARGETS) != targets_key(TARGETS[::-1])
    assert targets_key(TARGETS) != targets_key([(TARGETS[0][0], 2), TARGETS[1]])
    assert targets_key([(("ab", "c"), 0)]) != targets_key([(("a", "bc"), 0)])


def test_computed_once_then_read(tmp_path):
    model = torch.nn.Linear(2, 2)
    calls = []

    def compute():
        calls.append(1)
        return np.arange(6, dtype=np.float32).reshape(1, 2, 3)

    first = cached_vectors("kind", model, TARGETS, compute, tmp_path)
    second = cached_vectors("kind", model, TARGETS, compute, tmp_path)
    assert len(calls) == 1 and np.array_equal(first, second) and second.dtype == np.float32
    assert [p.parent.name for p in tmp_path.rglob("*.npy")] == ["kind"]


def test_a_failed_write_leaves_no_file(tmp_path, monkeypatch):
    import elmo_mini.checkpoint as checkpoint

    def disk_full(*args):
        raise OSError("disk full")

    monkeypatch.setattr(checkpoint.os, "fsync", disk_full)
    with pytest.raises(OSError):
        cached_vectors("kind", torch.nn.Linear(2, 2), TARGETS, lambda: np.zeros(3), tmp_path)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no half-written file to read
