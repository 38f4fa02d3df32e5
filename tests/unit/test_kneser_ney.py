"""The Kneser-Ney trigram baseline."""

import math

import numpy as np
import pytest

from elmo_mini.kneser_ney import KneserNeyTrigram
from elmo_mini.vocab import Vocabulary

SENTENCES = [s.split() for s in [
    "the bank raised its rates", "the river bank was muddy", "the bank of the river",
    "a bank holiday", "the rates rose", "its rates fell again", "the river rose",
]]


@pytest.fixture(scope="module")
def vocab():
    return Vocabulary.build(SENTENCES, max_size=12)  # some words become <UNK>


@pytest.mark.parametrize("backward", [False, True])
def test_distributions_sum_to_one(vocab, backward):
    kn = KneserNeyTrigram(vocab, backward=backward).fit(SENTENCES)
    for context in [(), ("the",), ("the", "bank"), ("river", "bank"), ("never", "seen"), ("<UNK>",)]:
        p = kn.next_word_distribution(context)
        assert p.shape == (len(vocab),) and (p > 0).all()
        assert abs(p.sum() - 1) < 1e-9, context


def test_counts_and_perplexity(vocab):
    kn = KneserNeyTrigram(vocab).fit(SENTENCES)
    # sentences start "the bank" twice, "the river" twice, "the rates" once
    p = kn.next_word_distribution(["the"])
    assert vocab.words[int(np.argmax(p))] in {"bank", "river"}
    assert kn.prob("bank", ["the"]) > kn.prob("rates", ["the"]) > 0
    ll, n = kn.log_likelihood(SENTENCES)
    assert n == sum(len(s) + 1 for s in SENTENCES)
    assert kn.perplexity(SENTENCES) == pytest.approx(math.exp(-ll / n))
    assert kn.perplexity(SENTENCES) < kn.perplexity([["rates", "the", "muddy", "a"]])


def test_backward_reads_right_to_left(vocab):
    kn = KneserNeyTrigram(vocab, backward=True).fit(SENTENCES)
    # before "rates" (reading right to left) comes "its" or "the"
    p = kn.next_word_distribution(["rates"])
    assert vocab.words[int(np.argmax(p))] in {"its", "the"}


def test_unfitted_and_empty(vocab):
    with pytest.raises(RuntimeError, match="fit"):
        KneserNeyTrigram(vocab).prob("the")
    with pytest.raises(ValueError, match="empty"):
        KneserNeyTrigram(vocab).fit([])
