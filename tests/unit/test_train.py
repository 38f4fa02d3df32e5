"""Training loop: determinism, resume, atomic checkpoints, Ctrl-C, bad input, CLI."""

import json

import pytest
import torch
from support.training import TEXT, TINY

from elmo_mini import cli
from elmo_mini.checkpoint import CHECKPOINT, CheckpointError, load_checkpoint
from elmo_mini.lm import LanguageModel
from elmo_mini.train import TrainConfig, load_run, train


def losses(result):
    return [r["last_loss"] for r in result.history if r["event"] == "train"]


def test_same_seed_same_losses_on_cpu():
    a = train(TrainConfig(**TINY), sentences=TEXT, max_steps=4)
    b = train(TrainConfig(**TINY), sentences=TEXT, max_steps=4)
    assert len(losses(a)) == 4 and losses(a) == losses(b)
    c = train(TrainConfig(**TINY, seed=1), sentences=TEXT, max_steps=4)
    assert losses(c) != losses(a)


def test_resume_continues_exactly(tmp_path):
    straight = train(TrainConfig(**TINY), sentences=TEXT, max_steps=8, run_dir=tmp_path / "a")
    train(TrainConfig(**TINY), sentences=TEXT, max_steps=3, run_dir=tmp_path / "b")
    resumed = train(TrainConfig(**TINY), sentences=TEXT, max_steps=8, run_dir=tmp_path / "b")
    assert resumed.history[0]["event"] == "resume" and resumed.history[0]["step"] == 3
    assert losses(resumed) == losses(straight)[3:]
    for (name, p), q in zip(straight.model.state_dict().items(), resumed.model.state_dict().values()):
        assert torch.equal(p, q), name
    log = [json.loads(line) for line in (tmp_path / "b" / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log if r["event"] == "train"] == list(range(1, 9))


def test_resume_with_other_config_is_refused(tmp_path):
    train(TrainConfig(**TINY), sentences=TEXT, max_steps=2, run_dir=tmp_path)
    with pytest.raises(CheckpointError, match="lr"):
        train(TrainConfig(**TINY), sentences=TEXT, max_steps=4, run_dir=tmp_path, lr=0.1)
    # a longer budget is not a different run
    train(TrainConfig(**TINY), sentences=TEXT, max_steps=3, run_dir=tmp_path)


def test_truncated_and_foreign_checkpoints_are_refused(tmp_path):
    train(TrainConfig(**TINY), sentences=TEXT, max_steps=2, run_dir=tmp_path)
    model, vocab, config = load_run(tmp_path)
    path = tmp_path / CHECKPOINT
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        load_run(tmp_path)
    with pytest.raises(CheckpointError, match="truncated or corrupt"):
        train(TrainConfig(**TINY), sentences=TEXT, max_steps=3, run_dir=tmp_path)
    from safetensors.torch import save_file

    save_file({"w": torch.zeros(2)}, str(path))
    with pytest.raises(CheckpointError, match="not an elmo_mini training checkpoint"):
        load_run(tmp_path)
    path.write_bytes(data)
    other = LanguageModel(model.config, len(vocab) + 1)
    with pytest.raises(CheckpointError, match="does not fit"):
        load_checkpoint(path, other, None, None)


def test_checkpoint_write_is_atomic(tmp_path, monkeypatch):
    train(TrainConfig(**TINY), sentences=TEXT, max_steps=2, run_dir=tmp_path)
    before = (tmp_path / CHECKPOINT).read_bytes()
    import elmo_mini.checkpoint as ck

    def crash(*args, **kwargs):  # the disk fills while the temporary file is being written
        raise OSError("disk full")

    monkeypatch.setattr(ck.os, "fsync", crash)
    with pytest.raises(OSError):
        train(TrainConfig(**TINY), sentences=TEXT, max_steps=3, run_dir=tmp_path)
    assert (tmp_path / CHECKPOINT).read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_keyboard_interrupt_saves_and_resumes(tmp_path, monkeypatch):
    calls = {"n": 0}
    original = torch.optim.Adam.step

    def step(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.Adam, "step", step)
    result = train(TrainConfig(**TINY), sentences=TEXT, max_steps=6, run_dir=tmp_path)
    assert result.interrupted and result.history[-1]["event"] == "interrupted"
    assert result.history[-1]["step"] == 2
    monkeypatch.setattr(torch.optim.Adam, "step", original)
    resumed = train(TrainConfig(**TINY), sentences=TEXT, max_steps=6, run_dir=tmp_path)
    assert resumed.history[0]["step"] == 2 and not resumed.interrupted
    straight = train(TrainConfig(**TINY), sentences=TEXT, max_steps=6)
    assert losses(resumed) == losses(straight)[2:]
    for (name, p), q in zip(straight.model.state_dict().items(), resumed.model.state_dict().values()):
        assert torch.equal(p, q), name


def test_interrupt_between_steps_resumes_exactly(tmp_path, monkeypatch):
    """Ctrl-C during a validation: the step before it counts, and the checkpoint's RNG state is
    the one the next step starts from (not the one the finished step started from)."""
    import elmo_mini.train as train_module

    original = train_module.evaluate_encoded

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train_module, "evaluate_encoded", interrupted)
    result = train(TrainConfig(**TINY, eval_every=3), sentences=TEXT, max_steps=6, run_dir=tmp_path)
    assert result.interrupted and result.history[-1]["step"] == 3
    monkeypatch.setattr(train_module, "evaluate_encoded", original)
    resumed = train(TrainConfig(**TINY, eval_every=3), sentences=TEXT, max_steps=6, run_dir=tmp_path)
    straight = train(TrainConfig(**TINY, eval_every=3), sentences=TEXT, max_steps=6)
    assert losses(resumed) == losses(straight)[3:]
    for (name, p), q in zip(straight.model.state_dict().items(), resumed.model.state_dict().values()):
        assert torch.equal(p, q), name


