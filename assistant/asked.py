"""What kind of fact a question asks for, and whether a sentence holds one (pure).

Only closed-class words decide: the question words (wie, wanneer, hoeveel, wat is) and the
shapes of a name, a date and a number. A short factual question is answered best by the one
sentence that holds the asked fact, so the extractive answerer puts such a sentence first
(docs/beslissingen/antwoord.md).
"""

from __future__ import annotations

import re
from enum import Enum

from .lexical import CARDINAL, NUMBER_WORDS, content_words, fold, words


class Kind(Enum):
    NAME = "naam"
    DATE = "datum"
    NUMBER = "aantal"
    DEFINITION = "omschrijving"


# The question word in the question's first clause; 'wat is/zijn X' only when X is short (a
# term, not a whole situation).
_ASKS = (
    (Kind.NAME, re.compile(r"\b(wie|who)\b")),
    (Kind.DATE, re.compile(r"\b(wanneer|sinds wanneer|in welk jaar|welk jaar|when)\b")),
    (Kind.NUMBER, re.compile(r"\b(hoeveel|hoe veel|how many|how much)\b")),
    (Kind.DEFINITION, re.compile(r"^\W*(wat (is|zijn|betekent|bedoelt men met)|what is|what are)"
                                 r"\s+(?P<term>[^,;:?]{1,40})\?*\s*$")),
)
_MONTHS = ("januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
           "december")
_DATE = re.compile(rf"\b(1[89]\d\d|20\d\d|{_MONTHS})\b")
_NUMBER = re.compile(r"\d|\b(" + "|".join(NUMBER_WORDS) + r"|honderd|duizend|miljoen)\b")
# Two or more capitalised words in a row, or a capitalised word with a particle ('van der').
_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+(?:van|de|der|den|ter|ten|te|het)){0,3}"
                   r"\s+[A-Z][\w'’-]+")
# After the asked term: the words that make a sentence say what it is.
_DEFINES = r"\W{0,3}\s*(,\s*)?(is|zijn|die|dat|betekent|houdt in|staat voor|noemen we|heet)\b"


def asked_for(question: str) -> tuple[Kind, str] | None:
    """The kind of fact a question asks for, and for 'wat is X' the term X; None otherwise. Read
    from the last sentence that ends in a question mark (before it: context, or in a joined
    follow-up the question before), in its first clause."""
    sentences = re.split(r"(?<=[.?!])\s+", question.strip())
    asked = next((s for s in reversed(sentences) if s.endswith("?")), question)
    first_clause = fold(re.split(r"[,;:]", asked, maxsplit=1)[0]).strip()
    for kind, pattern in _ASKS:
        found = pattern.search(first_clause if kind is not Kind.DEFINITION else fold(asked))
        if found:
            term = found.group("term").strip() if kind is Kind.DEFINITION else ""
            return kind, term
    return None


def topic(question: str) -> str:
    """The question without its question word: what the answer must be about ('wanneer' itself
    never stands in the sentence that answers it)."""
    text = fold(question)
    for kind, pattern in _ASKS:
        if kind is not Kind.DEFINITION:
            text = pattern.sub(" ", text)
    return text


def holds(kind: Kind, term: str, sentence: str, question: str) -> bool:
    """Whether a sentence holds a fact of the asked kind that the question does not give."""
    if kind is Kind.NAME:
        asked = set(words(question))
        return any(not set(words(name)) <= asked
                   for name in _NAME.findall(_without_first_word(sentence)))
    if kind is Kind.DATE:
        return bool(set(_DATE.findall(fold(sentence))) - set(_DATE.findall(fold(question))))
    if kind is Kind.NUMBER:
        return bool(_NUMBER.search(fold(sentence)))
    named = content_words(term)
    if not named:
        return False
    last = re.escape(named[-1])
    return bool(re.search(rf"\b{last}\w*{_DEFINES}", fold(sentence)))


def _without_first_word(sentence: str) -> str:
    # A sentence's first word is capitalised whatever it is.
    parts = sentence.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


# Any question word in the first sentence makes a content question; a question without one asks
# yes or no ('Klopt het dat …?', 'Moet ik de routekaart van begin tot eind doorlopen?').
_QUESTION_WORD = re.compile(r"\b(wie|wiens|wat|welke?|waar\w*|wanneer|hoe\w*|who|whose|what|"
                            r"which|where|when|why|how)\b")
# Besides a numeral (lexical.CARDINAL): the question counts the things it asks about.
_COUNTING = frozenset("alle all two three four five six seven eight nine ten eleven twelve".split())


def asks_for_a_list(question: str) -> bool:
    """Whether a question may be answered with a list: a content question, or a yes/no question
    that counts what it asks about ('Kunt u de tien wegwijzers noemen?'). 'Klopt het dat je de
    wegwijzers in een vaste volgorde moet aflopen?' asks for a judgement, not the list."""
    first = re.split(r"(?<=[?.!])\s", question.strip(), maxsplit=1)[0]
    yes_no = first.rstrip().endswith("?") and not _QUESTION_WORD.search(fold(first))
    return not yes_no or any(CARDINAL.match(w) or w in _COUNTING for w in words(first))

