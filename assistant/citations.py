"""Citation formatting shared by the CLI, the chat and the reports (pure)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Collection, Iterable, Mapping, Sequence

from indexing.places import describe_place
from indexing.routekaart import RESEARCH_REF, research_pages

from . import markers
from .model import Source


def format_citation(source: Source) -> str:
    """`[1] Jaarbericht 2018 'Werkende samenwerking' · Wegwijzer 4 'Ken het netwerk' · Uit het
    onderzoek · p. 41–44 · onderzoeksrapport p. 182`"""
    return f"[{source.marker}] {describe_place(source.place)}"


def cited_first(text: str, sources: list[Source]) -> tuple[str, list[Source]]:
    """Sources the answer cites come first, in order of first citation; markers renumbered."""
    order = list(dict.fromkeys(markers.markers(text)))
    by_marker = {s.marker: s for s in sources}
    cited = [by_marker[m] for m in order if m in by_marker]
    ranked = cited + [s for s in sources if s not in cited]
    renumber = {s.marker: new for new, s in enumerate(ranked, start=1)}
    text = markers.renumber(text, renumber)
    return text, [replace(s, marker=renumber[s.marker]) for s in ranked]


def with_quoted(sources: Sequence[Source], quoted: Mapping[int, Iterable[str]]) -> list[Source]:
    """The sources with `quoted` set to the sentences the answer took from each (by marker)."""
    return [replace(s, quoted=tuple(dict.fromkeys(quoted.get(s.marker, ())))) for s in sources]


def label_research_refs(text: str, pages: Collection[int]) -> str:
    """'(p. 61)' becomes '(onderzoeksrapport p. 61)' when all its pages are among `pages` (the
    research pages the passages cite): next to a citation 'p. 41–44' it reads as a contradiction."""
    known = set(pages)
    if not known:
        return text

    def label(match: re.Match[str]) -> str:
        cited = research_pages(match.group(0))
        if not cited or not set(cited) <= known:
            return match.group(0)
        return f"(onderzoeksrapport p. {match.group(1).strip()})"

    return RESEARCH_REF.sub(label, text)


class ResearchRefStream:
    """`label_research_refs` for text that arrives in pieces: a '(' whose ')' has not arrived
    yet is held back."""

    def __init__(self, pages: Collection[int]) -> None:
        self.pages = set(pages)
        self.held = ""

    def feed(self, piece: str) -> str:
        text = self.held + piece
        cut = text.rfind("(")
        if cut == -1 or ")" in text[cut:]:
            cut = len(text)
        self.held = text[cut:]
        return label_research_refs(text[:cut], self.pages)

    def flush(self) -> str:
        text, self.held = self.held, ""
        return label_research_refs(text, self.pages)


def research_pages_of(sources: Iterable[Source]) -> set[int]:
    """Every research-report page the sources cite (for :func:`label_research_refs`)."""
    return {page for source in sources for page in source.place.research_pages}


def readable_text(text: str, sources: Iterable[Source]) -> str:
    """An answer's text as a reader reads it, in every face (see label_research_refs)."""
    return label_research_refs(text, research_pages_of(sources))
