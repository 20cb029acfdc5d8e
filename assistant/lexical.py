"""Dutch lexical analysis: tokens, stems, stopwords and compound splitting (pure)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

_STEMMER = snowballstemmer.stemmer("dutch")
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)

# Standard stopword lists (bm25s: NLTK's Dutch, Lucene's English), plus the modal particles they
# lack, a closed class that says how something is asked, never what about: 'wat is agrifood
# capital precies?' counted 'precies' as a topic word the passages miss, and was refused
# (docs/beslissingen/zekerheid.md). A hand-made list of question words helped only the suite it
# grew up with (issue 12).
STOPWORDS = frozenset(STOPWORDS_DUTCH) | frozenset(STOPWORDS_EN) | frozenset(
    "eigenlijk precies nou even eventjes gewoon echt wel misschien soms juist natuurlijk hoor "
    "exactly actually really just please".split())


# Numbers written out and ordinals, as digits: 'de vierde Denktank' finds 'de 4e Denktank'. A
# closed class; 'een' is left out, it is mostly the article.
NUMBER_WORDS = {word: str(n) for n, word in enumerate(
    "twee drie vier vijf zes zeven acht negen tien elf twaalf".split(), start=2)}
NUMBER_WORDS |= {word: str(n) for n, word in enumerate(
    "eerste tweede derde vierde vijfde zesde zevende achtste negende tiende elfde twaalfde"
    .split(), start=1)}
ORDINAL = re.compile(r"^(\d+)(?:e|de|ste)$")
# Any cardinal, written out or in digits ('50', 'twintig', 'vijfentwintig', 'honderd').
CARDINAL = re.compile(r"^(\d+|(\w+en)?(twin|der|veer|vijf|zes|zeven|tach|negen)tig|"
                      r"\w*(honderd|duizend|miljoen|miljard)|" + "|".join(NUMBER_WORDS) + ")$")


def numeral(word: str) -> str:
    """A number word or an ordinal as its digits ('vierde', '4e' → '4'); other words as they are."""
    found = ORDINAL.match(word)
    return found.group(1) if found else NUMBER_WORDS.get(word, word)


def fold(text: str) -> str:
    """Lowercase without accents: 'geïnspireerd' → 'geinspireerd'."""
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Lowercased, accent-folded words; hyphenated words are also split into their parts."""
    result = []
    for match in WORD.finditer(fold(text)):
        word = match.group(0).replace("’", "'")
        if "-" in word:
            result.extend(p for p in word.split("-") if p)
            result.append(word.replace("-", ""))
        else:
            result.append(word)
    return result


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _STEMMER.stemWord(word)


def content_words(text: str) -> list[str]:
    """Words that carry meaning: no stopwords, no single letters."""
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


class Vocabulary:
    """The corpus's own words, used to split compounds ('arbeidsmarktregio' → arbeidsmarkt+regio)."""

    MIN_PART = 4

    def __init__(self, texts: list[str]) -> None:
        self.words: set[str] = set()
        for text in texts:
            self.words.update(w for w in words(text) if len(w) >= self.MIN_PART)
        self.split = lru_cache(maxsize=None)(self._split)

    def _split(self, word: str) -> list[str]:
        """Parts of a compound whose parts are corpus words (Dutch linking 's' allowed)."""
        parts: list[str] = []
        if len(word) >= 2 * self.MIN_PART:
            for cut in range(len(word) - self.MIN_PART, self.MIN_PART - 1, -1):
                head, tail = word[:cut], word[cut:]
                if tail not in self.words:
                    continue
                if head in self.words:
                    parts = [head, tail]
                elif head.endswith("s") and head[:-1] in self.words and len(head) > self.MIN_PART:
                    parts = [head[:-1], tail]
                if parts:
                    break
        return parts

    def terms(self, text: str) -> list[str]:
        """Stemmed index terms of a text, with compound parts added."""
        terms: list[str] = []
        for word in content_words(text):
            terms.append(stem(numeral(word)))
            for part in self.split(word):
                if part not in STOPWORDS:
                    terms.append(stem(part))
        return terms