def test_bad_input_errors(tmp_path, capsys):
    with pytest.raises(ValueError, match="empty"):
        train(TrainConfig(**TINY), sentences=[], max_steps=1)
    with pytest.raises(ValueError, match="at least 2"):
        train(TrainConfig(**TINY), sentences=["Just one sentence."], max_steps=1)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\xe9. Na\xefve.".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        train(TrainConfig(**TINY), corpus=str(latin), max_steps=1)
    assert cli.main(["train", "--config", str(tmp_path / "nope.json")]) == 2
    assert "config file not found" in capsys.readouterr().err
    (tmp_path / "bad.json").write_text('{"lr": 0.1, "colour": 3}')
    assert cli.main(["train", "--config", str(tmp_path / "bad.json")]) == 2
    assert "unknown keys: colour" in capsys.readouterr().err


def test_cli_train_evaluate_embed_export(tmp_path, capsys, monkeypatch):
    import io

    import numpy as np

    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(TEXT), encoding="utf-8")
    config = tmp_path / "config.json"
    config.write_text(json.dumps(TINY))
    run = tmp_path / "run"
    assert cli.main(["train", "--config", str(config), "--corpus", str(corpus),
                     "--run-dir", str(run), "--max-steps", "2"]) == 0
    assert cli.main(["evaluate", "--run-dir", str(run), "--corpus", str(corpus), "--json"]) == 0
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(out)["ppl_mean"] > 1
    monkeypatch.setattr("sys.stdin", io.StringIO("The bank is open.\n[\"a\", \"b\"]\n"))
    assert cli.main(["embed", "--run-dir", str(run), "--out", str(tmp_path / "v.npz")]) == 0
    arrays = np.load(tmp_path / "v.npz")
    assert arrays["layers"].shape == (7, 3, 32) and list(arrays["offsets"]) == [0, 5, 7]
    assert cli.main(["export-original", "--run-dir", str(run), "--out", str(tmp_path / "o")]) == 0
    from elmo_mini import load_original

    bilm = load_original(tmp_path / "o" / "options.json", tmp_path / "o" / "weights.hdf5")
    model, _, _ = load_run(run)
    for (name, p), q in zip(model.bilm.state_dict().items(), bilm.state_dict().values()):
        assert torch.equal(p, q), name
    assert cli.main(["export", "--run-dir", str(run), "--out", str(tmp_path / "m")]) == 0
    from elmo_mini.pretrained import load_pretrained

    assert load_pretrained(tmp_path / "m").vocab == load_run(run)[1]


def test_train_flags_come_from_the_config_fields(capsys):
    from dataclasses import fields

    with pytest.raises(SystemExit):
        cli.main(["train", "--help"])
    text = capsys.readouterr().out
    for f in fields(TrainConfig):
        flag = "--" + f.name.replace("_", "-")
        if f.name == "progress":
            flag = "--no-progress"
        assert (flag in text) == f.metadata["flag"], flag
        assert not f.metadata["flag"] or " ".join(f.metadata["help"].split()[:2]) in text, flag
    args = cli._parser().parse_args(["train", "--no-progress", "--max-seconds", "2.5", "--lr", "1e-3"])
    assert cli._config_overrides(args) == {"progress": False, "max_seconds": 2.5, "lr": 1e-3}
    assert cli._config_overrides(cli._parser().parse_args(["train"])) == {}  # --config decides


def test_mini_model_is_the_shipped_architecture():
    from elmo_mini.pretrained import HERE
    from elmo_mini.train import MINI_MODEL

    shipped = json.loads((HERE / "config.json").read_text())["model"]
    assert MINI_MODEL == {k: shipped[k] for k in MINI_MODEL}
    assert TrainConfig().model == MINI_MODEL and TrainConfig().model is not MINI_MODEL


def test_help_on_every_command(capsys):
    for command in ("train", "evaluate", "embed", "export", "export-original"):
        with pytest.raises(SystemExit) as exit_info:
            cli.main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage" in capsys.readouterr().out


def test_killed_run_resumes_from_last_checkpoint(tmp_path):
    """A run killed after its checkpoint redoes the lost steps: same losses, clean log."""
    straight = train(TrainConfig(**TINY), sentences=TEXT, max_steps=6)
    train(TrainConfig(**TINY), sentences=TEXT, max_steps=3, run_dir=tmp_path)
    saved = (tmp_path / CHECKPOINT).read_bytes()
    train(TrainConfig(**TINY), sentences=TEXT, max_steps=5, run_dir=tmp_path)
    (tmp_path / CHECKPOINT).write_bytes(saved)  # as if killed before step 5's checkpoint
    resumed = train(TrainConfig(**TINY), sentences=TEXT, max_steps=6, run_dir=tmp_path)
    assert resumed.history[0]["step"] == 3
    assert losses(resumed) == losses(straight)[3:]
    log = [json.loads(line) for line in (tmp_path / "log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in log if r["event"] == "train"] == list(range(1, 7))
