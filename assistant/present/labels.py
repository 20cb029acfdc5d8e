"""The Dutch words every presenter uses around an answer (one place, so all faces agree)."""

from __future__ import annotations

from typing import Any

NOTICE = "Let op:"
SOURCES = "Bronnen"
NEAREST = "Mogelijk relevante passages"  # the sources of a refusal
ALSO_RELEVANT = "Ook relevant"  # sources the answer does not cite
UNDERSTOOD_AS = "Vraag begrepen als:"
OMITTED = "Weggelaten:"
OMITTED_WHY = ("deze zinnen van het taalmodel staan niet in de bronnen en zijn uit het antwoord "
               "gehaald.")
FAILED = "Dat lukte niet."
TEXT_REPLACED = "de tekst hierboven vervalt; het antwoord volgt hieronder."
ANSWER = "Antwoord:"
READ_IN_REPORT = "Lees in het onderzoeksrapport:"  # links to the report's passages


def understood(answer: Any) -> str | None:
    """How a follow-up was read: joined ('Waarom het netwerk? En het onderzoek?') or also
    searched with the previous question, with its focus ('binnen wegwijzer 4 'Ken het netwerk',
    Uit het onderzoek'); None for a question answered as asked."""
    if answer.searched_with:
        read, notes = answer.question, [f"ook gezocht met de vorige vraag: {answer.searched_with}"]
    elif answer.resolved_question and answer.resolved_question != answer.question:
        read, notes = answer.resolved_question, []
    else:
        return None
    notes += [f"binnen {answer.focus}"] if answer.focus else []
    return read + (f" ({'; '.join(notes)})" if notes else "")


def sources_heading(refused: bool) -> str:
    return NEAREST if refused else SOURCES

