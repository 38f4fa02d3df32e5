"""The shipped mini ELMo loads offline, fast, and works with Embedder unchanged."""

import json
import re
import time
from pathlib import Path

import numpy as np
import torch

import elmo_mini.pretrained as pretrained
from elmo_mini import BiLM, Embedder
from elmo_mini.pretrained import load_pretrained, model_card


def test_loads_in_float32_eval_mode_quickly():
    start = time.perf_counter()
    mini = load_pretrained()
    assert time.perf_counter() - start < 5
    assert isinstance(mini.bilm, BiLM) and not mini.bilm.training and not mini.lm.training
    assert all(p.dtype == torch.float32 for p in mini.lm.parameters())
    assert len(mini.vocab) == mini.lm.vocab_size
    assert mini.config == mini.bilm.config


def test_shipped_files_are_small_and_documented():
    directory = Path(pretrained.__file__).parent
    total = sum(f.stat().st_size for f in directory.iterdir() if f.is_file())
    assert total <= 15 * 1024 * 1024
    card = model_card()
    for words in ("State of the Union", "perplexity", "trigram", "python -m elmo_mini train"):
        assert words in card


def test_embedder_and_language_model_work_on_it():
    emb = Embedder.pretrained(device="cpu")
    v = emb.embed_sentence(["The", "bank", "raised", "its", "rates", "."])
    assert v.shape == (3, 6, emb.dim) and np.isfinite(v).all()
    mini = load_pretrained()
    from elmo_mini.chars import batch_to_ids

    forward, backward = mini.lm.log_probs(batch_to_ids([["The", "people", "of", "the"]]))
    assert forward.shape == (1, 5, len(mini.vocab))
    assert torch.allclose(forward.exp().sum(-1), torch.ones(1, 5), atol=1e-4)
    # after "... of the" the model should expect a word, not the end of the sentence
    top = mini.vocab.words[int(forward[0, 4].argmax())]
    assert top not in ("</S>", "<S>")


def card_row(card: str, split: str) -> dict:
    """One row of the card's perplexity table, by column name."""
    lines = card.splitlines()
    header = next(line for line in lines if line.startswith("| split |"))
    row = next(line for line in lines if line.startswith(f"| {split} |"))
    cells = lambda line: [cell.strip() for cell in line.strip("|").split("|")]  # noqa: E731
    return dict(zip(cells(header), cells(row)))


def shipped_metrics() -> dict:
    """``metrics.json``: the card's numbers as data (chapter 6 reads them from here)."""
    return json.loads((Path(pretrained.__file__).parent / "metrics.json").read_text())


def test_metrics_json_says_what_the_card_says():
    """The card (for people) and metrics.json (for code) hold the same numbers: the perplexity
    table, the validation curve, steps, tokens seen, epochs and the split's token counts."""
    card, metrics = model_card(), shipped_metrics()
    for split in ("valid", "test"):
        row, numbers = card_row(card, split), metrics["perplexity"][split]
        for model in ("biLM", "trigram"):
            for direction in ("forward", "backward", "mean"):
                key = f"{model.lower()}_{direction}"
                assert numbers[key] == float(row[f"{model} {direction}"]), (split, key)
    trail = re.search(r"during training\*\*, step: ppl - (.+)", card).group(1)
    curve = [[int(s), int(p)] for s, p in (pair.split(": ") for pair in trail.split(", "))]
    assert curve == metrics["valid_perplexity_during_training"]
    training = metrics["training"]
    steps = f"**Steps**: {training['steps']:,d} ({training['tokens_seen_millions']}M training "
    assert steps + f"tokens, {training['epochs']} epochs)" in card
    tokens = " / ".join(f"{metrics['corpus_tokens'][s]:,d}" for s in ("train", "valid", "test"))
    assert f"{tokens} tokens" in card


def test_the_card_states_the_shipped_models_test_perplexity():
    """The card's numbers belong to the weights beside it: re-export without updating the card
    and metrics.json and this fails (the biLM's test perplexity, to the card's one decimal)."""
    from elmo_mini.data import load_sotu
    from elmo_mini.train import evaluate

    mini = load_pretrained()
    numbers = shipped_metrics()["perplexity"]["test"]
    result = evaluate(mini.lm, load_sotu("test"), mini.vocab)
    for direction in ("forward", "backward", "mean"):
        assert round(result[f"ppl_{direction}"], 1) == numbers[f"bilm_{direction}"], direction
