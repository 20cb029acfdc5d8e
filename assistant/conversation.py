"""Question hygiene and follow-up resolution (pure)."""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from common.errors import WegwijzerError

from .lexical import CARDINAL, words
from .model import Turn

MAX_QUESTION_CHARS = 2000


class QuestionError(WegwijzerError):
    """The question itself cannot be answered as typed."""


def strip_controls(text: str) -> str:
    """Control and format characters (also U+202E, the right-to-left override) become spaces;
    line breaks and tabs stay."""
    return "".join(
        ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)


def clean_question(raw: str | None) -> tuple[str, list[str]]:
    """The question without control characters, cut to 2,000 characters (an empty one is
    refused), and Dutch notices for the user."""
    notices: list[str] = []
    text = re.sub(r"\s+", " ", strip_controls(raw or "")).strip()
    if not text:
        raise QuestionError(
            "De vraag is leeg. Typ een vraag, bijvoorbeeld: 'Hoe betrek ik de gemeenteraad bij "
            "regionale samenwerking?'"
        )
    if len(text) > MAX_QUESTION_CHARS:
        text = text[:MAX_QUESTION_CHARS].rstrip()
        notices.append(
            f"Uw vraag was langer dan {MAX_QUESTION_CHARS} tekens en is ingekort tot de eerste "
            f"{MAX_QUESTION_CHARS} tekens."
        )
    return text, notices


def recent_history(history: Sequence[Turn] | None, turns: int) -> list[Turn]:
    """The last `turns` exchanges with a question, each cleaned and cut to MAX_QUESTION_CHARS:
    the size of a client's history never sets the work or the cost of an answer."""
    kept: list[Turn] = []
    for turn in reversed(list(history or [])):
        if len(kept) >= turns:
            break
        question = _cut(turn.question)
        if question:
            kept.append(Turn(question=question, answer=_cut(turn.answer)))
    return kept[::-1]


def _cut(text: str | None) -> str:
    # Cut before cleaning: cleaning a megabyte only to keep 2,000 characters is wasted work.
    text = strip_controls((text or "")[:4 * MAX_QUESTION_CHARS])
    return text.strip()[:MAX_QUESTION_CHARS].rstrip()


def with_previous(question: str, history: list[Turn] | None) -> str | None:
    """The question joined to the last real question before it, or None without one."""
    previous = next((turn.question for turn in reversed(history or []) if turn.question.strip()),
                    "")
    return f"{previous} {question}" if previous.strip() else None


# Closed-class words by which a question points back at the conversation (Dutch and English);
# no topic words. Measured on dev, core, vers and blind (docs/beslissingen/vervolgvragen.md).
# A coordinating conjunction that opens the question: 'En wat zeggen de onderzoekers?'
OPENERS = frozenset("en maar ook dus of and but also so or".split())
# In its first clause (later, the word mostly points inside the question): a pronominal adverb
# ('daarvan', 'erbij') or a determiner that refers back ('zo'n netwerk'). Personal pronouns and
# plain demonstratives joined 25 of 322 standalone questions instead of 9, for no more follow-ups.
ADVERB_PREPOSITIONS = ("van|over|bij|in|mee|aan|na|voor|door|uit|op|om|tegen|achter|naast|onder"
                       "|tussen|toe|heen")
POINTING_ADVERB = re.compile(rf"(?:daar|hier|er)(?:{ADVERB_PREPOSITIONS})")
# The same adverb split in two ('Is daar een verhaal over?'). Not with 'er', which mostly says
# that something exists ('Zijn er voorbeelden van …?'); a lone 'daar' or 'hier' means a place
# ('de burgemeester daar'): 3 of the 322 standalone questions, none with a preposition after it.
SPLIT_ADVERB = re.compile(rf"\b(?:daar|hier)\b.*\b(?:{ADVERB_PREPOSITIONS})\b")
POINTING_DETERMINERS = frozenset(
    "zo'n zulke zulk dezelfde hetzelfde diezelfde datzelfde such".split())
CLAUSE_END = re.compile(r"[.?!;:]\s+|,\s+(?=(?:en|of|maar|and|or|but)\b)", re.IGNORECASE)


def points_back(question: str) -> bool:
    """Does the question lean on the conversation before it? (see OPENERS)"""
    if set(words(question)[:1]) & OPENERS:
        return True
    first_clause = words(CLAUSE_END.split(question.strip(), maxsplit=1)[0])
    # Before a numeral, 'zo'n' means 'about' ('een gemeente van zo'n 50.000 inwoners').
    determiners = [w for w, after in zip(first_clause, first_clause[1:] + [""])
                   if w in POINTING_DETERMINERS and not CARDINAL.match(after)]
    return bool(SPLIT_ADVERB.search(" ".join(first_clause)) or determiners) or any(
        POINTING_ADVERB.fullmatch(w) for w in first_clause)
