"""Cut sections into passages: paragraph-aware, never across a section, with a context header."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from common.sentences import split_sentences

from .model import Passage, Section
from .places import context_header
from .routekaart import research_pages

# Paragraphs shorter than this (topic lines, captions) are kept with their neighbour.
MIN_WORDS = 12


def _words(text: str) -> int:
    return len(text.split())


def _pieces(paragraph: str, max_words: int) -> list[str]:
    """A paragraph, or for a long one consecutive sentence groups of at most max_words."""
    if _words(paragraph) <= max_words:
        return [paragraph]
    pieces: list[str] = []
    current: list[str] = []
    for sentence in split_sentences(paragraph):
        if current and _words(" ".join(current + [sentence])) > max_words:
            pieces.append(" ".join(current))
            current = []
        current.append(sentence)
    if current:
        pieces.append(" ".join(current))
    return pieces


@dataclass
class Chunk:
    """The paragraphs (or pieces of one) of a passage, the research pages they quote, and the
    printed pages they stand on (a PDF's labels; empty when the section's pages hold)."""

    paragraphs: list[str] = field(default_factory=list)
    research: set[int] = field(default_factory=set)
    labels: list[str] = field(default_factory=list)

    @property
    def words(self) -> int:
        return sum(_words(p) for p in self.paragraphs)

    def take(self, other: "Chunk") -> None:
        self.paragraphs += other.paragraphs
        self.research |= other.research
        self.labels += other.labels


def chunk_section(section: Section, max_words: int) -> list[Chunk]:
    """Chunks of about max_words words. A quote cut into pieces gives its research pages to
    every piece; in a research part, a paragraph that ends with a page reference closes its
    chunk, so each quote keeps its own research pages."""
    research_part = section.publication.hints.get("research_part", "Uit het onderzoek")
    quotes = section.place.part == research_part
    chunks: list[Chunk] = []
    current = Chunk()
    for number, paragraph in enumerate(section.paragraphs):
        cited = set(research_pages(paragraph))
        labels = list(section.pages[number]) if number < len(section.pages) else []
        for piece in _pieces(paragraph, max_words):
            if current.paragraphs and current.words >= MIN_WORDS and \
                    current.words + _words(piece) > max_words:
                chunks.append(current)
                current = Chunk()
            current.take(Chunk([piece], cited, labels))
            if quotes and research_pages(piece) and current.words >= MIN_WORDS:
                chunks.append(current)
                current = Chunk()
    if current.paragraphs:
        if chunks and current.words < MIN_WORDS:
            chunks[-1].take(current)  # a trailing caption joins the previous chunk
        else:
            chunks.append(current)
    return chunks


def is_label_residue(paragraphs: list[str]) -> bool:
    """Loose figure labels ('Economie', 'Werk', '4. Ken het netwerk', 'Stadhuis'): no sentence at
    all and only a few words per line. Kept in the index, but not offered to retrieval."""
    if len(paragraphs) < 4:
        return False
    has_sentence = any(re.search(r"[^\W\d][.!?](\s|$)", p) for p in paragraphs)
    average = sum(_words(p) for p in paragraphs) / len(paragraphs)
    return not has_sentence and average < 4


def _printed_pages(labels: list[str]) -> dict[str, Any]:
    """A chunk's own pages, from the labels of the pages its paragraphs stand on: the first and
    the last label, and their numbers when they are numbers ('iv' has none)."""
    if not labels:
        return {}
    first, last = labels[0], labels[-1]
    return {"page_label_start": first, "page_label_end": last,
            "page_start": int(first) if first.isdigit() else None,
            "page_end": int(last) if last.isdigit() else None}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def chunk_sections(sections: list[Section], max_words: int = 120) -> list[Passage]:
    """All passages of a publication's sections, with stable ids and full metadata."""
    passages: list[Passage] = []
    used: set[str] = set()
    for section in sections:
        base = f"{section.place.publication_id}/{_slug(section.key) or 'tekst'}"
        if base in used:
            base = f"{base}-{section.order}"
        used.add(base)
        header = context_header(section.place)
        for index, chunk in enumerate(chunk_section(section, max_words)):
            chunk_id = f"{base}/{index + 1}"
            place = replace(section.place, research_pages=tuple(sorted(chunk.research)),
                            **_printed_pages(chunk.labels))
            level = "figure" if is_label_residue(chunk.paragraphs) else "passage"
            metadata = dict(place.to_metadata(), chunk_id=chunk_id, chunk_index=index,
                            header=header, level=level, section_order=section.order)
            passages.append(Passage(chunk_id, header, "\n\n".join(chunk.paragraphs), metadata))
    return passages
