"""Dutch lexical analysis: tokens, stems, stopwords and compound splitting (pure)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer
from bm25s.stopwords import STOPWORDS_DUTCH, STOPWORDS_EN

_STEMMER = snowballstemmer.stemmer("dutch")
WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)

# Words that say how a question is asked, not what it is about.
QUESTION_WORDS = frozenset(
    "wat welke welk wie hoe waarom waar wanneer waardoor waarmee waarover kan kun kunnen moet "
    "moeten mag zou zouden ik je jij u we wij mijn onze ons jullie er eigenlijk precies "
    "volgens zegt zeggen staat staan stelt vertelt vertellen noemt noemen bedoeld bedoelt "
    "gaat gaan doen doe krijg krijgen beter goed graag even iets "
    "what which who how why where when does do did can could should would is are the a an of to "
    "in on for about say says tell"
    .split()
)
STOPWORDS = frozenset(STOPWORDS_DUTCH) | QUESTION_WORDS | frozenset(STOPWORDS_EN)


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
        self._cache: dict[str, list[str]] = {}

    def split(self, word: str) -> list[str]:
        """Parts of a compound whose parts are corpus words (Dutch linking 's' allowed)."""
        if word in self._cache:
            return self._cache[word]
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
        self._cache[word] = parts
        return parts

    def terms(self, text: str) -> list[str]:
        """Stemmed index terms of a text, with compound parts added."""
        terms: list[str] = []
        for word in content_words(text):
            terms.append(stem(word))
            for part in self.split(word):
                if part not in STOPWORDS:
                    terms.append(stem(part))
        return terms
