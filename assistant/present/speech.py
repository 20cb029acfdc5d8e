"""What a screen reader announces once an answer is complete (pure): the answer text without
its markers, and how many sources come with it."""

from __future__ import annotations

from .. import markers
from ..model import Answer
from . import labels
from .markdown import answer_text


def announcement(answer: Answer) -> str:
    text = " ".join(markers.strip_markers(answer_text(answer)).split())
    notices = " ".join(f"{labels.NOTICE} {notice}" for notice in answer.notices)
    sources = answer.sources
    cited = set(markers.markers(answer.answer))
    if not sources:
        count = ""
    elif answer.refused:
        count = f"{len(sources)} {labels.NEAREST.lower()} staan eronder."
    else:
        shown = len([s for s in sources if s.marker in cited]) or len(sources)
        count = f"{shown} {'bron staat' if shown == 1 else 'bronnen staan'} eronder"
        extra = len(sources) - shown
        count += f", en {extra} {labels.ALSO_RELEVANT.lower()}." if extra else "."
    return " ".join(part for part in (labels.ANSWER, notices, text, count) if part)


def failure(message: str) -> str:
    return f"{labels.FAILED} {message}"
