"""Question hygiene and follow-up resolution (pure)."""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from common.errors import WegwijzerError

from .lexical import CARDINAL, STOPWORDS, words
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
    """The question joined to the last real question before it as that one was read, or None
    without one: a previous question that pointed back brings its own previous one ('Wie schreef
    dat verhaal?' then 'Welke misser beschrijft hij?' keep the topic asked before them)."""
    earlier = [turn for turn in history or [] if turn.question.strip()]
    if not earlier:
        return None
    return f"{as_read(earlier[-1].question, earlier[:-1])} {question}"


def as_read(question: str, history: list[Turn] | None) -> str:
    """The question as it is searched without a language model: joined to the conversation
    when it points back or leans on it (leans_on), else as asked."""
    if history and (points_back(question) or leans_on(question)):
        return with_previous(question, history) or question
    return question


# Closed-class words by which a question points back at the conversation (Dutch and English);
# no topic words. Measured on dev, core, vers and blind (docs/beslissingen/vervolgvragen.md).
# A coordinating conjunction that opens the question: 'En wat zeggen de onderzoekers?'
OPENERS = frozenset("en maar ook dus of and but also so or".split())
# In its first clause (later, the word mostly points inside the question): a pronominal adverb
# with 'daar' or 'hier' ('daarvan', 'hierover') or a singular personal pronoun with nobody named
# before it (below). Every personal pronoun and plain demonstratives joined 25 of 322 standalone
# questions instead of 9, for no more follow-ups. Words that may point back or not ('erbij',
# 'zo'n netwerk', 'dat voorbeeld') only lean on the conversation (leans_on).
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
# A singular personal pronoun stands for someone named earlier: in the question itself (a name
# before it, or the main clause of 'als hij …'), else in the conversation ('Welke misser
# beschrijft hij?'). 'ze' and 'zij' are singular only beside a verb that is not plural ('vindt
# ze', not 'hebben ze': that 'ze' is mostly generic). Measured with blind2's conversations
# (docs/beslissingen/vervolgvragen.md).
# Not 'haar' or 'her': mostly a possessive that points inside the question ('Welke gemeente laat
# haar stadhuis schoonmaken?', found in a browser session).
SINGULAR_PRONOUNS = frozenset("hij hem he him she".split())
PLURAL_OR_SINGULAR = frozenset("ze zij".split())
SUBORDINATORS = frozenset("als dat of omdat wanneer toen nadat voordat zodat terwijl doordat "
                          "hoewel indien zodra totdat if when because that whether as since "
                          "while".split())
# A question that opens by saying it is about something else never points back, even with a
# pointing word in that opening ('Los daarvan: …').
TOPIC_CHANGE = re.compile(
    r"^\s*(?:(?:even|nog|maar|en|ok[eé]?|oké)[,.!]?\s+)*"
    r"(?:los (?:daar|hier)van|los van|afgezien (?:daar|hier)van|(?:heel )?iets anders|"
    r"(?:een )?ander(?:e)? (?:onderwerp|vraag)|apart from that|"
    r"something else|another (?:question|topic)|on another note|changing the subject)\b",
    re.IGNORECASE)
# A one-word sentence before the question is a reaction, not its first clause ('Leuk. Met wie …').
INTERJECTION = re.compile(r"^[^\W_]+[.!]+\s+(?=\S)")
_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


def points_back(question: str) -> bool:
    """Does the question lean on the conversation before it? (see OPENERS)"""
    if TOPIC_CHANGE.match(question):
        return False
    question = INTERJECTION.sub("", question.strip())
    if set(words(question)[:1]) & OPENERS:
        return True
    clause = CLAUSE_END.split(question, maxsplit=1)[0]
    first_clause = words(clause)
    return bool(SPLIT_ADVERB.search(" ".join(first_clause))) or any(
        POINTING_ADVERB.fullmatch(w) and not w.startswith("er") for w in first_clause
    ) or _pronoun_without_antecedent(clause)


# Words that point back in a follow-up but often not in a question of its own: a demonstrative
# before a content word ('wie vertelt dat voorbeeld?', but 'die routekaart' is just 'the'), a
# determiner ('zo'n agenda', but 'zo'n wegwijzer' is any wegwijzer) and 'er' with a preposition
# ('erover', but 'de raad erbij betrekken' is one verb). Such a question is searched alone and
# with the previous one, never glued (steps.FollowUp; docs/beslissingen/vervolgvragen.md).
DEMONSTRATIVES = frozenset("die deze dat dit this that these those".split())


def leans_on(question: str) -> bool:
    """Does the question's first clause hold a word that may point back (see DEMONSTRATIVES)?"""
    if TOPIC_CHANGE.match(question):
        return False
    first = words(CLAUSE_END.split(INTERJECTION.sub("", question.strip()), maxsplit=1)[0])
    # Before a numeral, 'zo'n' means 'about' ('een gemeente van zo'n 50.000 inwoners').
    return any(word in DEMONSTRATIVES and after not in STOPWORDS and len(after) > 2
               or word in POINTING_DETERMINERS and not CARDINAL.match(after)
               or word.startswith("er") and POINTING_ADVERB.fullmatch(word)
               for word, after in zip(first, first[1:] + [""]))


def _pronoun_without_antecedent(clause: str) -> bool:
    """Does the clause hold a singular personal pronoun with nobody named before it?"""
    tokens = _TOKEN.findall(clause)
    for i, token in enumerate(tokens):
        word = token.lower()
        if word in SINGULAR_PRONOUNS or word in PLURAL_OR_SINGULAR:
            beside = [tokens[j].lower() for j in (i - 1, i + 1) if 0 <= j < len(tokens)]
            plural = word in PLURAL_OR_SINGULAR and any(w.endswith("en") for w in beside)
            subordinate = i > 0 and tokens[i - 1].lower() in SUBORDINATORS
            if not (plural or subordinate):
                return True
        # A capital after the clause's first word starts a name ('Rolph Dols … had hij?').
        if token[:1].isupper() and i > 0:
            return False
    return False
