"""Question hygiene and follow-up resolution (pure)."""

from __future__ import annotations

import re
import unicodedata
from typing import Sequence

from common.errors import WegwijzerError

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


def recent_history(history: Sequence[Turn] | None, turns: int) -> list[Turn]:
    """What a follow-up needs of a conversation: its last `turns` exchanges with a question,
    each question and answer cleaned and cut to MAX_QUESTION_CHARS.

    Everything else is dropped before anything is embedded or sent to a model, so the size of a
    client's history never sets the work or the cost of an answer.
    """
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


def is_follow_up(gain: float, loss: float) -> bool:
    """Does a question lean on the previous one? Decided by comparing two retrievals.

    `gain`: how much closer the best passage comes when the question is read together with the
    previous one (dense similarity of the joined reading's best passage minus that of the
    question alone). `loss`: how much of the question's own match that reading gives up (the
    question alone's similarity to its own best passages minus its similarity to the joined
    reading's best). A question with a topic of its own loses more than it gains, whatever
    pronouns it holds; a question without one ('En hoe maak je die?') gains. No word list
    and no tuned threshold decide.
    """
    return gain > loss
