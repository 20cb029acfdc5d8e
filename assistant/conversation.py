"""Question hygiene and follow-up resolution (pure)."""

from __future__ import annotations

import re
import unicodedata

from common.errors import WegwijzerError

from .lexical import content_words, words
from .model import Turn

MAX_QUESTION_CHARS = 2000

# Words that point back to an earlier turn ('daarover', 'dat', 'hij') or add to it ('en', 'ook').
ANAPHORA = frozenset(
    "daarover daarvan daarbij daarmee daarin daarna dat die dit deze hij zij ze hem haar hun "
    "het zo'n zulke ook nog verder meer en it this that they them he she also more".split()
)


class QuestionError(WegwijzerError):
    """The question itself cannot be answered as typed."""


def strip_controls(text: str) -> str:
    """Control and format characters (also U+202E, the right-to-left override) become spaces;
    line breaks and tabs stay."""
    return "".join(
        ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)


def clean_question(raw: str | None) -> tuple[str, list[str]]:
    """Strip control characters, cut to 2,000 characters; refuse an empty question.

    Returns the question and Dutch notices for the user.
    """
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


def is_follow_up(question: str) -> bool:
    """A short question that leans on the previous one ('en wat zegt het onderzoek daarover?')."""
    tokens = words(question)
    if not tokens:
        return False
    content = content_words(question)
    refers = any(t in ANAPHORA for t in tokens)
    return (refers and len(content) <= 4) or (tokens[0] in ("en", "and") and len(content) <= 6)


def resolve(question: str, history: list[Turn] | None) -> str:
    """The question to retrieve with: a follow-up is joined to the last real question."""
    if not history or not is_follow_up(question):
        return question
    previous = next((turn.question for turn in reversed(history) if turn.question.strip()), "")
    if not previous:
        return question
    return f"{previous} {question}"
