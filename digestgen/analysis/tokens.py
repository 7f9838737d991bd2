"""Chinese tokenising: a jieba tokeniser with the police-work dictionary, and the stop-word list.

The dictionary and stop words are data files in ``digestgen/data/``; each says how to extend it.
"""
from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import re
from functools import cached_property, lru_cache
from pathlib import Path
from types import ModuleType




@lru_cache(maxsize=1)
def _rjieba() -> ModuleType | None:
    """jieba's own algorithm and dictionary in Rust (jieba-rs), about 15x faster; jieba is the fallback.
    Imported on first use: loading its dictionary takes a third of a second."""
    try:
        return importlib.import_module("rjieba")
    except ImportError:  # pragma: no cover - exercised where rjieba has no wheel
        return None

DATA = Path(__file__).parent.parent / "data"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Parts of speech (jieba's dictionary tags) that never make a tag: place and person names,
# numerals, time words, pronouns, function words, adverbs, verbs of saying and doing.
NON_TAG_POS = frozenset({"ns", "nr", "nrt", "nrfg", "nr1", "nr2", "m", "mq", "q", "t", "tg", "r", "p", "c", "u",
                         "uj", "ul", "uv", "uz", "ud", "ug", "d", "f", "s", "x", "y", "e", "o", "z", "a", "ad",
                         "ag", "b", "i", "l", "v", "vd", "vg", "vi", "vq", "zg", "df", "dg", "rz", "rr", "k", "h", "g", "ng"})


def _jieba_data(name: str) -> Path:
    """A data file of the jieba package (its dictionary, its IDF table), found without importing
    jieba: its import (a third of a second) is needed only to cut words with jieba itself."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("jieba is not installed; install digestgen's requirements (pip install -e .)")
    return Path(next(iter(spec.submodule_search_locations))) / name


def _jieba() -> ModuleType:
    """jieba, imported when words are first cut (its import takes a third of a second, which a
    build with nothing to analyse need not pay)."""
    import jieba
    jieba.setLogLevel(logging.WARNING)
    return jieba


class Vocabulary:
    """The tokeniser and the word lists that decide what may be a tag.

    The parts load on first use (a build whose articles are all cached never loads jieba's
    dictionary): ``cut`` uses rjieba when installed, else jieba, both with the user dictionary.
    """

    def __init__(self, userdict: list[tuple[str, ...]], stopwords: frozenset[str], pure: bool = False):
        self.userdict = userdict
        self.domain = frozenset(row[0] for row in userdict) - stopwords
        """Police-work terms from the user dictionary."""
        self.stopwords = stopwords
        self.pure = pure
        self.verdicts: dict[str, bool] = {}
        """may_be_tag's answers so far: the same words come back in every article."""

    @cached_property
    def fast(self):
        """An rjieba tokenizer with the user dictionary, or None where jieba itself is used."""
        rjieba = None if self.pure else _rjieba()
        if rjieba is None:
            return None
        fast = rjieba.Jieba()
        for row in self.userdict:
            fast.add_word(row[0], int(row[1]) if len(row) > 1 else None, row[2] if len(row) > 2 else None)
        return fast

    @cached_property
    def tokenizer(self):
        tokenizer = _jieba().Tokenizer()
        tokenizer.initialize()
        for row in self.userdict:
            tokenizer.add_word(row[0], int(row[1]) if len(row) > 1 else None, row[2] if len(row) > 2 else None)
        return tokenizer

    @cached_property
    def not_nouns(self) -> frozenset[str]:
        """The dictionary words whose part of speech is in NON_TAG_POS (jieba's dictionary, then the
        user dictionary): all that is asked of the parts of speech, in a third of the memory of a
        table of them."""
        words = set()
        with open(_jieba_data("dict.txt"), encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3:  # a word listed twice has the part of speech of its last line
                    if parts[2] in NON_TAG_POS:
                        words.add(parts[0])
                    else:
                        words.discard(parts[0])
        for row in self.userdict:
            if (row[2] if len(row) > 2 else "nz") in NON_TAG_POS:
                words.add(row[0])
            else:
                words.discard(row[0])
        return frozenset(words)

    @cached_property
    def idf(self) -> dict[str, float]:
        """jieba's inverse document frequencies from a large general corpus."""
        return _jieba_idf()[0]

    @cached_property
    def median_idf(self) -> float:
        return _jieba_idf()[1]

    def cut(self, text: str) -> list[str]:
        """Split text into words; dictionary words only (no guessing at unknown names)."""
        if self.fast is not None:
            return self.fast.cut(text, False)
        return self.tokenizer.lcut(text, HMM=False)

    def may_be_tag(self, word: str) -> bool:
        """Whether a word could ever be a tag, whatever article it is in."""
        known = self.verdicts.get(word)
        if known is None:
            known = self.verdicts[word] = self._may_be_tag(word)
        return known

    def _may_be_tag(self, word: str) -> bool:
        if word in self.domain:
            return True
        if len(word) < 2 or word in self.stopwords or not CJK.search(word) or re.search(r"\d", word):
            return False
        return word not in self.not_nouns


def read_word_list(path: Path) -> list[tuple[str, ...]]:
    """Lines of a data file split on white space, comments and blank lines dropped."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            rows.append(tuple(line.split()))
    return rows


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The vocabulary, once per process."""
    stop = frozenset(row[0] for row in read_word_list(DATA / "stopwords.txt"))
    return Vocabulary(read_word_list(DATA / "userdict.txt"), stop, pure=bool(os.environ.get("DIGESTGEN_PURE_JIEBA")))


@lru_cache(maxsize=1)
def _jieba_idf() -> tuple[dict[str, float], float]:
    path = _jieba_data("analyse/idf.txt")
    idf = {}
    numbers: dict[str, float] = {}  # a few thousand values for 270,000 words: one float object each
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, value = line.partition(" ")
        if value:
            number = numbers.get(value)
            if number is None:
                number = numbers[value] = float(value)
            idf[word] = number
    values = sorted(idf.values())
    return idf, values[len(values) // 2]
